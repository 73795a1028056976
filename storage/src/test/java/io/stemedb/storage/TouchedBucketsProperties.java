package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Batches staged in one reused {@link TouchedBuckets} leave the bucket digests what adding and
 * removing their ids one by one gives, batch after batch: a batch published sets exactly the
 * buckets it touched, each once, and a batch abandoned ({@link TouchedBuckets#clear}) changes
 * nothing, then or in the batches after it.
 */
class TouchedBucketsProperties {
    /** The buckets ids are made in: few, both ends of the range among them, so that a batch touches one bucket often. */
    private static final Integer[] BUCKETS = {0, 1, 2, 0x7fff, 0x8000, 0xffff};

    /** One step of a batch: add a new id in bucket {@code bucket}, or remove the {@code pick}th id present. */
    record Op(boolean remove, int bucket, int pick, long tail) { }

    /** A batch of steps, and whether it is written (published) or abandoned. */
    record Batch(List<Op> ops, boolean written) { }

    @Provide
    Arbitrary<List<Batch>> batches() {
        Arbitrary<Integer> buckets = Arbitraries.of(BUCKETS);
        Arbitrary<Op> ops = Combinators.combine(Arbitraries.integers().between(0, 3), buckets,
                Arbitraries.integers().between(0, 1_000), Arbitraries.longs())
                .as((kind, bucket, pick, tail) -> new Op(kind == 0, bucket, pick, tail));
        Arbitrary<Batch> batch = Combinators.combine(ops.list().ofMaxSize(40), Arbitraries.integers().between(0, 4))
                .as((list, w) -> new Batch(list, w != 0));
        return batch.list().ofMaxSize(12);
    }

    @Property(tries = 500)
    void publishedBatchesAddUpToTheirIdsAndAbandonedOnesToNothing(@ForAll("batches") List<Batch> batches) {
        AtomicReferenceArray<IdDigest> digests = new AtomicReferenceArray<>(Engine.BUCKETS);
        IdDigest[] model = new IdDigest[Engine.BUCKETS];
        for (int b = 0; b < Engine.BUCKETS; b++) {
            digests.set(b, IdDigest.empty());
            model[b] = IdDigest.empty();
        }
        List<AssertionId> present = new ArrayList<>();
        long made = 0;
        TouchedBuckets touched = new TouchedBuckets();
        for (Batch batch : batches) {
            IdDigest[] next = model.clone();
            List<AssertionId> nextPresent = new ArrayList<>(present);
            LinkedHashSet<Integer> firstTouched = new LinkedHashSet<>();
            for (Op op : batch.ops()) {
                if (op.remove() && !nextPresent.isEmpty()) {
                    AssertionId id = nextPresent.remove(op.pick() % nextPresent.size());
                    touched.minus(id, digests);
                    next[id.prefix16()] = next[id.prefix16()].minus(id);
                    firstTouched.add(id.prefix16());
                } else if (!op.remove()) {
                    AssertionId id = id(op.bucket(), op.tail(), made++);
                    touched.plus(id, digests);
                    next[op.bucket()] = next[op.bucket()].plus(id);
                    nextPresent.add(id);
                    firstTouched.add(op.bucket());
                }
            }
            assertEquals(firstTouched.size(), touched.size(), "each bucket staged once");
            if (batch.written()) {
                List<Integer> told = new ArrayList<>();
                touched.publishTo(digests, told::add);
                assertEquals(new ArrayList<>(firstTouched), told, "the buckets published, each once, as first touched");
                model = next;
                present = nextPresent;
            } else {
                touched.clear();
            }
            assertEquals(0, touched.size(), "empty for the next batch");
            for (int b : BUCKETS) {
                assertEquals(model[b], digests.get(b), "bucket " + b);
                assertEquals(null, touched.staged(b), "nothing left staged in bucket " + b);
            }
        }
        for (int b = 0; b < Engine.BUCKETS; b++) {
            assertEquals(model[b], digests.get(b), "bucket " + b);
        }
    }

    /** A distinct id (numbered {@code serial}) in {@code bucket}. */
    private static AssertionId id(int bucket, long tail, long serial) {
        byte[] bytes = new byte[AssertionId.LENGTH];
        bytes[0] = (byte) (bucket >>> 8);
        bytes[1] = (byte) bucket;
        for (int i = 0; i < 8; i++) {
            bytes[2 + i] = (byte) (serial >>> (56 - 8 * i));
            bytes[10 + i] = (byte) (tail >>> (56 - 8 * i));
        }
        bytes[31] = (byte) 0xff;
        return AssertionId.fromBytes(bytes);
    }
}
