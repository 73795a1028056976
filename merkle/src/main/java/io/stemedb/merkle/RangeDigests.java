package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import java.util.ArrayList;
import java.util.List;

/**
 * The digest of any {@link IdRange} of a replica: ranges of up to four nibbles are unions of the
 * replica's persisted bucket digests (16^(4 - depth) of them); deeper ranges lie inside one bucket
 * and are summed from their ids, which for uniform ids number about n / 65,536 per bucket.
 */
final class RangeDigests {
    private static final int BUCKET_DEPTH = 4;

    private RangeDigests() {}

    static IdDigest of(SyncReplica replica, IdRange range) {
        if (range.depth() == 0) {
            return replica.digest();
        }
        if (range.depth() <= BUCKET_DEPTH) {
            int first = range.firstBucket();
            int count = 1 << (4 * (BUCKET_DEPTH - range.depth()));
            IdDigest d = IdDigest.empty();
            for (int b = first; b < first + count; b++) {
                d = d.plus(replica.bucketDigest(b));
            }
            return d;
        }
        return IdDigest.of(replica.ids(range.low(), range.high(), Integer.MAX_VALUE));
    }

    /**
     * The digests of the 16 children of {@code range}. Children deeper than a bucket are summed
     * from one read of the range's ids rather than one read per child: on a large replica each
     * read is a seek, and a session with many differences asks for the children of tens of
     * thousands of ranges.
     */
    static List<IdDigest> children(SyncReplica replica, IdRange range) {
        List<IdDigest> digests = new ArrayList<>(16);
        if (range.depth() + 1 <= BUCKET_DEPTH) {
            for (int i = 0; i < 16; i++) {
                digests.add(of(replica, range.child(i)));
            }
            return digests;
        }
        List<List<AssertionId>> byChild = new ArrayList<>(16);
        for (int i = 0; i < 16; i++) {
            byChild.add(new ArrayList<>());
        }
        int depth = range.depth();
        for (AssertionId id : ids(replica, range, Integer.MAX_VALUE)) {
            byte b = id.toBytes()[depth / 2];
            byChild.get(depth % 2 == 0 ? (b >> 4) & 0xf : b & 0xf).add(id);
        }
        for (List<AssertionId> ids : byChild) {
            digests.add(IdDigest.of(ids));
        }
        return digests;
    }

    static List<AssertionId> ids(SyncReplica replica, IdRange range, int limit) {
        return replica.ids(range.low(), range.high(), limit);
    }
}
