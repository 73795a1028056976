package io.stemedb.kafka;

import io.stemedb.StemeDB;
import io.stemedb.model.Change;
import io.stemedb.model.StemeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this replica's own assertions, tailing its arrival log (the outbox) from a persisted
 * watermark. Runs on one thread of its own ({@link #run}); nothing else touches its producer.
 *
 * <p>Each round reads up to a batch of log entries after the watermark, hands the ones this
 * replica stamped (HLC node id = its node id: its local writes) to the idempotent producer
 * ({@code acks=all}), flushes, and checks every send: only when all succeeded does the
 * watermark move past the batch, so the watermark never passes a local assertion that Kafka has
 * not acknowledged, whatever fails when. A failed round is retried from the same watermark with a
 * new producer after a backoff (what was sent twice is merged once: merge is idempotent). Commits
 * never wait for any of this. Entries that came from other replicas are skipped: their author
 * publishes them (docs/operations.md, "Enterprise cluster").
 *
 * <p>The watermark is saved as a checkpoint at most every {@value #SAVE_EVERY_MILLIS} ms while
 * it moves, and as soon as the publisher is idle, so that saving it does not add a synced commit
 * per round; after a crash the publisher resumes from the last saved watermark and publishes again
 * what it published in those last moments, which is harmless (merged once).
 */
final class Publisher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    static final long SAVE_EVERY_MILLIS = 1000;

    private final StemeDB db;
    private final KafkaReplicationSettings settings;
    private final ReplicationCounters counters;
    private final String checkpoint;
    private volatile boolean stopped;

    Publisher(StemeDB db, KafkaReplicationSettings settings, ReplicationCounters counters) {
        this.db = db;
        this.settings = settings;
        this.counters = counters;
        this.checkpoint = checkpointName(settings.topic());
    }

    /** The checkpoint of the published watermark for {@code topic}. */
    static String checkpointName(String topic) {
        return "kafka/" + topic + "/published";
    }

    static Map<String, Object> producerProperties(KafkaReplicationSettings settings) {
        Map<String, Object> p = new HashMap<>();
        // Defaults that keep a dead cluster from blocking a round for minutes; the user's win.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.putAll(settings.kafkaProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        long watermark = KafkaRecords.position(db.checkpoint(checkpoint), checkpoint).orElse(0L);
        counters.watermark.set(watermark);
        long saved = watermark;
        long savedAt = System.nanoTime();
        long backoff = 0;
        Producer<byte[], byte[]> producer = null;
        try {
            while (!stopped) {
                try {
                    List<Change> changes = db.changesSince(watermark, settings.publishBatch());
                    if (changes.isEmpty()) {
                        counters.oldestUnacknowledgedMillis.set(0);
                        if (saved != watermark) {
                            save(watermark);
                            saved = watermark;
                            savedAt = System.nanoTime();
                        }
                        Thread.sleep(settings.publishInterval().toMillis());
                        continue;
                    }
                    if (producer == null) {
                        producer = new KafkaProducer<>(producerProperties(settings));
                    }
                    publish(producer, changes);
                    watermark = changes.get(changes.size() - 1).sequence();
                    counters.watermark.set(watermark);
                    counters.oldestUnacknowledgedMillis.set(0);
                    if (System.nanoTime() - savedAt > TimeUnit.MILLISECONDS.toNanos(SAVE_EVERY_MILLIS)) {
                        save(watermark);
                        saved = watermark;
                        savedAt = System.nanoTime();
                    }
                    backoff = 0;
                } catch (StemeDB.ClosedException e) {
                    LOG.info("the database closed; publishing to {} stops", settings.topic());
                    return;
                } catch (KafkaException | ExecutionException | StemeException e) {
                    if (stopped) {
                        return;
                    }
                    counters.failed(counters.publishFailures, e);
                    backoff = ReplicationCounters.backoff(backoff);
                    LOG.warn("publishing to {} failed ({}); writes go on, and are published from sequence {} once Kafka "
                            + "answers (retry in {} ms)", settings.topic(), e.toString(), watermark + 1, backoff);
                    closeQuietly(producer);
                    producer = null;
                    Thread.sleep(backoff);
                }
            }
        } catch (InterruptedException | InterruptException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (producer != null) {
                // close() stops on an interrupt at once; give the sends in flight their 5 s, then interrupt again.
                boolean interrupted = Thread.interrupted();
                try {
                    producer.close(Duration.ofSeconds(5));
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }

    /** Sends the local assertions of {@code changes} and waits until Kafka acknowledged them all. */
    private void publish(Producer<byte[], byte[]> producer, List<Change> changes)
            throws ExecutionException, InterruptedException {
        long node = db.nodeId();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (Change c : changes) {
            if (c.assertion().hlc().node() != node) {
                continue;
            }
            if (sends.isEmpty()) {
                counters.oldestUnacknowledgedMillis.set(c.assertion().hlc().physicalMillis());
            }
            sends.add(producer.send(KafkaRecords.record(settings.topic(), c.assertion(), db)));
        }
        if (sends.isEmpty()) {
            return;
        }
        producer.flush();
        for (Future<RecordMetadata> f : sends) {
            f.get();
        }
        counters.published.addAndGet(sends.size());
    }

    private void save(long watermark) {
        db.saveCheckpoint(checkpoint, KafkaRecords.position(watermark));
    }

    /** A producer that failed may not close cleanly; its failure is logged, the new one replaces it. */
    private static void closeQuietly(Producer<byte[], byte[]> producer) {
        if (producer == null) {
            return;
        }
        try {
            producer.close(Duration.ZERO);
        } catch (KafkaException e) {
            LOG.warn("closing a failed producer failed too; a new one replaces it", e);
        }
    }
}
