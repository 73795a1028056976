package io.stemedb.storage;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An engine capability ({@link Engine#capability}): storing a large number of assertions through
 * a path faster than commits. The RocksDB engine has it; an engine without it stores a bulk load
 * as one commit.
 */
public interface BulkLoading {

    /** Stores the assertions {@code input} gives; see {@link RocksEngine#bulkLoad} for how and at what cost. */
    BulkLoaded bulkLoad(BulkInput input);

    /** What a bulk load is given; see {@link BulkLoading#bulkLoad}. */
    public interface BulkInput {
        /** Pushes every assertion of the load, in order, to {@code sink}; may throw to abandon the load. */
        void feed(Consumer<Assertion> sink);

        /**
         * Called once the input is staged, before the commit point: assertions to store after the
         * load's claims, in order (retractions stamped now, so that they order after them). May
         * throw to abandon the load.
         *
         * @param isClaim whether an id is a claim stored already or staged by this load
         */
        default List<Assertion> late(Predicate<AssertionId> isClaim) {
            return List.of();
        }

        /** Progress of the load's phases (reading, ingesting, committing); must return quickly. */
        default void progress(String phase, long done, long total) {}

        /**
         * True when every claim fed is stamped by this load, after every timestamp stored and in
         * increasing order: then none can be stored already or fed twice, and the load keeps
         * no ids to find duplicates.
         */
        default boolean freshlyStamped() {
            return false;
        }
    }

    /**
     * What a bulk load did.
     *
     * @param read assertions the input gave
     * @param added assertions stored (each once)
     * @param duplicates assertions already stored, or given more than once
     * @param deferred assertions stored by an ordinary commit after the ingestion (retractions,
     *     claims that a run's filter may have seen)
     * @param runs sorted runs staged and ingested
     */
    public record BulkLoaded(long read, long added, long duplicates, long deferred, int runs) {}
}
