package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the sync protocol needs of a replica; the database implements it over its engine. Every
 * method must be thread-safe: a replica may answer several peers at once.
 */
public interface SyncReplica {
    /** The number of id buckets (ids grouped by their first two bytes). */
    int BUCKETS = 1 << 16;

    /** The digest of every id, in O(1). */
    IdDigest digest();

    /** The digest of the ids whose first two bytes are {@code bucket}. */
    IdDigest bucketDigest(int bucket);

    /** Up to {@code limit} ids in [{@code low}, {@code high}) in id order ({@code high} null: no end). */
    List<AssertionId> ids(byte[] low, byte @Nullable [] high, int limit);

    /** The canonical records of those of {@code ids} this replica holds, in the order asked. */
    List<EncodedAssertion> fetch(List<AssertionId> ids);

    /**
     * Whether this replica erased the content of {@code id} (it keeps the id, marked, and refuses
     * the content): a session never asks a peer for such an id. By default nothing is erased.
     */
    default boolean isErased(AssertionId id) {
        return false;
    }

    /** Stores records received from a peer, after re-hashing and validating each; reports what happened. */
    MergeOutcome merge(List<EncodedAssertion> records);

    /** What a merge of received records did. */
    record MergeOutcome(int added, int duplicates, List<Refused> refused) {
        public MergeOutcome {
            refused = List.copyOf(refused);
        }
    }

    /** A record that was not stored, and why. */
    record Refused(AssertionId id, String reason) {}
}
