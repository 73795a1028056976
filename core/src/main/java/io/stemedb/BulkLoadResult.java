package io.stemedb;

import java.util.List;

/**
 * What a {@linkplain StemeDB#bulkLoad bulk load} did.
 *
 * @param read the assertions (or drafts) the input gave
 * @param added the assertions stored
 * @param duplicates assertions already stored, or given more than once: skipped
 * @param rejected assertions refused (over the value size limit, too far ahead of this replica's
 *     clock), with the reason: not stored, the others are
 * @param deferred of those stored or skipped, how many went through an ordinary commit after the
 *     sorted files were ingested (retractions, and claims the load could not tell apart from one
 *     it had already read); they arrive after the load's other assertions
 * @param runs the sorted runs the input was cut into (0 in memory, or when everything was deferred)
 */
public record BulkLoadResult(long read, long added, long duplicates, List<MergeResult.Rejected> rejected, long deferred,
        int runs) {
    public BulkLoadResult {
        rejected = List.copyOf(rejected);
    }
}
