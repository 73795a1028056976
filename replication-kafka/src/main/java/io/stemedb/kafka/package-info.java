/**
 * Replication of a StemeDB through an Apache Kafka topic: start it with
 * {@link io.stemedb.kafka.KafkaReplication#start}, configured by
 * {@link io.stemedb.kafka.KafkaReplicationSettings}; its meters are
 * {@link io.stemedb.kafka.KafkaReplicationMetrics}.
 *
 * <p><b>Contract.</b> Every node publishes the assertions it stamped itself (its local writes),
 * read from its arrival log after a persisted watermark that passes an assertion only once Kafka
 * acknowledged it ({@code acks=all}, idempotent producer); and every node consumes every
 * partition and merges what it reads, each partition's position stored in the same atomic commit
 * as what it merged. So no acknowledged local write is skipped, nothing merged is forgotten, and,
 * merge being a set union, every node that has read the whole topic holds the same set.
 * Merkle sync stays for anti-entropy and to bootstrap a node (docs/operations.md,
 * "Enterprise cluster"). Record bytes: docs/format.md, "Kafka records".
 *
 * <p><b>Threading.</b> {@link io.stemedb.kafka.KafkaReplication} is thread-safe; its publisher and
 * consumer each own a daemon thread and their Kafka client. Settings are immutable; their
 * builder belongs to one thread.
 *
 * <p><b>Exceptions.</b> {@link io.stemedb.kafka.KafkaReplicationException} (a
 * {@link io.stemedb.model.StemeException}) when replication cannot start as configured; bad
 * settings are refused by the builder with {@link IllegalArgumentException}. Failures while
 * running are logged, counted and retried, never thrown into the application's writes.
 */
package io.stemedb.kafka;
