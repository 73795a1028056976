package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A replica on the heap for the protocol's tests: a sorted map of id to canonical bytes, with
 * bucket digests kept up to date on every merge, as an engine keeps them. Its merge re-hashes and
 * strictly decodes every record, as the database's does. Thread-safe (synchronized).
 */
final class TestReplica implements SyncReplica {
    private final TreeMap<AssertionId, byte[]> records = new TreeMap<>();
    private final IdDigest[] buckets = new IdDigest[BUCKETS];
    private IdDigest total = IdDigest.empty();
    /** How many merge calls stored something, to check that a refused request changed nothing. */
    final AtomicInteger mergesThatStored = new AtomicInteger();

    TestReplica() {
        Arrays.fill(buckets, IdDigest.empty());
    }

    /** A replica holding a copy of {@code records}, trusted as they are. */
    TestReplica(Map<AssertionId, byte[]> records) {
        this();
        records.forEach(this::put);
    }

    /** A valid claim, distinct for each {@code n} and {@code node}. */
    static Claim claim(long node, int n) {
        return Claim.builder("s" + (n % 97), "p" + (n % 5), Value.integer(n)).source("src" + (n % 3))
                .hlc(Hlc.of(1_700_000_000_000L + n, 0, node)).build();
    }

    /** Adds claims {@code from} (inclusive) to {@code to} (exclusive) of {@code node} directly. */
    TestReplica withClaims(long node, int from, int to) {
        for (int i = from; i < to; i++) {
            add(claim(node, i));
        }
        return this;
    }

    synchronized void add(Assertion a) {
        put(a.id(), a.canonicalBytes());
    }

    private void put(AssertionId id, byte[] bytes) {
        if (records.putIfAbsent(id, bytes) == null) {
            buckets[id.prefix16()] = buckets[id.prefix16()].plus(id);
            total = total.plus(id);
        }
    }

    synchronized Map<AssertionId, byte[]> snapshot() {
        return new TreeMap<>(records);
    }

    synchronized int size() {
        return records.size();
    }

    @Override
    public synchronized IdDigest digest() {
        return total;
    }

    @Override
    public synchronized IdDigest bucketDigest(int bucket) {
        return buckets[bucket];
    }

    @Override
    public synchronized List<AssertionId> ids(byte[] low, byte[] high, int limit) {
        AssertionId from = AssertionId.fromBytes(Arrays.copyOf(low, AssertionId.LENGTH));
        NavigableMap<AssertionId, byte[]> tail = records.tailMap(from, true);
        List<AssertionId> out = new ArrayList<>();
        for (AssertionId id : tail.keySet()) {
            if (out.size() >= limit || (high != null && Arrays.compareUnsigned(id.toBytes(), high) >= 0)) {
                break;
            }
            out.add(id);
        }
        return out;
    }

    @Override
    public synchronized List<EncodedAssertion> fetch(List<AssertionId> ids) {
        List<EncodedAssertion> out = new ArrayList<>();
        for (AssertionId id : ids) {
            byte[] b = records.get(id);
            if (b != null) {
                out.add(new EncodedAssertion(id, b.clone()));
            }
        }
        return out;
    }

    @Override
    public synchronized MergeOutcome merge(List<EncodedAssertion> incoming) {
        int added = 0;
        int duplicates = 0;
        List<Refused> refused = new ArrayList<>();
        List<EncodedAssertion> valid = new ArrayList<>();
        for (EncodedAssertion r : incoming) {
            try {
                r.decode();
                valid.add(r);
            } catch (StemeException e) {
                refused.add(new Refused(r.id(), e.getMessage()));
            }
        }
        for (EncodedAssertion r : valid) {
            if (records.containsKey(r.id())) {
                duplicates++;
            } else {
                put(r.id(), r.bytes().clone());
                added++;
            }
        }
        if (added > 0) {
            mergesThatStored.incrementAndGet();
        }
        return new MergeOutcome(added, duplicates, refused);
    }
}
