package io.stemedb.kafka;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a database replicates through Kafka: the topic, Kafka's own client properties (bootstrap
 * servers, TLS, SASL... passed through to the producer, the consumer and the admin client as
 * given) and a few settings of the replication itself. Immutable; build one with {@link #builder()},
 * which refuses a bad combination at once, naming what to change.
 *
 * <p>The properties that make replication correct are set by StemeDB and may not be given:
 * serializers and deserializers, {@code acks} (always {@code all}), {@code enable.idempotence}
 * (always true), {@code group.id} and {@code enable.auto.commit} (the consumer assigns itself every
 * partition and keeps its offsets in the database), {@code auto.offset.reset} (StemeDB decides).
 */
public final class KafkaReplicationSettings {
    /** The properties StemeDB sets itself; giving one is a mistake that {@link Builder#build()} reports. */
    static final Set<String> RESERVED = Set.of("key.serializer", "value.serializer", "key.deserializer",
            "value.deserializer", "acks", "enable.idempotence", "group.id", "group.instance.id",
            "enable.auto.commit", "auto.offset.reset", "transactional.id");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final String topic;
    private final Map<String, String> kafka;
    private final int publishBatch;
    private final Duration publishInterval;
    private final Duration pollTimeout;
    private final int createPartitions;
    private final short createReplicationFactor;
    private final Map<String, String> topicConfig;

    private KafkaReplicationSettings(Builder b) {
        this.topic = b.topic;
        this.kafka = Collections.unmodifiableMap(new LinkedHashMap<>(b.kafka));
        this.publishBatch = b.publishBatch;
        this.publishInterval = b.publishInterval;
        this.pollTimeout = b.pollTimeout;
        this.createPartitions = b.createPartitions;
        this.createReplicationFactor = b.createReplicationFactor;
        this.topicConfig = Collections.unmodifiableMap(new LinkedHashMap<>(b.topicConfig));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The topic every node publishes to and consumes from. */
    public String topic() {
        return topic;
    }

    /** Kafka client properties as given (bootstrap servers included). */
    public Map<String, String> kafkaProperties() {
        return kafka;
    }

    /** The most local assertions the publisher hands to the producer before it waits for their acknowledgements. */
    public int publishBatch() {
        return publishBatch;
    }

    /** How often the publisher looks at the arrival log when it has nothing left to send. */
    public Duration publishInterval() {
        return publishInterval;
    }

    /** How long one consumer poll waits for records. */
    public Duration pollTimeout() {
        return pollTimeout;
    }

    /** Partitions of the topic to create when it does not exist; 0: never create it (an operator does). */
    public int createPartitions() {
        return createPartitions;
    }

    /** Replication factor of a topic created by StemeDB. */
    public short createReplicationFactor() {
        return createReplicationFactor;
    }

    /** Topic configuration of a topic created by StemeDB ({@code min.insync.replicas}, {@code retention.ms}...). */
    public Map<String, String> topicConfig() {
        return topicConfig;
    }

    /** Builds {@link KafkaReplicationSettings}; belongs to one thread. */
    public static final class Builder {
        private String topic;
        private final Map<String, String> kafka = new LinkedHashMap<>();
        private int publishBatch = 1_000;
        private Duration publishInterval = Duration.ofMillis(10);
        private Duration pollTimeout = Duration.ofMillis(200);
        private int createPartitions;
        private short createReplicationFactor = 1;
        private final Map<String, String> topicConfig = new LinkedHashMap<>();

        private Builder() {
        }

        /** The topic's name (Kafka's rule: 1..249 of letters, digits, '.', '_', '-'). */
        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Kafka's {@code bootstrap.servers}: host:port[,host:port...]. */
        public Builder bootstrapServers(String servers) {
            return property("bootstrap.servers", servers);
        }

        /** One Kafka client property, passed through (TLS: {@code security.protocol}, {@code ssl.*}; SASL: {@code sasl.*}). */
        public Builder property(String name, String value) {
            kafka.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Several Kafka client properties, passed through. */
        public Builder properties(Map<String, String> properties) {
            properties.forEach(this::property);
            return this;
        }

        /** See {@link KafkaReplicationSettings#publishBatch()}; default 1,000. */
        public Builder publishBatch(int records) {
            this.publishBatch = records;
            return this;
        }

        /** See {@link KafkaReplicationSettings#publishInterval()}; default 10 ms. */
        public Builder publishInterval(Duration interval) {
            this.publishInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** See {@link KafkaReplicationSettings#pollTimeout()}; default 200 ms. */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Creates the topic on start when it does not exist, with {@code partitions}, replication
         * factor {@code replicationFactor}, and {@code config} (for example
         * {@code min.insync.replicas=2}); {@code cleanup.policy} is always {@code delete}.
         */
        public Builder createTopic(int partitions, int replicationFactor, Map<String, String> config) {
            if (partitions < 1 || replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("a topic needs at least one partition and a replication factor of at least 1, got "
                        + partitions + " partitions and replication factor " + replicationFactor);
            }
            this.createPartitions = partitions;
            this.createReplicationFactor = (short) replicationFactor;
            this.topicConfig.clear();
            this.topicConfig.putAll(config);
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the problem: no topic or a bad one, no
         *     {@code bootstrap.servers}, a property StemeDB sets itself, a compacted topic, or a
         *     batch, interval or timeout out of range
         */
        public KafkaReplicationSettings build() {
            if (topic == null || !TOPIC.matcher(topic).matches()) {
                throw new IllegalArgumentException("set a topic of 1..249 letters, digits, '.', '_' or '-' (got " + topic + ")");
            }
            String servers = kafka.get("bootstrap.servers");
            if (servers == null || servers.isBlank()) {
                throw new IllegalArgumentException("set bootstrap.servers (host:port of at least one broker)");
            }
            for (String name : kafka.keySet()) {
                if (RESERVED.contains(name)) {
                    throw new IllegalArgumentException("the Kafka property " + name + " is set by StemeDB (replication "
                            + "depends on it); remove it");
                }
            }
            if ("compact".equals(topicConfig.get("cleanup.policy")) || "compact,delete".equals(topicConfig.get("cleanup.policy"))) {
                throw new IllegalArgumentException("a compacted topic would drop assertions of the same fact: leave cleanup.policy "
                        + "at delete (the default)");
            }
            if (publishBatch < 1 || publishBatch > 100_000) {
                throw new IllegalArgumentException("publishBatch must be in 1..100000, got " + publishBatch);
            }
            if (publishInterval.isNegative() || publishInterval.isZero() || pollTimeout.isNegative() || pollTimeout.isZero()) {
                throw new IllegalArgumentException("publishInterval and pollTimeout must be positive");
            }
            return new KafkaReplicationSettings(this);
        }
    }
}
