package io.stemedb;

import io.stemedb.model.AssertionId;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link StemeDB#merge} did: how many assertions were new, how many were duplicates
 * (already stored, or given more than once), and which were refused and why (a refused one
 * changes nothing; the others are stored).
 */
public record MergeResult(int added, int duplicates, List<Rejected> rejected) {
    public MergeResult {
        rejected = List.copyOf(rejected);
    }

    /** An assertion that was not stored: its id as sent, and the reason. */
    public record Rejected(AssertionId id, String reason) {
        public Rejected {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
