package io.stemedb.acceptance.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.Replication;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas on disk, on loopback HTTP with a shared 32-byte secret, each replicating to the
 * other two every 200 ms and on every write: a write on one shows up on the others; one node is
 * stopped for real (replication, HTTP server and database closed) while the other two keep taking
 * writes, then restarted from its directory; all three converge with nothing lost. Replication
 * lag is measured (write committed on one node until readable on another) and printed.
 */
class ThreeNodeClusterTest {
    static final Duration INTERVAL = Duration.ofMillis(200);
    static final Duration DEADLINE = Duration.ofSeconds(60);
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    final List<ClusterNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(ClusterNode::stop);
    }

    static void await(Duration deadline, BooleanSupplier condition, Supplier<String> what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + what.get());
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static AssertionId write(ClusterNode node, String tag, int n) {
        return node.db.assertion(tag + "-" + n, "value", Value.integer(n)).source(node.name).commit();
    }

    String state() {
        StringBuilder s = new StringBuilder();
        for (ClusterNode n : nodes) {
            s.append('\n').append(n).append(": ");
            if (n.running()) {
                s.append(n.ids().size()).append(" ids; ").append(n.replication == null ? "" : n.replication.stats());
            }
        }
        return s.toString();
    }

    /** Milliseconds from {@code committedAt} until {@code node} can read {@code id}. */
    static double lagMillis(ClusterNode node, AssertionId id, long committedAt) {
        await(DEADLINE, () -> node.db.get(id).isPresent(), () -> node + " never received " + id);
        return (System.nanoTime() - committedAt) / 1e6;
    }

    static String summary(List<Double> lags) {
        List<Double> sorted = new ArrayList<>(lags);
        Collections.sort(sorted);
        return String.format("n=%d, median %.1f ms, p90 %.1f ms, max %.1f ms", sorted.size(), sorted.get(sorted.size() / 2),
                sorted.get((int) Math.min(sorted.size() - 1, Math.round(sorted.size() * 0.9))), sorted.get(sorted.size() - 1));
    }

    void assertConverged(Set<AssertionId> mustHold) {
        ClusterNode first = nodes.get(0);
        await(DEADLINE, () -> {
            Set<AssertionId> ids = first.ids();
            return ids.containsAll(mustHold) && nodes.stream().allMatch(n -> n.ids().equals(ids));
        }, this::state);
        Set<AssertionId> ids = first.ids();
        byte[] fingerprint = first.replication.stats().localDigest().fingerprint();
        for (ClusterNode n : nodes) {
            assertEquals(ids, n.ids(), n.name);
            Replication.Stats stats = n.replication.stats();
            assertEquals(ids.size(), stats.localDigest().count(), n.name);
            assertArrayEquals(fingerprint, stats.localDigest().fingerprint(), n.name + " digest");
            assertTrue(n.db.verify().ok(), n.name);
        }
    }

    @Test
    void threeReplicasOverHttpSurviveTheLossAndReturnOfOne() throws IOException {
        ClusterAuth auth = ClusterAuth.withSecret(SECRET, Clock.systemUTC());
        ClusterNode a = new ClusterNode("a", 0xA1, dir.resolve("a"), auth).start(0);
        nodes.add(a);
        ClusterNode b = new ClusterNode("b", 0xB2, dir.resolve("b"), auth).start(0);
        nodes.add(b);
        ClusterNode c = new ClusterNode("c", 0xC3, dir.resolve("c"), auth).start(0);
        nodes.add(c);
        a.replicateWith(List.of(b, c), INTERVAL);
        b.replicateWith(List.of(a, c), INTERVAL);
        c.replicateWith(List.of(a, b), INTERVAL);
        Set<AssertionId> written = new LinkedHashSet<>();

        // 1. Writes on a show up on b and c: push on write, no waiting for the interval.
        List<Double> lags = new ArrayList<>();
        List<Double> commits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            AssertionId id = write(a, "a", i);
            commits.add((System.nanoTime() - t0) / 1e6);
            written.add(id);
            lags.add(lagMillis(b, id, t0));
            lags.add(lagMillis(c, id, t0));
        }
        // A write on c too, to check below that a stopped node's own data survives.
        AssertionId fromC = write(c, "c", 0);
        written.add(fromC);
        System.out.println("cluster replication lag, write on a -> readable on b and c: " + summary(lags));
        System.out.println("  of which the local commit (fsync) on a: " + summary(commits));
        assertConverged(written);

        // 2. Stop c for real; a and b keep taking writes and replicate between themselves.
        int cPort = c.port();
        c.stop();
        List<Double> lagsWhileDown = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long t0 = System.nanoTime();
            AssertionId onA = write(a, "a-while-c-down", i);
            AssertionId onB = write(b, "b-while-c-down", i);
            written.add(onA);
            written.add(onB);
            lagsWhileDown.add(lagMillis(b, onA, t0));
            lagsWhileDown.add(lagMillis(a, onB, t0));
        }
        System.out.println("cluster replication lag with c down, a <-> b: " + summary(lagsWhileDown));
        // The failures to reach c are counted, with the error, and c's lag grows.
        await(DEADLINE, () -> a.replication.stats().peers().get(1).consecutiveFailures() >= 1, this::state);
        Replication.PeerStats aToC = a.replication.stats().peers().get(1);
        assertNotNull(aToC.lastError());
        assertTrue(aToC.lag().toMillis() > 0, aToC.toString());
        assertEquals(0, a.replication.stats().peers().get(0).consecutiveFailures(), "a to b is fine");
        System.out.println("a's view of c while c is down: " + aToC);
        long aFailuresWhileCDown = a.replication.stats().failures();

        // 3. Restart c from its directory. On the same port if it is free; otherwise on a new one,
        // and a and b are re-pointed.
        try {
            c.start(cPort);
        } catch (BindException e) {
            c.start(0);
            a.replicateWith(List.of(b, c), INTERVAL);
            b.replicateWith(List.of(a, c), INTERVAL);
        }
        assertTrue(c.db.get(fromC).isPresent(), "c kept its own write across the restart");
        long restartedAt = System.nanoTime();
        c.replicateWith(List.of(a, b), INTERVAL);
        await(DEADLINE, () -> c.ids().containsAll(written), this::state);
        System.out.printf("c caught up %d assertions %.1f ms after restarting%n", written.size(),
                (System.nanoTime() - restartedAt) / 1e6);

        // 4. All three converge, nothing lost; a new write on c reaches a and b.
        long t0 = System.nanoTime();
        AssertionId afterRestart = write(c, "c-after-restart", 1);
        written.add(afterRestart);
        List<Double> lagsAfter = List.of(lagMillis(a, afterRestart, t0), lagMillis(b, afterRestart, t0));
        System.out.println("cluster replication lag after the restart, c -> a and b: " + summary(lagsAfter));
        assertConverged(written);
        assertEquals(written, a.ids(), "exactly what was written, on every node");
        // a's sessions with c work again, and every lag returns to zero.
        await(DEADLINE, () -> nodes.stream().allMatch(n -> n.replication.stats().maxLag().isZero()
                && n.replication.stats().peers().stream().allMatch(p -> p.consecutiveFailures() == 0)), this::state);
        for (ClusterNode n : nodes) {
            Replication.Stats s = n.replication.stats();
            System.out.printf("%s: %d sessions, %d failures, %d rounds, %,d B sent, %,d B received, %d fetched, %d pushed%n",
                    n.name, s.sessions(), s.failures(), s.rounds(), s.bytesSent(), s.bytesReceived(), s.fetched(), s.pushed());
        }
        assertTrue(aFailuresWhileCDown >= 1, "a saw c down");
    }
}
