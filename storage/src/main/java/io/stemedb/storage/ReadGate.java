package io.stemedb.storage;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps the native database open while calls use it: any number of threads pass it <i>shared</i>
 * (every call), one at a time <i>exclusively</i> (close, and the moment a bulk load links its
 * files in), once every shared pass has left. Reentrant both ways: a shared pass inside a shared
 * pass, or inside the exclusive one, of the same thread passes at once.
 *
 * <p><b>Design.</b> A {@code ReentrantReadWriteLock} counts its readers in one word that every
 * read compare-and-sets twice, so two threads reading facts from the fact cache took four times
 * as long per read as one (JMH {@code HotReadBench -t 2}: 900-1,100 ns against 240-440), where
 * the engine in memory, which has no such lock, scaled. Here readers are counted in stripes, a
 * cache line each, one per thread (round robin, so up to {@link #STRIPES} threads never share
 * one): a reader writes only its own stripe. This is the read indicator of Dice and Shavit
 * ("TLRW: Return of the Read-Write Lock", SPAA 2010) with the striping of Calciu et al.
 * ("NUMA-Aware Reader-Writer Locks", PPoPP 2013). The exclusive side is a plain lock and a
 * flag: it sets the flag, then waits until every stripe reads zero; a reader increments its stripe,
 * then reads the flag, and if it is set steps back out and waits on the lock. Stripe and flag are
 * volatile, so of a reader entering and an exclusive pass starting at the same time at least one
 * sees the other (the Dekker pattern): the reader steps back, or the exclusive pass waits for it.
 * Exclusive passes are rare and short, so their wait spins with short parks.
 *
 * <p>Thread-safe.
 */
final class ReadGate {
    /** Stripes of the reader count (a power of two). */
    static final int STRIPES = 16;
    /** Longs per stripe: 128 bytes, so that two stripes never share a cache line, or its neighbour. */
    private static final int SPACING = 16;

    private final AtomicLongArray readers = new AtomicLongArray(STRIPES * SPACING);
    private final AtomicInteger nextStripe = new AtomicInteger();
    /** Per thread: its shared passes in progress (nesting), and its stripe. */
    private final ThreadLocal<int[]> mine = ThreadLocal.withInitial(
            () -> new int[] {0, (nextStripe.getAndIncrement() & (STRIPES - 1)) * SPACING});
    private final ReentrantLock exclusiveLock = new ReentrantLock();
    private volatile boolean exclusive;

    /** Enters shared; waits while another thread is inside exclusively. */
    void enterShared() {
        if (exclusiveLock.isHeldByCurrentThread()) {
            return;
        }
        int[] m = mine.get();
        if (m[0]++ > 0) {
            return;
        }
        for (;;) {
            readers.getAndIncrement(m[1]);
            if (!exclusive) {
                return;
            }
            readers.getAndDecrement(m[1]);
            exclusiveLock.lock();
            exclusiveLock.unlock();
        }
    }

    /** Leaves what {@link #enterShared} entered. */
    void exitShared() {
        if (exclusiveLock.isHeldByCurrentThread()) {
            return;
        }
        int[] m = mine.get();
        if (--m[0] == 0) {
            readers.getAndDecrement(m[1]);
        }
    }

    /** Enters exclusively: once no other thread is inside, and keeps them out until {@link #exitExclusive}. */
    void enterExclusive() {
        if (mine.get()[0] > 0) {
            throw new IllegalStateException("a thread inside the gate shared cannot enter it exclusively: it would wait for itself");
        }
        exclusiveLock.lock();
        exclusive = true;
        while (inside() != 0) {
            LockSupport.parkNanos(10_000);
        }
    }

    /** Leaves what {@link #enterExclusive} entered. */
    void exitExclusive() {
        if (exclusiveLock.getHoldCount() == 1) {
            exclusive = false;
        }
        exclusiveLock.unlock();
    }

    private long inside() {
        long sum = 0;
        for (int i = 0; i < STRIPES; i++) {
            sum += readers.get(i * SPACING);
        }
        return sum;
    }
}
