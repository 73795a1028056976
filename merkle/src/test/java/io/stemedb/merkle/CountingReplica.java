package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A replica that counts the work a responder asks of it: bucket digests summed, ids listed, records read. */
final class CountingReplica implements SyncReplica {
    final TestReplica inner;
    /** Bucket digests read; the whole set's digest counts as every bucket. */
    final AtomicLong bucketReads = new AtomicLong();
    final AtomicLong idsListed = new AtomicLong();
    final AtomicLong recordsRead = new AtomicLong();

    CountingReplica(TestReplica inner) {
        this.inner = inner;
    }

    @Override
    public IdDigest digest() {
        bucketReads.addAndGet(65_536);
        return inner.digest();
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        bucketReads.incrementAndGet();
        return inner.bucketDigest(bucket);
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte[] high, int limit) {
        List<AssertionId> ids = inner.ids(low, high, limit);
        idsListed.addAndGet(ids.size());
        return ids;
    }

    @Override
    public List<EncodedAssertion> fetch(List<AssertionId> ids) {
        recordsRead.addAndGet(ids.size());
        return inner.fetch(ids);
    }

    @Override
    public MergeOutcome merge(List<EncodedAssertion> records) {
        return inner.merge(records);
    }
}
