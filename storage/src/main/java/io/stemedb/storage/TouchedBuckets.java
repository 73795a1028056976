package io.stemedb.storage;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntConsumer;

/**
 * The new digests of the id buckets one write batch changes, staged until the batch is written
 * and then published to the digests that sync reads ({@link Indexer}).
 *
 * <p>An array indexed by bucket, with the buckets touched listed in the order first touched: a
 * batch of 4,096 ids touches about 3,970 of the 65,536 buckets, so a map from bucket to digest
 * boxed a key and made a node for nearly every id ({@code HashMap.putVal} and its resizes were a
 * sixth of the indexer's JFR samples in W1). The indexer keeps one and reuses it for every batch;
 * it starts, and is left by {@link #publishTo}, empty.
 *
 * <p>Not thread-safe: one belongs to the thread building a batch.
 */
final class TouchedBuckets {
    private final IdDigest[] staged = new IdDigest[Engine.BUCKETS];
    private final int[] touched = new int[Engine.BUCKETS];
    private int size;

    /** Stages {@code id}'s bucket digest plus {@code id}, from {@code current}'s digest when this batch has not touched it yet. */
    void plus(AssertionId id, AtomicReferenceArray<IdDigest> current) {
        int bucket = id.prefix16();
        stage(bucket, digestOf(bucket, current).plus(id));
    }

    /** Stages {@code id}'s bucket digest less {@code id}, which it holds. */
    void minus(AssertionId id, AtomicReferenceArray<IdDigest> current) {
        int bucket = id.prefix16();
        stage(bucket, digestOf(bucket, current).minus(id));
    }

    private IdDigest digestOf(int bucket, AtomicReferenceArray<IdDigest> current) {
        IdDigest d = staged[bucket];
        return d != null ? d : current.get(bucket);
    }

    private void stage(int bucket, IdDigest digest) {
        if (staged[bucket] == null) {
            touched[size++] = bucket;
        }
        staged[bucket] = digest;
    }

    /** How many buckets are staged. */
    int size() {
        return size;
    }

    /** The {@code i}th bucket staged, in the order first touched. */
    int bucket(int i) {
        return touched[i];
    }

    /** The digest staged for {@code bucket}, or null when this batch did not touch it. */
    IdDigest staged(int bucket) {
        return staged[bucket];
    }

    /** Sets each staged digest in {@code digests}, tells {@code each} its bucket, and forgets them all. */
    void publishTo(AtomicReferenceArray<IdDigest> digests, IntConsumer each) {
        for (int i = 0; i < size; i++) {
            int b = touched[i];
            digests.set(b, staged[b]);
            each.accept(b);
        }
        clear();
    }

    /** Forgets what was staged, when its batch was not written. */
    void clear() {
        for (int i = 0; i < size; i++) {
            staged[touched[i]] = null;
        }
        size = 0;
    }
}
