package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The gate that keeps the native database open while calls use it, with real threads. */
class ReadGateTest {
    private final ReadGate gate = new ReadGate();

    @Test
    void anExclusivePassWaitsForASharedPassInAnotherThreadToLeave() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            gate.enterShared();
            try {
                inside.countDown();
                await(leave);
            } finally {
                gate.exitShared();
            }
        });
        reader.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        AtomicBoolean entered = new AtomicBoolean();
        Thread closer = new Thread(() -> {
            gate.enterExclusive();
            entered.set(true);
            gate.exitExclusive();
        });
        closer.start();
        closer.join(200);
        assertFalse(entered.get(), "the exclusive pass went in while a shared one was inside");
        leave.countDown();
        closer.join(10_000);
        assertTrue(entered.get());
        reader.join(10_000);
    }

    @Test
    void sharedPassesWaitWhileAnotherThreadIsInsideExclusively() throws Exception {
        gate.enterExclusive();
        assertAReaderWaitsUntilTheExclusivePassLeaves("a shared pass went in while the exclusive one was inside");
    }

    /** Starts a thread that passes shared, checks it stays out, then leaves the exclusive pass this thread holds and checks it gets in. */
    private void assertAReaderWaitsUntilTheExclusivePassLeaves(String whyNot) throws InterruptedException {
        AtomicBoolean entered = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            gate.enterShared();
            entered.set(true);
            gate.exitShared();
        });
        reader.start();
        reader.join(200);
        assertFalse(entered.get(), whyNot);
        gate.exitExclusive();
        reader.join(10_000);
        assertTrue(entered.get());
    }

    @Test
    void passesNestInOneThread() throws Exception {
        gate.enterShared();
        gate.enterShared();
        gate.exitShared();
        gate.exitShared();
        gate.enterExclusive();
        gate.enterShared();
        gate.exitShared();
        gate.enterExclusive();
        gate.exitExclusive();
        // still exclusive after the nested exit: another thread's shared pass must wait
        assertAReaderWaitsUntilTheExclusivePassLeaves("the nested exclusive exit opened the gate");
        gate.enterShared();
        assertThrows(IllegalStateException.class, gate::enterExclusive, "a shared pass cannot turn exclusive: it would wait for itself");
        gate.exitShared();
        gate.enterExclusive();
        gate.exitExclusive();
    }

    /**
     * Readers on many threads (more than the stripes, so some share one) against repeated exclusive
     * passes: no shared pass is ever inside at the same time as an exclusive one, and every pass ends.
     */
    @Test
    void noSharedPassOverlapsAnExclusiveOneUnderContention() throws Exception {
        AtomicInteger exclusiveInside = new AtomicInteger();
        AtomicLong overlaps = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < ReadGate.STRIPES + 4; t++) {
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    gate.enterShared();
                    try {
                        if (exclusiveInside.get() != 0) {
                            overlaps.incrementAndGet();
                        }
                        reads.incrementAndGet();
                    } finally {
                        gate.exitShared();
                    }
                }
            });
            readers.add(reader);
            reader.start();
        }
        for (int i = 0; i < 2_000; i++) {
            gate.enterExclusive();
            exclusiveInside.incrementAndGet();
            Thread.onSpinWait();
            exclusiveInside.decrementAndGet();
            gate.exitExclusive();
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join(10_000);
            assertFalse(reader.isAlive(), "a reader never got through the gate");
        }
        assertEquals(0, overlaps.get(), "shared passes inside while an exclusive one was");
        assertTrue(reads.get() > 0);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
