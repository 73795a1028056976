package io.stemedb.kafka;

import io.stemedb.StemeDB;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Retraction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The bytes StemeDB puts in Kafka (docs/format.md, "Kafka records, version 1") and in the
 * database's checkpoints. Stateless.
 *
 * <ul>
 *   <li>value: the assertion's canonical record, exactly as hashed;</li>
 *   <li>header {@value #ID_HEADER}: the assertion id (32 bytes), which the consumer checks the
 *       value against, so a damaged record is refused, never stored;</li>
 *   <li>header {@value #VERSION_HEADER}: one byte, {@value #VERSION};</li>
 *   <li>key: the fact, u16 big-endian UTF-8 length of the subject, the subject, the predicate
 *       (of the claim itself, or of the claim a retraction retracts), so that Kafka's default
 *       partitioner keeps one fact's assertions in one partition, in publication order.</li>
 * </ul>
 */
final class KafkaRecords {
    static final String ID_HEADER = "stemedb-id";
    static final String VERSION_HEADER = "stemedb-record";
    static final byte VERSION = 1;

    private KafkaRecords() {
    }

    /** The record that publishes {@code a}; a retraction is keyed by its target's fact, looked up in {@code db}. */
    static ProducerRecord<byte[], byte[]> record(String topic, Assertion a, StemeDB db) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ID_HEADER, a.id().toBytes());
        headers.add(VERSION_HEADER, new byte[] {VERSION});
        return new ProducerRecord<>(topic, null, key(a, db), a.canonicalBytes(), headers);
    }

    private static byte[] key(Assertion a, StemeDB db) {
        if (a instanceof Claim c) {
            return factKey(c);
        }
        AssertionId target = ((Retraction) a).target();
        Optional<Assertion> claim = db.get(target);
        // A retraction stored before its target (it came by merge) is keyed by the target id: it
        // then stays with every other retraction of that target.
        return claim.isPresent() && claim.get() instanceof Claim c ? factKey(c) : target.toBytes();
    }

    static byte[] factKey(Claim c) {
        byte[] subject = c.subject().getBytes(StandardCharsets.UTF_8);
        byte[] predicate = c.predicate().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + subject.length + predicate.length)
                .putShort((short) subject.length).put(subject).put(predicate).array();
    }

    /**
     * The assertion a consumed record carries, its bytes not yet checked (the merge re-hashes
     * them against the id and validates them).
     *
     * @throws BadRecordException if the record is not a StemeDB record of a version this reads
     */
    static EncodedAssertion decode(ConsumerRecord<byte[], byte[]> record) {
        Header version = record.headers().lastHeader(VERSION_HEADER);
        if (version == null || version.value() == null || version.value().length != 1 || version.value()[0] != VERSION) {
            throw new BadRecordException(record, "no " + VERSION_HEADER + " header of version " + VERSION);
        }
        Header id = record.headers().lastHeader(ID_HEADER);
        if (id == null || id.value() == null || id.value().length != AssertionId.LENGTH) {
            throw new BadRecordException(record, "no " + ID_HEADER + " header of " + AssertionId.LENGTH + " bytes");
        }
        if (record.value() == null) {
            throw new BadRecordException(record, "no value");
        }
        return new EncodedAssertion(AssertionId.fromBytes(id.value()), record.value());
    }

    /** A position as stored in a checkpoint: u64 big-endian. */
    static byte[] position(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /** The position a checkpoint stores; empty when there is none. */
    static Optional<Long> position(Optional<byte[]> stored, String name) {
        return stored.map(bytes -> {
            if (bytes.length != Long.BYTES) {
                throw new KafkaReplicationException("the checkpoint " + name + " has " + bytes.length
                        + " bytes, not 8: it was not written by this StemeDB; remove the database's Kafka checkpoints "
                        + "only if you know what wrote it");
            }
            return ByteBuffer.wrap(bytes).getLong();
        });
    }

    /** Thrown for a consumed record that is not a StemeDB record: it is counted as refused and skipped. */
    static final class BadRecordException extends KafkaReplicationException {
        private static final long serialVersionUID = 1L;

        BadRecordException(ConsumerRecord<?, ?> record, String problem) {
            super("the record at " + record.topic() + "-" + record.partition() + " offset " + record.offset()
                    + " is not a StemeDB record (" + problem + "); it is skipped: find who else writes to this topic");
        }
    }
}
