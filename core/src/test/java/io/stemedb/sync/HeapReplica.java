package io.stemedb.sync;

import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncReplica;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A peer on the heap that serves records through the public {@link SyncReplica} contract, with a
 * hook that rewrites the records it sends: a malicious or corrupt replica. It stores nothing.
 */
final class HeapReplica implements SyncReplica {
    private final TreeMap<AssertionId, byte[]> records = new TreeMap<>();
    private final IdDigest[] buckets = new IdDigest[BUCKETS];
    private IdDigest total = IdDigest.empty();
    private final UnaryOperator<EncodedAssertion> onFetch;

    HeapReplica(List<? extends Assertion> assertions, UnaryOperator<EncodedAssertion> onFetch) {
        Arrays.fill(buckets, IdDigest.empty());
        for (Assertion a : assertions) {
            if (records.putIfAbsent(a.id(), a.canonicalBytes()) == null) {
                buckets[a.id().prefix16()] = buckets[a.id().prefix16()].plus(a.id());
                total = total.plus(a.id());
            }
        }
        this.onFetch = onFetch;
    }

    @Override
    public IdDigest digest() {
        return total;
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        return buckets[bucket];
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte[] high, int limit) {
        List<AssertionId> out = new ArrayList<>();
        for (AssertionId id : records.tailMap(AssertionId.fromBytes(Arrays.copyOf(low, 32)), true).keySet()) {
            if (out.size() >= limit || (high != null && Arrays.compareUnsigned(id.toBytes(), high) >= 0)) {
                break;
            }
            out.add(id);
        }
        return out;
    }

    @Override
    public List<EncodedAssertion> fetch(List<AssertionId> ids) {
        List<EncodedAssertion> out = new ArrayList<>();
        for (AssertionId id : ids) {
            byte[] b = records.get(id);
            if (b != null) {
                out.add(onFetch.apply(new EncodedAssertion(id, b.clone())));
            }
        }
        return out;
    }

    @Override
    public MergeOutcome merge(List<EncodedAssertion> incoming) {
        return new MergeOutcome(0, incoming.size(), List.of());
    }
}
