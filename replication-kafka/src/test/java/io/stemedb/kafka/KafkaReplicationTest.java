package io.stemedb.kafka;

import static io.stemedb.kafka.Replicas.await;
import static io.stemedb.kafka.Replicas.ids;
import static io.stemedb.kafka.Replicas.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication between databases through one real Kafka broker (KRaft, its own JVM), started once
 * for the class; each test has a topic of its own.
 */
class KafkaReplicationTest {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path kafkaDir;
    static KafkaCluster kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaCluster.start(kafkaDir, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static KafkaReplicationSettings settings(String topic) {
        return KafkaReplicationSettings.builder().bootstrapServers(kafka.bootstrapServers()).topic(topic)
                .createTopic(3, 1, Map.of()).build();
    }

    StemeDB open(String name, long node) {
        return StemeDB.builder().nodeId(node).open(dir.resolve(name));
    }

    static Set<AssertionId> write(StemeDB db, String prefix, int count) {
        Set<AssertionId> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(db.assertion(prefix + (i % 17), "p" + (i % 5), Value.integer(i)).source(prefix).commit());
        }
        return ids;
    }

    @Test
    void twoDatabasesConvergeThroughTheTopic() throws Exception {
        try (StemeDB a = open("a", 0xA); StemeDB b = open("b", 0xB);
                KafkaReplication ra = KafkaReplication.start(a, settings("converge"));
                KafkaReplication rb = KafkaReplication.start(b, settings("converge"))) {
            Set<AssertionId> fromA = write(a, "a", 300);
            Set<AssertionId> written = new HashSet<>(fromA);
            written.addAll(write(b, "b", 300));
            written.add(a.retract(fromA.iterator().next(), "auditor"));

            await(DEADLINE, () -> ids(a).containsAll(written) && ids(b).containsAll(written),
                    () -> "a " + ids(a).size() + ", b " + ids(b).size() + " of " + written.size() + "; " + ra.stats() + " " + rb.stats());
            assertEquals(root(a), root(b), "equal Merkle roots");
            await(DEADLINE, () -> ra.stats().publishBacklog() == 0 && rb.stats().publishBacklog() == 0,
                    () -> ra.stats() + " " + rb.stats());
            KafkaReplication.Stats sa = ra.stats();
            assertEquals(301, sa.published(), "a published exactly its own writes, the retraction included");
            assertEquals(300, sa.merged(), "a merged exactly b's writes");
            assertEquals(0, sa.refused());
            assertEquals(Duration.ZERO, sa.publishLag());
            assertEquals(3, sa.consumerLag().size(), "one lag per partition");
            assertTrue(a.verify().ok() && b.verify().ok());

            Map<String, String> ext = a.stats().extensions();
            assertEquals("converge", ext.get("kafka.topic"));
            assertEquals(Long.toString(sa.published()), ext.get("kafka.published"));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new KafkaReplicationMetrics(ra).bindTo(registry);
            assertEquals(sa.published(), registry.get("stemedb.kafka.published").functionCounter().count());
            assertEquals(3, registry.get("stemedb.kafka.consumer.lag").gauges().size());
        }
    }

    @Test
    void aRestartedNodeResumesFromItsStoredOffsets() throws Exception {
        KafkaReplicationSettings s = settings("resume");
        try (StemeDB a = open("a", 0xA); KafkaReplication ra = KafkaReplication.start(a, s)) {
            Set<AssertionId> before = write(a, "a", 200);
            try (StemeDB b = open("b", 0xB); KafkaReplication rb = KafkaReplication.start(b, s)) {
                await(DEADLINE, () -> ids(b).containsAll(before), () -> rb.stats().toString());
            }
            Set<AssertionId> after = write(a, "later", 150);
            await(DEADLINE, () -> ra.stats().publishBacklog() == 0, () -> ra.stats().toString());
            try (StemeDB b = open("b", 0xB); KafkaReplication rb = KafkaReplication.start(b, s)) {
                long stored = rb.storedOffset(0).orElse(0L) + rb.storedOffset(1).orElse(0L) + rb.storedOffset(2).orElse(0L);
                assertEquals(200, stored, "the offsets stored with the merges cover the 200 records merged");
                await(DEADLINE, () -> ids(b).containsAll(after), () -> rb.stats().toString());
                assertEquals(150, rb.stats().consumed(), "after the restart only the records not merged before are read");
                assertEquals(root(a), root(b));
            }
        }
    }

    @Test
    void aBadRecordIsCountedAndSkipped() throws Exception {
        KafkaReplicationSettings s = KafkaReplicationSettings.builder().bootstrapServers(kafka.bootstrapServers())
                .topic("bad").createTopic(1, 1, Map.of()).build();
        try (StemeDB b = open("b", 0xB); KafkaReplication rb = KafkaReplication.start(b, s)) {
            Claim good = Claim.builder("x", "p", Value.text("ok")).source("s").hlc(Hlc.of(System.currentTimeMillis(), 0, 0xC)).build();
            Claim other = Claim.builder("x", "p", Value.text("other")).source("s").hlc(Hlc.of(System.currentTimeMillis(), 0, 0xC)).build();
            byte[] flipped = good.canonicalBytes();
            flipped[flipped.length - 1] ^= 1;
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(),
                    "key.serializer", ByteArraySerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName()))) {
                p.send(new ProducerRecord<>("bad", "not stemedb".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                ProducerRecord<byte[], byte[]> damaged = KafkaRecords.record("bad", good, b);
                p.send(new ProducerRecord<>("bad", null, damaged.key(), flipped, damaged.headers())).get(30, TimeUnit.SECONDS);
                ProducerRecord<byte[], byte[]> wrongId = KafkaRecords.record("bad", good, b);
                p.send(new ProducerRecord<>("bad", null, wrongId.key(), other.canonicalBytes(), wrongId.headers())).get(30, TimeUnit.SECONDS);
                p.send(KafkaRecords.record("bad", good, b)).get(30, TimeUnit.SECONDS);
            }
            await(DEADLINE, () -> b.get(good.id()).isPresent(), () -> rb.stats().toString());
            KafkaReplication.Stats st = rb.stats();
            assertEquals(3, st.refused(), st.toString());
            assertEquals(1, st.merged());
            assertEquals(1, b.stats().assertions(), "nothing of the bad records was stored");
            assertFalse(b.get(other.id()).isPresent());
            assertEquals(4L, rb.storedOffset(0).orElseThrow(), "the bad records' offsets were passed");
        }
    }

    /**
     * A node away for longer than the topic's retention finds its stored position deleted: it
     * reports it, reads the partition from its start, and a Merkle sync with a peer brings what
     * retention deleted.
     */
    @Test
    void aNodeAwayLongerThanRetentionBootstrapsThroughMerkleSync() throws Exception {
        KafkaReplicationSettings s = KafkaReplicationSettings.builder().bootstrapServers(kafka.bootstrapServers())
                .topic("retention").createTopic(1, 1, Map.of("retention.ms", "2000", "segment.ms", "1000")).build();
        try (StemeDB a = open("a", 0xA); KafkaReplication ra = KafkaReplication.start(a, s)) {
            Set<AssertionId> first = write(a, "first", 50);
            try (StemeDB b = open("b", 0xB); KafkaReplication rb = KafkaReplication.start(b, s)) {
                await(DEADLINE, () -> ids(b).containsAll(first), () -> rb.stats().toString());
            }
            long stored;
            try (StemeDB b = open("b", 0xB)) {
                stored = KafkaRecords.position(b.checkpoint(Subscriber.checkpointName("retention", 0)), "p0").orElseThrow();
            }
            Set<AssertionId> missed = write(a, "missed", 50);
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
                org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("retention", 0);
                await(Duration.ofSeconds(90), () -> {
                    // New writes roll segments, so that the old ones can be deleted.
                    write(a, "rolling", 1);
                    try {
                        long start = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest()))
                                .partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
                        return start > stored + 50;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }, () -> "retention did not delete the records after offset " + stored);
            }
            try (StemeDB b = open("b", 0xB); KafkaReplication rb = KafkaReplication.start(b, s)) {
                await(DEADLINE, () -> rb.stats().offsetsOutOfRange() >= 1, () -> rb.stats().toString());
                assertFalse(ids(b).containsAll(missed), "what retention deleted cannot come from Kafka");
                b.syncWith(a);
                assertTrue(ids(b).containsAll(missed));
                await(DEADLINE, () -> ra.stats().publishBacklog() == 0 && ids(b).containsAll(ids(a)),
                        () -> ra.stats() + " " + rb.stats());
                assertEquals(root(a), root(b));
            }
        }
    }
}
