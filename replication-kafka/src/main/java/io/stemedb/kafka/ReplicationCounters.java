package io.stemedb.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/**
 * What the publisher and the consumer have done, read by {@link KafkaReplication#stats()}.
 * Thread-safe: each figure is written by one of the two threads and read by any.
 */
final class ReplicationCounters {
    final AtomicLong published = new AtomicLong();
    final AtomicLong publishFailures = new AtomicLong();
    /** The arrival sequence up to which every local assertion is acknowledged by Kafka. */
    final AtomicLong watermark = new AtomicLong();
    /** HLC milliseconds of the oldest local assertion handed to Kafka and not yet acknowledged; 0 when none. */
    final AtomicLong oldestUnacknowledgedMillis = new AtomicLong();
    final AtomicLong consumed = new AtomicLong();
    final AtomicLong merged = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong consumeFailures = new AtomicLong();
    final AtomicLong offsetsOutOfRange = new AtomicLong();
    /** Partition -> records not consumed yet, as the consumer last knew. */
    final Map<Integer, Long> consumerLag = new ConcurrentHashMap<>();
    final AtomicReference<String> lastError = new AtomicReference<>("");
    private final List<IntConsumer> partitionListeners = new CopyOnWriteArrayList<>();

    /** Hears each partition the consumer is assigned, at once for those known already. */
    void onPartition(IntConsumer listener) {
        partitionListeners.add(listener);
        consumerLag.keySet().forEach(listener::accept);
    }

    void partitionAssigned(int partition) {
        if (consumerLag.putIfAbsent(partition, 0L) == null) {
            partitionListeners.forEach(l -> l.accept(partition));
        }
    }

    void failed(AtomicLong counter, Exception e) {
        counter.incrementAndGet();
        lastError.set(e.toString());
    }

    /** The wait after a failure that followed a wait of {@code previous} ms (0: none): 100 ms, doubling up to 5 s. */
    static long backoff(long previous) {
        return previous == 0 ? 100 : Math.min(5_000, previous * 2);
    }
}
