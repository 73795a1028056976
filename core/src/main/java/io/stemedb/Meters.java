package io.stemedb;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * What {@link StemeDBMetrics} reports: counts and total nanoseconds of writes, reads and merges,
 * and the time of the last backup; nothing here depends on Micrometer. Thread-safe, and no shared
 * counter is a point of contention: {@link LongAdder}s spread concurrent increments over cells of
 * their own.
 *
 * <p>A write or merge pays a {@code System.nanoTime()} pair. A read is counted always and timed
 * one time in {@link #READ_SAMPLE}, drawn at random per read from the reading thread's own
 * generator: a nanoTime pair costs about 50 ns on a virtual machine's clock (kvm-clock), a
 * quarter of a read served from the heap. The reads' total time is estimated from the timed ones.
 */
final class Meters {
    /** Assertions stored by local writes (claims and retractions of successful write calls). */
    final LongAdder written = new LongAdder();
    /** Successful write calls (a claim, a batch, a retraction) and their total time. */
    final LongAdder writeCalls = new LongAdder();
    final LongAdder writeNanos = new LongAdder();
    /** Write calls that failed (invalid input, closed, storage error): nothing stored. */
    final LongAdder writeErrors = new LongAdder();
    /** One read in this many is timed. */
    static final int READ_SAMPLE = 16;
    /** Marks a read that is counted, not timed. */
    static final long NOT_TIMED = Long.MIN_VALUE;
    /** Reads: each (subject, predicate) history loaded, each get by id, each bySource. */
    final LongAdder reads = new LongAdder();
    /** The reads that were timed, and their total time. */
    final LongAdder readsTimed = new LongAdder();
    final LongAdder readNanos = new LongAdder();
    /** Merge calls (sync, archive import, merge, bulk load) and their time, and the assertions they added. */
    final LongAdder merges = new LongAdder();
    final LongAdder mergeNanos = new LongAdder();
    final LongAdder merged = new LongAdder();
    /** Attestations and key registry entries refused on arrival (bad signature, wrong root key, malformed). */
    final LongAdder signaturesRefused = new LongAdder();
    /** Failed backups. */
    final LongAdder backupErrors = new LongAdder();
    /** Epoch milliseconds of the last successful backup by this instance, 0 before the first. */
    volatile long lastBackupMillis;

    private static void add(LongAdder calls, LongAdder nanos, long startNanos) {
        calls.increment();
        nanos.add(System.nanoTime() - startNanos);
    }

    /** A successful write call that began at {@code startNanos} and stored {@code assertions}. */
    void wrote(int assertions, long startNanos) {
        add(writeCalls, writeNanos, startNanos);
        written.add(assertions);
    }

    /** A merge or bulk load that began at {@code startNanos} and added {@code added} assertions. */
    void merged(long added, long startNanos) {
        add(merges, mergeNanos, startNanos);
        merged.add(added);
    }

    /** The start of a read: its {@code System.nanoTime()} if it is one of those timed, else {@link #NOT_TIMED}. */
    static long readStart() {
        return ThreadLocalRandom.current().nextInt(READ_SAMPLE) == 0 ? System.nanoTime() : NOT_TIMED;
    }

    void readDone(long start) {
        reads.increment();
        if (start != NOT_TIMED) {
            add(readsTimed, readNanos, start);
        }
    }

    /** The counters as they are now. */
    Counters snapshot() {
        return new Counters(written.sum(), writeCalls.sum(), writeNanos.sum(), writeErrors.sum(), reads.sum(),
                readNanosEstimate(), merges.sum(), mergeNanos.sum(), merged.sum(), backupErrors.sum(), lastBackupMillis,
                signaturesRefused.sum());
    }

    /** The total time of every read, estimated from those timed: their mean times the reads. */
    double readNanosEstimate() {
        long timed = readsTimed.sum();
        return timed == 0 ? 0 : readNanos.sum() * (reads.sum() / (double) timed);
    }
}
