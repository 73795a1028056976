package io.stemedb.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaReplicationSettingsTest {

    static KafkaReplicationSettings.Builder valid() {
        return KafkaReplicationSettings.builder().bootstrapServers("127.0.0.1:9092").topic("stemedb");
    }

    @Test
    void badSettingsFailFastNamingWhatToChange() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KafkaReplicationSettings.builder().topic("t").build())
                .getMessage().contains("bootstrap.servers"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> KafkaReplicationSettings.builder().bootstrapServers("h:1").build()).getMessage().contains("topic"));
        assertThrows(IllegalArgumentException.class, () -> valid().topic("bad topic").build());
        assertThrows(IllegalArgumentException.class, () -> valid().topic("x".repeat(250)).build());
        for (String reserved : KafkaReplicationSettings.RESERVED) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> valid().property(reserved, "x").build());
            assertTrue(e.getMessage().contains(reserved), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> valid().createTopic(3, 1, Map.of("cleanup.policy", "compact")).build());
        assertThrows(IllegalArgumentException.class, () -> valid().createTopic(0, 1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> valid().publishBatch(0).build());
        assertThrows(IllegalArgumentException.class, () -> valid().publishInterval(java.time.Duration.ZERO).build());
    }

    @Test
    void kafkaPropertiesPassThroughAndStemeDbSetsTheOnesCorrectnessNeeds() {
        KafkaReplicationSettings s = valid().property("security.protocol", "SSL").property("acks.not", "x")
                .createTopic(6, 3, Map.of("min.insync.replicas", "2")).build();
        assertEquals("SSL", s.kafkaProperties().get("security.protocol"));
        assertEquals(6, s.createPartitions());
        assertEquals(3, s.createReplicationFactor());
        Map<String, Object> producer = Publisher.producerProperties(s);
        assertEquals("all", producer.get("acks"));
        assertEquals("true", producer.get("enable.idempotence"));
        assertEquals("SSL", producer.get("security.protocol"));
        Map<String, Object> consumer = Subscriber.consumerProperties(s);
        assertEquals("false", consumer.get("enable.auto.commit"));
        assertEquals("none", consumer.get("auto.offset.reset"));
        assertTrue(!consumer.containsKey("group.id"));
    }
}
