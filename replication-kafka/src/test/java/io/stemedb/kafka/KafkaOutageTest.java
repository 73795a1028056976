package io.stemedb.kafka;

import static io.stemedb.kafka.Replicas.await;
import static io.stemedb.kafka.Replicas.ids;
import static io.stemedb.kafka.Replicas.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka entirely down for a while (its one broker killed with SIGKILL), then back: writes go on
 * meanwhile, the publish backlog grows and then drains, and nothing acknowledged is lost.
 */
class KafkaOutageTest {
    static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void writesGoOnWhileKafkaIsDownAndArePublishedWhenItReturns() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(dir.resolve("kafka"), 1);
                StemeDB a = StemeDB.builder().nodeId(0xA).open(dir.resolve("a"));
                StemeDB b = StemeDB.builder().nodeId(0xB).open(dir.resolve("b"))) {
            KafkaReplicationSettings s = KafkaReplicationSettings.builder().bootstrapServers(kafka.bootstrapServers())
                    .topic("outage").createTopic(3, 1, Map.of()).build();
            try (KafkaReplication ra = KafkaReplication.start(a, s); KafkaReplication rb = KafkaReplication.start(b, s)) {
                Set<AssertionId> acknowledged = new HashSet<>();
                for (int i = 0; i < 50; i++) {
                    acknowledged.add(a.assertion("before", "p" + i, Value.integer(i)).source("a").commit());
                }
                await(DEADLINE, () -> ids(b).containsAll(acknowledged), () -> rb.stats().toString());

                kafka.kill(1);
                for (int i = 0; i < 300; i++) {
                    acknowledged.add(a.assertion("during", "p" + i, Value.integer(i)).source("a").commit());
                    acknowledged.add(b.assertion("during-b", "p" + i, Value.integer(i)).source("b").commit());
                }
                await(DEADLINE, () -> ra.stats().publishLag().toMillis() > 0 || ra.stats().publishFailures() > 0,
                        () -> ra.stats().toString());
                assertTrue(ra.stats().publishBacklog() > 0, "the writes made while Kafka is down wait: " + ra.stats());

                kafka.restart(1);
                await(DEADLINE, () -> ids(a).containsAll(acknowledged) && ids(b).containsAll(acknowledged),
                        () -> "a " + ids(a).size() + ", b " + ids(b).size() + " of " + acknowledged.size() + "; "
                                + ra.stats() + " " + rb.stats());
                await(DEADLINE, () -> ra.stats().publishBacklog() == 0 && rb.stats().publishBacklog() == 0,
                        () -> ra.stats() + " " + rb.stats());
                assertEquals(root(a), root(b));
                assertEquals(Duration.ZERO, ra.stats().publishLag());
                assertEquals(350, ra.stats().published(), "a's 350 writes, each acknowledged once: " + ra.stats());
            }
        }
    }
}
