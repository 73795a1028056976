package io.stemedb.acceptance.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.StemeDB;
import io.stemedb.cli.serve.PilotServer;
import io.stemedb.cli.serve.ServerConfig;
import io.stemedb.kafka.KafkaCluster;
import io.stemedb.kafka.KafkaReplicationSettings;
import io.stemedb.kafka.Replicas;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enterprise cluster's failure test: five StemeDB nodes, each in a JVM of its own, replicate
 * through a real Kafka cluster while all five write; two are killed with SIGKILL during the
 * writes and restarted. Every write a node acknowledged (printed after its commit returned) must
 * be on all five in the end, and all five must hold the same set (equal Merkle roots).
 *
 * <p>With {@code -Dstemedb.kafka.brokers=3} (the {@code kafka-cluster} profile) the cluster has
 * three brokers, the topic replication factor 3 and {@code min.insync.replicas} 2, and one broker
 * is also killed with SIGKILL during the writes and restarted.
 */
class KafkaClusterFailureTest {
    static final int NODES = 5;
    static final int BROKERS = Integer.getInteger("stemedb.kafka.brokers", 1);
    static final long SECONDS = 120;

    @TempDir
    static Path kafkaDir;
    static KafkaCluster kafka;

    @TempDir
    Path dir;

    final Set<AssertionId> acknowledged = new HashSet<>();

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaCluster.start(kafkaDir, BROKERS);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** {@code stemedb serve --kafka-bootstrap ...}: two servers replicate, and /metrics and /v1/stats show it. */
    @Test
    void serveReplicatesThroughKafkaAndReportsIt() throws Exception {
        KafkaReplicationSettings settings = KafkaReplicationSettings.builder().bootstrapServers(kafka.bootstrapServers())
                .topic("serve").createTopic(2, Math.min(BROKERS, 3), java.util.Map.of()).build();
        try (PilotServer one = PilotServer.start(ServerConfig.defaults(dir.resolve("one")).withKafka(settings), System.err);
                PilotServer two = PilotServer.start(ServerConfig.defaults(dir.resolve("two")).withKafka(settings), System.err)) {
            AssertionId id = one.db().assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            while (two.db().get(id).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "server two never received the write of server one");
                Thread.sleep(50);
            }
            while (!get(one, "/metrics").contains("stemedb_kafka_published_total{topic=\"serve\"} 1.0")) {
                assertTrue(System.nanoTime() < deadline, "server one's /metrics:\n" + get(one, "/metrics"));
                Thread.sleep(50);
            }
            String metrics = get(two, "/metrics");
            assertTrue(metrics.contains("stemedb_kafka_merged_total{topic=\"serve\"} 1.0"), metrics);
            assertTrue(metrics.contains("stemedb_kafka_consumer_lag{partition=\"0\",topic=\"serve\"}"), metrics);
            assertTrue(metrics.contains("stemedb_kafka_publish_lag_seconds{topic=\"serve\"}"), metrics);
            String stats = get(two, "/v1/stats");
            assertTrue(stats.contains("\"kafka.merged\":\"1\""), stats);
            assertTrue(two.kafka().isPresent());
        }
    }

    private static String get(PilotServer server, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.url().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void fiveNodesConvergeWithEveryAcknowledgedWriteAfterTwoAreKilledDuringWrites() throws Exception {
        List<ChildJvm> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                nodes.add(start(i));
            }
            for (ChildJvm n : nodes) {
                until(n, "READY");
            }
            Thread.sleep(3_000);
            for (int i : new int[] {1, 3}) {
                nodes.get(i).killHard();
                nodes.get(i).remainingLines().forEach(this::collect);
            }
            if (BROKERS == 3) {
                kafka.kill(2);
            }
            Thread.sleep(2_000);
            for (int i : new int[] {1, 3}) {
                nodes.set(i, start(i));
                until(nodes.get(i), "READY");
            }
            if (BROKERS == 3) {
                kafka.restart(2);
            }
            Thread.sleep(3_000);
            for (ChildJvm n : nodes) {
                n.send("stop");
            }
            for (ChildJvm n : nodes) {
                until(n, "STOPPED");
            }
            awaitEqualRoots(nodes);
            for (ChildJvm n : nodes) {
                n.send("exit");
            }
            for (ChildJvm n : nodes) {
                until(n, "CLOSED");
            }
        } finally {
            nodes.forEach(ChildJvm::close);
        }
        Set<AssertionId> first = null;
        for (int i = 0; i < NODES; i++) {
            try (StemeDB db = StemeDB.open(dir.resolve("node-" + i))) {
                Set<AssertionId> ids = Replicas.ids(db);
                Set<AssertionId> missing = new HashSet<>(acknowledged);
                missing.removeAll(ids);
                assertTrue(missing.isEmpty(), "node " + i + " lacks " + missing.size() + " acknowledged writes, e.g. "
                        + missing.stream().limit(3).toList());
                assertTrue(db.verify().ok(), "node " + i + " verifies");
                if (first == null) {
                    first = ids;
                } else {
                    assertEquals(first, ids, "node " + i + " holds the same set as node 0");
                }
            }
        }
        assertTrue(acknowledged.size() > 100, "the nodes wrote during the test: " + acknowledged.size());
    }

    private ChildJvm start(int i) throws Exception {
        return ChildJvm.start(KafkaNodeChild.class, dir.resolve("node-" + i + ".stderr"), dir.resolve("node-" + i).toString(),
                Long.toHexString(0x100 + i), kafka.bootstrapServers(), "cluster", "6", Integer.toString(Math.min(BROKERS, 3)),
                BROKERS == 3 ? "2" : "1", "10");
    }

    private void collect(String line) {
        if (line.startsWith("ACK ")) {
            acknowledged.add(AssertionId.parse(line.substring(4)));
        }
    }

    /** Reads lines until one that starts with {@code prefix}, collecting acknowledgements on the way. */
    private String until(ChildJvm n, String prefix) throws InterruptedException {
        while (true) {
            String line = n.expectLine(SECONDS);
            if (line.startsWith(prefix)) {
                return line;
            }
            collect(line);
        }
    }

    private void awaitEqualRoots(List<ChildJvm> nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        List<String> roots = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            roots.clear();
            for (ChildJvm n : nodes) {
                n.send("root");
                roots.add(until(n, "ROOT "));
            }
            // ROOT <count> <fingerprint> <backlog>: every backlog 0 and one (count, fingerprint) for all
            boolean drained = roots.stream().allMatch(r -> r.endsWith(" 0"));
            Set<String> distinct = new HashSet<>();
            roots.forEach(r -> distinct.add(r.substring(0, r.lastIndexOf(' '))));
            if (drained && distinct.size() == 1) {
                return;
            }
            Thread.sleep(500);
        }
        fail("the five nodes did not converge within " + SECONDS + " s: " + roots);
    }
}
