package io.stemedb.kafka;

import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.StemeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes every partition of the topic and merges what it reads. Runs on one thread of its own
 * ({@link #run}); nothing else touches its consumer but {@link #stop()} (which calls
 * {@code wakeup}, the one thread-safe consumer method).
 *
 * <p>It assigns itself every partition rather than joining a consumer group: each node must read
 * everything (a group would share the partitions out), and with no group there is no rebalance
 * to pause consumption when a node joins or dies, and no committed offsets in Kafka to disagree
 * with the database. The offsets live in the database instead, one checkpoint per partition
 * ({@code kafka/<topic>/<partition>}: the next offset to read), stored by the same atomic commit
 * as the assertions merged from the records before it. After a restart it seeks to them, so
 * nothing merged is lost and nothing unmerged is skipped; records read twice merge as
 * duplicates.
 *
 * <p>A partition with no checkpoint starts at its beginning. A checkpoint below the partition's
 * start (retention deleted records this node never read) is reported (WARN, counted in
 * {@link KafkaReplication.Stats#offsetsOutOfRange()}) and the partition restarts at its
 * beginning: what was deleted must come from a peer by Merkle sync, the documented bootstrap.
 * A record that is not a StemeDB record, or whose bytes do not hash to its id or do not decode,
 * is counted as refused, logged, and skipped (its offset is passed).
 */
final class Subscriber implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);
    private static final long PARTITION_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final StemeDB db;
    private final KafkaReplicationSettings settings;
    private final ReplicationCounters counters;
    private volatile boolean stopped;
    private volatile Consumer<byte[], byte[]> consumer;

    Subscriber(StemeDB db, KafkaReplicationSettings settings, ReplicationCounters counters) {
        this.db = db;
        this.settings = settings;
        this.counters = counters;
    }

    /** The checkpoint of the next offset to read in {@code partition}. */
    static String checkpointName(String topic, int partition) {
        return "kafka/" + topic + "/" + partition;
    }

    static Map<String, Object> consumerProperties(KafkaReplicationSettings settings) {
        Map<String, Object> p = new HashMap<>();
        // Kafka's defaults (answer a fetch as soon as one byte is there) make every node fetch
        // once per arriving record: at 1,000 writes/s with five nodes that kept a 2-CPU machine
        // saturated. Waiting up to 20 ms for 64 KiB cuts the fetches to a few dozen a second
        // per node and lowered p99 lag (docs/benchmarks.md, "Replication through Kafka"); the user's win.
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        p.putAll(settings.kafkaProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // No reset: a position below the log start must be seen (OffsetOutOfRangeException), not papered over.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    void stop() {
        stopped = true;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        long backoff = 0;
        try (Consumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties(settings))) {
            consumer = c;
            long refreshedAt = System.nanoTime() - PARTITION_REFRESH_NANOS;
            while (!stopped) {
                try {
                    if (System.nanoTime() - refreshedAt >= PARTITION_REFRESH_NANOS || c.assignment().isEmpty()) {
                        assignNew(c);
                        refreshedAt = System.nanoTime();
                        if (c.assignment().isEmpty()) {
                            Thread.sleep(settings.pollTimeout().toMillis());
                            continue;
                        }
                    }
                    ConsumerRecords<byte[], byte[]> records = c.poll(settings.pollTimeout());
                    if (!records.isEmpty()) {
                        merge(records);
                    }
                    for (TopicPartition tp : c.assignment()) {
                        c.currentLag(tp).ifPresent(lag -> counters.consumerLag.put(tp.partition(), lag));
                    }
                    backoff = 0;
                } catch (OffsetOutOfRangeException e) {
                    for (TopicPartition tp : e.partitions()) {
                        counters.failed(counters.offsetsOutOfRange, e);
                        LOG.warn("the stored position {} of {} is below the partition's start: retention deleted records "
                                + "this node never merged. Reading it from its start; run a Merkle sync with a peer "
                                + "(stemedb sync, or serve --peer) to bring what was deleted", e.offsetOutOfRangePartitions().get(tp), tp);
                        c.seekToBeginning(List.of(tp));
                    }
                } catch (WakeupException e) {
                    if (!stopped) {
                        throw e;
                    }
                } catch (StemeDB.ClosedException e) {
                    LOG.info("the database closed; consuming {} stops", settings.topic());
                    return;
                } catch (StemeException e) {
                    // The merge failed (a full disk, for example) after the poll moved past its records.
                    counters.failed(counters.consumeFailures, e);
                    backoff = ReplicationCounters.backoff(backoff);
                    LOG.error("merging records of {} failed; reading them again from the stored positions in {} ms",
                            settings.topic(), backoff, e);
                    Thread.sleep(backoff);
                    rewind(c);
                } catch (KafkaException e) {
                    counters.failed(counters.consumeFailures, e);
                    backoff = ReplicationCounters.backoff(backoff);
                    LOG.warn("consuming {} failed ({}); retrying in {} ms", settings.topic(), e.toString(), backoff);
                    Thread.sleep(backoff);
                }
            }
        } catch (InterruptedException | InterruptException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer = null;
        }
    }

    /** Puts every assigned partition back at its stored position, or its beginning. */
    private void rewind(Consumer<byte[], byte[]> c) {
        for (TopicPartition tp : c.assignment()) {
            seekStored(c, tp);
        }
    }

    private Optional<Long> seekStored(Consumer<byte[], byte[]> c, TopicPartition tp) {
        String name = checkpointName(settings.topic(), tp.partition());
        Optional<Long> stored = KafkaRecords.position(db.checkpoint(name), name);
        if (stored.isPresent()) {
            c.seek(tp, stored.get());
        } else {
            c.seekToBeginning(List.of(tp));
        }
        return stored;
    }

    /** Assigns the partitions not assigned yet, each at its stored position or its beginning. */
    private void assignNew(Consumer<byte[], byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(settings.topic(), Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            LOG.warn("the topic {} has no partitions yet (does it exist?); waiting for it", settings.topic());
            return;
        }
        List<TopicPartition> all = new ArrayList<>(c.assignment());
        List<TopicPartition> added = new ArrayList<>();
        for (PartitionInfo info : infos) {
            TopicPartition tp = new TopicPartition(info.topic(), info.partition());
            if (!all.contains(tp)) {
                all.add(tp);
                added.add(tp);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        c.assign(all);
        for (TopicPartition tp : added) {
            Optional<Long> stored = seekStored(c, tp);
            counters.partitionAssigned(tp.partition());
            LOG.info("consuming {} from {}", tp, stored.map(o -> "offset " + o).orElse("its beginning"));
        }
    }

    /** Merges one poll's records, storing each partition's next offset in the same commit. */
    private void merge(ConsumerRecords<byte[], byte[]> records) {
        List<EncodedAssertion> batch = new ArrayList<>(records.count());
        Map<String, byte[]> positions = new LinkedHashMap<>();
        int bad = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                batch.add(KafkaRecords.decode(r));
            } catch (KafkaRecords.BadRecordException e) {
                bad++;
                counters.lastError.set(e.getMessage());
                LOG.warn(e.getMessage());
            }
            positions.put(checkpointName(r.topic(), r.partition()), KafkaRecords.position(r.offset() + 1));
        }
        MergeResult result = db.mergeEncoded(batch, positions);
        counters.consumed.addAndGet(records.count());
        counters.merged.addAndGet(result.added());
        counters.refused.addAndGet(bad + result.rejected().size());
        if (!result.rejected().isEmpty()) {
            counters.lastError.set("refused " + result.rejected().get(0).id() + ": " + result.rejected().get(0).reason());
        }
    }
}
