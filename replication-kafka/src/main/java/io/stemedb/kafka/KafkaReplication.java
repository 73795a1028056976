package io.stemedb.kafka;

import io.stemedb.StemeDB;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication of a {@link StemeDB} through an Apache Kafka topic, the log of an enterprise
 * cluster (docs/operations.md, "Enterprise cluster"):
 *
 * <pre>{@code
 * KafkaReplicationSettings settings = KafkaReplicationSettings.builder()
 *         .bootstrapServers("kafka-1:9092,kafka-2:9092").topic("stemedb")
 *         .property("security.protocol", "SSL")          // any Kafka client property
 *         .build();
 * try (KafkaReplication replication = KafkaReplication.start(db, settings)) {
 *     ... // db's writes are published; what every node publishes is merged into db
 * }
 * }</pre>
 *
 * Two daemon threads do the work: a publisher, which sends this replica's own writes from its
 * arrival log (the outbox) and keeps a persisted "published up to" watermark, and a consumer,
 * which reads every partition and merges, storing the offsets in the same atomic commit as what
 * it merged. A commit never waits for Kafka: with the cluster down, writes go on and are
 * published when it returns, none skipped. Failures are logged at WARN, counted in
 * {@link #stats()} and retried with backoff; only {@link #close()} or the database closing stops
 * the threads. While it runs, its figures are also in the database's {@link StemeDB#stats()}
 * (keys {@code kafka.*}) and, bound with {@link KafkaReplicationMetrics}, in Micrometer.
 *
 * <p>Thread-safe: {@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class KafkaReplication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaReplication.class);

    private final StemeDB db;
    private final KafkaReplicationSettings settings;
    private final ReplicationCounters counters = new ReplicationCounters();
    private final Publisher publisher;
    private final Subscriber subscriber;
    private final Thread publisherThread;
    private final Thread subscriberThread;
    private final StemeDB.Registration statsRegistration;
    private volatile boolean closed;

    private KafkaReplication(StemeDB db, KafkaReplicationSettings settings) {
        this.db = db;
        this.settings = settings;
        this.publisher = new Publisher(db, settings, counters);
        this.subscriber = new Subscriber(db, settings, counters);
        this.publisherThread = new Thread(publisher, "stemedb-kafka-publisher-" + settings.topic());
        this.subscriberThread = new Thread(subscriber, "stemedb-kafka-consumer-" + settings.topic());
        publisherThread.setDaemon(true);
        subscriberThread.setDaemon(true);
        this.statsRegistration = db.addStats("kafka", this::figures);
    }

    /**
     * Starts replicating {@code db} through the topic of {@code settings}, creating the topic first
     * if the settings ask for it and it does not exist. Returns at once; the threads connect in
     * the background (an unreachable cluster is retried, not fatal).
     *
     * @throws KafkaReplicationException if the topic must be created and cannot be
     * @throws IllegalStateException if {@code db} already has a Kafka replication running
     */
    public static KafkaReplication start(StemeDB db, KafkaReplicationSettings settings) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(settings, "settings");
        if (settings.createPartitions() > 0) {
            createTopicIfAbsent(settings);
        }
        KafkaReplication r = new KafkaReplication(db, settings);
        r.publisherThread.start();
        r.subscriberThread.start();
        LOG.info("replicating node {} through Kafka topic {} ({})", Long.toHexString(db.nodeId()), settings.topic(),
                settings.kafkaProperties().get("bootstrap.servers"));
        return r;
    }

    private static void createTopicIfAbsent(KafkaReplicationSettings settings) {
        Map<String, Object> props = new HashMap<>(settings.kafkaProperties());
        try (Admin admin = Admin.create(props)) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (names.contains(settings.topic())) {
                return;
            }
            Map<String, String> config = new LinkedHashMap<>(settings.topicConfig());
            config.put("cleanup.policy", "delete");
            NewTopic topic = new NewTopic(settings.topic(), settings.createPartitions(), settings.createReplicationFactor())
                    .configs(config);
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.info("created topic {}: {} partitions, replication factor {}, {}", settings.topic(),
                    settings.createPartitions(), settings.createReplicationFactor(), config);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return;
            }
            throw new KafkaReplicationException("cannot create topic " + settings.topic() + ": " + e.getCause()
                    + "; check bootstrap.servers, the credentials, and that the cluster has at least "
                    + settings.createReplicationFactor() + " brokers", e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaReplicationException("the Kafka cluster at " + settings.kafkaProperties().get("bootstrap.servers")
                    + " did not answer within 30 s while creating topic " + settings.topic() + "; check that it runs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaReplicationException("interrupted while creating topic " + settings.topic(), e);
        }
    }

    /** The settings it runs with. */
    public KafkaReplicationSettings settings() {
        return settings;
    }

    /**
     * What replication has done and how far behind it is.
     *
     * @param published local assertions acknowledged by Kafka since start
     * @param publishFailures publishing rounds that failed (each retried)
     * @param watermark the arrival sequence number up to which every local assertion is acknowledged (persisted)
     * @param publishBacklog arrival-log entries after the watermark: the local writes not yet
     *     acknowledged, and entries merged from others that the publisher has not passed yet
     * @param publishLag the age (by its HLC time) of the oldest local assertion sent and not yet
     *     acknowledged; zero when none is waiting: the window of writes a lost node could take with it
     * @param consumed records read from Kafka since start
     * @param merged assertions those records added (the others were present already)
     * @param refused records refused (not StemeDB records, or bytes that fail their id or validation)
     * @param consumeFailures polls or merges that failed (each retried)
     * @param offsetsOutOfRange partitions whose stored position had been deleted by retention
     * @param consumerLag per partition, records not consumed yet as of the last poll
     * @param lastError the last failure's description, or ""
     */
    public record Stats(long published, long publishFailures, long watermark, long publishBacklog, Duration publishLag,
            long consumed, long merged, long refused, long consumeFailures, long offsetsOutOfRange,
            Map<Integer, Long> consumerLag, String lastError) {
        public Stats {
            consumerLag = Map.copyOf(consumerLag);
        }

        /** The records not consumed yet, all partitions together. */
        public long totalConsumerLag() {
            return consumerLag.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A snapshot of the figures; reads the database's {@link StemeDB#stats()} for its last sequence number. */
    public Stats stats() {
        return snapshot(db.stats().lastSequence());
    }

    private Stats snapshot(long lastSequence) {
        long watermark = counters.watermark.get();
        long oldest = counters.oldestUnacknowledgedMillis.get();
        Duration lag = oldest == 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - oldest));
        return new Stats(counters.published.get(), counters.publishFailures.get(), watermark, Math.max(0, lastSequence - watermark),
                lag, counters.consumed.get(), counters.merged.get(), counters.refused.get(), counters.consumeFailures.get(),
                counters.offsetsOutOfRange.get(), new TreeMap<>(counters.consumerLag), counters.lastError.get());
    }

    /**
     * The figures as {@link StemeDB#stats()} shows them (prefixed {@code kafka.} there), without
     * the backlog, which would need that very stats() call: subtract {@code kafka.watermark}
     * from its last sequence number.
     */
    private Map<String, String> figures() {
        Stats s = snapshot(0);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("topic", settings.topic());
        f.put("published", Long.toString(s.published()));
        f.put("publish-failures", Long.toString(s.publishFailures()));
        f.put("watermark", Long.toString(s.watermark()));
        f.put("publish-lag-ms", Long.toString(s.publishLag().toMillis()));
        f.put("consumed", Long.toString(s.consumed()));
        f.put("merged", Long.toString(s.merged()));
        f.put("refused", Long.toString(s.refused()));
        f.put("consume-failures", Long.toString(s.consumeFailures()));
        f.put("offsets-out-of-range", Long.toString(s.offsetsOutOfRange()));
        s.consumerLag().forEach((p, lag) -> f.put("consumer-lag." + p, Long.toString(lag)));
        f.put("last-error", s.lastError());
        return f;
    }

    /** Hears each partition as the consumer takes it (at once for those it has): for per-partition meters. */
    void onPartition(java.util.function.IntConsumer listener) {
        counters.onPartition(listener);
    }

    ReplicationCounters counters() {
        return counters;
    }

    /** The stored position of {@code partition} (the next offset to read), or empty. */
    public Optional<Long> storedOffset(int partition) {
        String name = Subscriber.checkpointName(settings.topic(), partition);
        return KafkaRecords.position(db.checkpoint(name), name);
    }

    /**
     * Stops both threads (waiting up to 30 s for each: a publishing round in progress is
     * abandoned, and redone from the persisted watermark next time) and closes the Kafka
     * clients. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        publisher.stop();
        subscriber.stop();
        publisherThread.interrupt();
        try {
            publisherThread.join(30_000);
            subscriberThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            statsRegistration.close();
        }
        if (publisherThread.isAlive() || subscriberThread.isAlive()) {
            LOG.warn("Kafka replication threads of topic {} did not stop within 30 s; they are daemons and stop "
                    + "with the process", settings.topic());
        }
    }
}
