package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
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

    static List<AssertionId> ids(SyncReplica replica, IdRange range, int limit) {
        return replica.ids(range.low(), range.high(), limit);
    }
}
