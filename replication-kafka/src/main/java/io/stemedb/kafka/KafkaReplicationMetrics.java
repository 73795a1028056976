package io.stemedb.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of a {@link KafkaReplication}, beside those of
 * {@link io.stemedb.StemeDBMetrics} (tag {@code topic} on each):
 *
 * <table>
 *   <caption>Meters (Prometheus names in parentheses)</caption>
 *   <tr><th>meter</th><th>type</th><th>what</th></tr>
 *   <tr><td>stemedb.kafka.published ({@code stemedb_kafka_published_total})</td><td>counter</td><td>local assertions acknowledged by Kafka</td></tr>
 *   <tr><td>stemedb.kafka.publish.failures</td><td>counter</td><td>failed publishing rounds (retried)</td></tr>
 *   <tr><td>stemedb.kafka.publish.backlog</td><td>gauge</td><td>arrival-log entries after the published watermark</td></tr>
 *   <tr><td>stemedb.kafka.publish.lag ({@code stemedb_kafka_publish_lag_seconds})</td><td>gauge</td><td>age of the oldest local assertion sent and not yet acknowledged; 0 when none waits</td></tr>
 *   <tr><td>stemedb.kafka.consumed, .merged, .refused</td><td>counter</td><td>records read; assertions they added; records refused</td></tr>
 *   <tr><td>stemedb.kafka.consume.failures, .offsets.out.of.range</td><td>counter</td><td>failed polls or merges; positions lost to retention</td></tr>
 *   <tr><td>stemedb.kafka.consumer.lag (tag {@code partition})</td><td>gauge</td><td>records of the partition not consumed yet</td></tr>
 * </table>
 *
 * Bind it once; partitions the consumer takes later get their gauge when it takes them.
 * Thread-safe as the replication is.
 */
public final class KafkaReplicationMetrics implements MeterBinder {
    private final KafkaReplication replication;
    private final Tags tags;

    public KafkaReplicationMetrics(KafkaReplication replication) {
        this(replication, Tags.empty());
    }

    /** Meters each with {@code tags} as well as {@code topic}. */
    public KafkaReplicationMetrics(KafkaReplication replication, Iterable<Tag> tags) {
        this.replication = Objects.requireNonNull(replication, "replication");
        this.tags = Tags.of(tags).and("topic", replication.settings().topic());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ReplicationCounters c = replication.counters();
        counter(registry, "stemedb.kafka.published", c.published, "local assertions acknowledged by Kafka");
        counter(registry, "stemedb.kafka.publish.failures", c.publishFailures, "failed publishing rounds, each retried");
        counter(registry, "stemedb.kafka.consumed", c.consumed, "records read from Kafka");
        counter(registry, "stemedb.kafka.merged", c.merged, "assertions added by the records read");
        counter(registry, "stemedb.kafka.refused", c.refused, "records refused: not StemeDB records, or failing their id or validation");
        counter(registry, "stemedb.kafka.consume.failures", c.consumeFailures, "failed polls or merges, each retried");
        counter(registry, "stemedb.kafka.offsets.out.of.range", c.offsetsOutOfRange,
                "partitions whose stored position retention had deleted");
        gauge(registry, "stemedb.kafka.publish.backlog", r -> r.stats().publishBacklog(), null,
                "arrival-log entries after the published watermark");
        gauge(registry, "stemedb.kafka.publish.lag", r -> r.stats().publishLag().toMillis() / 1000.0, "seconds",
                "age of the oldest local assertion sent to Kafka and not yet acknowledged");
        replication.onPartition(partition -> Gauge.builder("stemedb.kafka.consumer.lag", c,
                        counters -> counters.consumerLag.getOrDefault(partition, 0L))
                .tags(tags).tag("partition", Integer.toString(partition))
                .description("records of the partition not consumed yet")
                .register(registry));
    }

    private void counter(MeterRegistry registry, String name, AtomicLong value, String description) {
        FunctionCounter.builder(name, value, AtomicLong::get).tags(tags).description(description).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<KafkaReplication> value, String unit,
            String description) {
        Gauge.builder(name, replication, value).tags(tags).baseUnit(unit).description(description).register(registry);
    }
}
