package io.stemedb.sync;

import static io.stemedb.sync.SyncFixtures.await;
import static io.stemedb.sync.SyncFixtures.ids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.Replication;
import io.stemedb.StemeDB;
import io.stemedb.merkle.SyncException;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Hlc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Continuous replication: pushes soon after writes, anti-entropy, failures counted and retried, clean close. */
class ReplicationTest {
    static final Duration DEADLINE = Duration.ofSeconds(20);
    static final Duration HOUR = Duration.ofHours(1);

    static List<Thread> replicationThreads() {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("stemedb-replication-") && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }

    /** A transport whose exchanges wait until {@link #open} is counted down. */
    static final class Gate implements SyncTransport {
        final SyncTransport inner;
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);

        Gate(SyncTransport inner) {
            this.inner = inner;
        }

        @Override
        public byte[] exchange(byte[] request) {
            entered.countDown();
            try {
                if (!open.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    throw new SyncException.PeerFailed("the gate stayed shut", null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SyncException.PeerFailed("interrupted", e);
            }
            return inner.exchange(request);
        }
    }

    @Test
    void argumentsAreChecked() {
        try (StemeDB a = StemeDB.builder().nodeId(0x41).inMemory(); StemeDB b = StemeDB.inMemory()) {
            SyncTransport toB = SyncTransport.inProcess(b.syncResponder());
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> a.replicate(List.of(), HOUR));
            assertTrue(none.getMessage().contains("at least one peer"), none.getMessage());
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> a.replicate(List.of(toB), Duration.ZERO));
            assertTrue(zero.getMessage().contains("positive"), zero.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.replicate(List.of(toB), Duration.ofMillis(-5)));
            List<SyncTransport> withNull = new ArrayList<>();
            withNull.add(null);
            assertThrows(IllegalArgumentException.class, () -> a.replicate(withNull, HOUR));
            assertThrows(NullPointerException.class, () -> a.replicate(List.of(toB), null));
            assertTrue(replicationThreads().stream().noneMatch(t -> t.getName().contains(Hlc.nodeHex(0x41))));
        }
        StemeDB closed = StemeDB.inMemory();
        closed.close();
        assertThrows(StemeDB.ClosedException.class, () -> closed.replicate(List.of(r -> r), HOUR));
    }

    @Test
    void aLocalWriteIsPushedSoonWithoutWaitingForTheInterval() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory(); StemeDB b = StemeDB.builder().nodeId(2).inMemory();
                Replication r = a.replicate(List.of(SyncTransport.inProcess(b.syncResponder())), HOUR)) {
            // The first session runs at once.
            await(DEADLINE, () -> r.stats().sessions() >= 1, () -> r.stats().toString());
            long t0 = System.nanoTime();
            AssertionId id = SyncFixtures.write(a, "a", 1);
            await(DEADLINE, () -> b.get(id).isPresent(), () -> r.stats().toString());
            System.out.printf("push latency in process: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            await(DEADLINE, () -> r.stats().maxLag().isZero(), () -> r.stats().toString());
            Replication.Stats s = r.stats();
            assertEquals(2, s.sessions(), s.toString());
            assertEquals(0, s.failures());
            assertEquals(1, s.pushed());
            assertNotNull(s.peers().get(0).lastSuccess());
            assertNull(s.peers().get(0).lastError());
            assertTrue(s.bytesSent() > 0 && s.bytesReceived() > 0 && s.rounds() >= 2);
            // The digest in the stats is a's; b, converged, has the same one.
            assertEquals(1, s.localDigest().count());
            assertArrayEquals(new byte[] {'S', 'T', 'M', 'S', 2, 2, 0},
                    b.syncResponder().respond(SyncFixtures.rootReconcile(s.localDigest())));
        }
    }

    @Test
    void aBurstOfWritesDuringASessionMakesOneMoreSession() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory(); StemeDB b = StemeDB.builder().nodeId(2).inMemory()) {
            Gate gate = new Gate(SyncTransport.inProcess(b.syncResponder()));
            try (Replication r = a.replicate(List.of(gate), HOUR)) {
                // The first session is held in its first exchange while 100 writes happen.
                assertTrue(gate.entered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
                List<AssertionId> written = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    written.add(SyncFixtures.write(a, "burst", i));
                }
                assertFalse(r.stats().maxLag().isNegative());
                assertTrue(r.stats().maxLag().toNanos() > 0, "writes not yet replicated have a lag");
                gate.open.countDown();
                await(DEADLINE, () -> r.stats().maxLag().isZero() && ids(b).size() == 100, () -> r.stats().toString());
                // The held session started before the writes; one push session carried all 100.
                Replication.Stats s = r.stats();
                assertEquals(2, s.sessions(), s.toString());
                assertEquals(100, s.pushed());
                assertEquals(Set.copyOf(written), ids(b));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void antiEntropyBringsWhatThePeerGotElsewhere() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory(); StemeDB b = StemeDB.builder().nodeId(2).inMemory();
                Replication r = a.replicate(List.of(SyncTransport.inProcess(b.syncResponder())), Duration.ofMillis(50))) {
            // Writes on b do not push to a (b does not replicate): a's periodic session fetches them.
            AssertionId id = SyncFixtures.write(b, "b", 1);
            await(DEADLINE, () -> a.get(id).isPresent(), () -> r.stats().toString());
            await(DEADLINE, () -> r.stats().fetched() == 1, () -> r.stats().toString());
            // Merged writes do not count as local writes: no lag.
            assertTrue(r.stats().maxLag().isZero());
        }
    }

    @Test
    void aFailingPeerIsRecordedRetriedAndDoesNotHoldBackTheOthers() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory(); StemeDB b = StemeDB.builder().nodeId(2).inMemory();
                StemeDB c = StemeDB.builder().nodeId(3).inMemory()) {
            AtomicInteger failuresLeft = new AtomicInteger(3);
            SyncTransport toB = SyncTransport.inProcess(b.syncResponder());
            SyncTransport flaky = request -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new SyncException.PeerFailed("injected: connection refused", null);
                }
                return toB.exchange(request);
            };
            SyncTransport dead = SyncFixtures.down("injected: host unreachable");
            SyncTransport toC = SyncTransport.inProcess(c.syncResponder());
            try (Replication r = a.replicate(List.of(flaky, dead, toC), Duration.ofMillis(40))) {
                AssertionId id = SyncFixtures.write(a, "a", 1);
                await(DEADLINE, () -> c.get(id).isPresent(), () -> r.stats().toString());
                await(DEADLINE, () -> b.get(id).isPresent(), () -> r.stats().toString());
                await(DEADLINE, () -> r.stats().peers().get(1).failures() >= 3, () -> r.stats().toString());
                // b holds the claim as soon as its responder merged it, a moment before the session
                // that carried it is recorded as a success
                await(DEADLINE, () -> r.stats().peers().get(0).lastSuccess() != null, () -> r.stats().toString());
                Replication.Stats s = r.stats();
                Replication.PeerStats flakyStats = s.peers().get(0);
                assertEquals(3, flakyStats.failures(), flakyStats.toString());
                assertEquals(0, flakyStats.consecutiveFailures());
                assertTrue(flakyStats.lastError().contains("connection refused"), flakyStats.lastError());
                assertNotNull(flakyStats.lastSuccess());
                assertTrue(flakyStats.lastSuccess().isAfter(flakyStats.lastErrorAt())
                        || flakyStats.lastSuccess().equals(flakyStats.lastErrorAt()));
                Replication.PeerStats deadStats = s.peers().get(1);
                assertEquals(deadStats.failures(), deadStats.sessions());
                assertTrue(deadStats.consecutiveFailures() >= 3);
                assertTrue(deadStats.lastError().contains("host unreachable"), deadStats.lastError());
                assertNull(deadStats.lastSuccess());
                assertTrue(deadStats.lag().toNanos() > 0, "the dead peer lags");
                assertEquals(Duration.ZERO, s.peers().get(2).lag());
                assertEquals(0, s.peers().get(2).failures());
                assertTrue(r.isRunning());
            }
        }
    }

    @Test
    void theBackoffGrowsSoADeadPeerIsNotHammeredEvenByWrites() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory()) {
            List<Long> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
            SyncTransport dead = request -> {
                attempts.add(System.nanoTime());
                throw new SyncException.PeerFailed("down", null);
            };
            try (Replication r = a.replicate(List.of(dead), Duration.ofMillis(10))) {
                // Retries 10, 20, 40, 80, 160, 320 ms after each failure (lower bounds: a slow machine only adds).
                await(DEADLINE, () -> attempts.size() >= 6, () -> r.stats().toString());
                // Writes right after the 6th failure must wait for the 320 ms backoff too.
                for (int i = 0; i < 50; i++) {
                    SyncFixtures.write(a, "w", i);
                }
                // the transport sees the 7th attempt a moment before its failure is recorded
                await(DEADLINE, () -> attempts.size() >= 7 && r.stats().peers().get(0).consecutiveFailures() >= 7,
                        () -> r.stats().toString());
                long[] minimumGapMs = {10, 20, 40, 80, 160, 320};
                for (int k = 0; k < 6; k++) {
                    long gapMs = (attempts.get(k + 1) - attempts.get(k)) / 1_000_000;
                    assertTrue(gapMs >= minimumGapMs[k] - 1, "gap " + k + " was " + gapMs + " ms, expected at least "
                            + minimumGapMs[k]);
                }
                Replication.PeerStats p = r.stats().peers().get(0);
                assertTrue(p.consecutiveFailures() >= 7, p.toString());
                assertEquals(p.failures(), p.sessions());
            }
        }
    }

    @Test
    void closeStopsEveryThreadAndIsIdempotent() {
        try (StemeDB a = StemeDB.builder().nodeId(0x51).inMemory(); StemeDB b = StemeDB.builder().nodeId(0x52).inMemory()) {
            Replication r = a.replicate(List.of(SyncTransport.inProcess(b.syncResponder()), SyncFixtures.down("x")),
                    Duration.ofMillis(20));
            await(DEADLINE, () -> r.stats().sessions() >= 2, () -> r.stats().toString());
            assertEquals(2, replicationThreads().stream().filter(t -> t.getName().contains(Hlc.nodeHex(0x51))).count(),
                    replicationThreads().toString());
            r.close();
            assertFalse(r.isRunning());
            assertTrue(replicationThreads().stream().noneMatch(t -> t.getName().contains(Hlc.nodeHex(0x51))),
                    replicationThreads().toString());
            long sessions = r.stats().sessions();
            SyncFixtures.write(a, "after-close", 1);
            r.close();
            assertEquals(sessions, r.stats().sessions());
        }
    }

    @Test
    void closingTheDatabaseStopsItsReplication() {
        StemeDB a = StemeDB.builder().nodeId(0x61).inMemory();
        try (StemeDB b = StemeDB.builder().nodeId(0x62).inMemory()) {
            // An interval of an hour: the threads must notice the close without waiting for their next session.
            Replication r = a.replicate(List.of(SyncTransport.inProcess(b.syncResponder())), HOUR);
            await(DEADLINE, () -> r.stats().sessions() >= 1, () -> r.stats().toString());
            a.close();
            await(DEADLINE, () -> !r.isRunning(), () -> r.stats().toString());
            assertNull(r.stats().localDigest());
            r.close();
            assertTrue(replicationThreads().stream().noneMatch(t -> t.getName().contains(Hlc.nodeHex(0x61))));
        }
    }

    /**
     * A session that reaches a bound of its SyncLimits ends with a SessionLimit, which replication
     * counts as a failure and backs off from like any other; because a session exchanges what it
     * found before it stops, a replica far behind still catches up, over several sessions.
     */
    @Test
    void aSessionBoundIsCountedAsAFailureBackedOffFromAndCaughtUpOver() {
        SyncLimits bounded = SyncLimits.DEFAULT.withSessionBounds(SyncLimits.DEFAULT_MAX_OPEN_RANGES, 300,
                SyncLimits.DEFAULT_MAX_ROUNDS, SyncLimits.DEFAULT_MAX_SESSION_BYTES, SyncLimits.DEFAULT_MAX_SESSION_TIME);
        try (StemeDB a = StemeDB.builder().nodeId(1).syncLimits(bounded).inMemory();
                StemeDB b = StemeDB.builder().nodeId(2).inMemory()) {
            List<AssertionId> written = SyncFixtures.writeMany(b, "far", 1000);
            try (Replication r = a.replicate(List.of(SyncTransport.inProcess(b.syncResponder())), Duration.ofMillis(50))) {
                await(DEADLINE, () -> ids(a).size() == 1000 && r.stats().peers().get(0).lastSuccess() != null,
                        () -> r.stats().toString());
                Replication.PeerStats p = r.stats().peers().get(0);
                assertTrue(p.failures() >= 1, p.toString());
                assertEquals(0, p.consecutiveFailures(), p.toString());
                assertTrue(p.lastError().contains("SessionLimit") && p.lastError().contains("300 ids"), p.lastError());
            }
            assertEquals(Set.copyOf(written), ids(a));
        }
    }
}
