package io.stemedb.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Whatever order Kafka delivers the records of several nodes in (partitions interleaved any way,
 * records delivered again after a crash), replicas that merge them all hold the same set and
 * answer the same: the records StemeDB writes, decoded as the consumer decodes them.
 */
class DeliveryOrderProperties {

    @Property(tries = 200)
    void anyDeliveryOrderConverges(@ForAll @IntRange(min = 1, max = 60) int claims, @ForAll long seed) {
        Random random = new Random(seed);
        List<Assertion> written = new ArrayList<>();
        for (int i = 0; i < claims; i++) {
            long node = 1 + random.nextInt(3);
            written.add(Claim.builder("s" + random.nextInt(4), "p" + random.nextInt(2), Value.integer(random.nextInt(5)))
                    .source("n" + node).hlc(Hlc.of(1_000 + random.nextInt(50), random.nextInt(3), node)).build());
        }
        for (int i = 0; i < claims / 4; i++) {
            Assertion target = written.get(random.nextInt(claims));
            written.add(Retraction.of(target.id(), "auditor", Hlc.of(2_000 + i, 0, 9), Map.of()));
        }
        try (StemeDB all = StemeDB.inMemory(); StemeDB one = StemeDB.inMemory(); StemeDB two = StemeDB.inMemory()) {
            all.merge(written);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (Assertion a : written) {
                ProducerRecord<byte[], byte[]> p = KafkaRecords.record("t", a, all);
                records.add(new ConsumerRecord<>("t", 0, records.size(), 0L, TimestampType.CREATE_TIME, p.key().length,
                        p.value().length, p.key(), p.value(), p.headers(), Optional.empty()));
            }
            deliver(one, records, random);
            deliver(two, records, random);
            assertEquals(Replicas.root(all), Replicas.root(one));
            assertEquals(Replicas.root(all), Replicas.root(two));
            for (Assertion a : written) {
                if (a instanceof Claim c) {
                    assertEquals(all.resolve(c.subject(), c.predicate(), Lenses.latest()).winners(),
                            one.resolve(c.subject(), c.predicate(), Lenses.latest()).winners());
                }
            }
        }
    }

    /** Delivers every record at least once, some twice, in a random order, in random chunks. */
    private static void deliver(StemeDB db, List<ConsumerRecord<byte[], byte[]>> records, Random random) {
        List<ConsumerRecord<byte[], byte[]>> order = new ArrayList<>(records);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (random.nextInt(4) == 0) {
                order.add(r);
            }
        }
        Collections.shuffle(order, random);
        for (int i = 0; i < order.size();) {
            int n = 1 + random.nextInt(8);
            List<EncodedAssertion> chunk = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : order.subList(i, Math.min(order.size(), i + n))) {
                chunk.add(KafkaRecords.decode(r));
            }
            assertEquals(0, db.mergeEncoded(chunk, Map.of("kafka/t/0", KafkaRecords.position(i + n))).rejected().size());
            i += n;
        }
    }
}
