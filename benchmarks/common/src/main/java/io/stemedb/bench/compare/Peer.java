package io.stemedb.bench.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * One system of the comparison, driven by {@link PeerRunner} in a JVM of its own. Every read
 * answers with the text form of a value ({@link ClaimBatch#text}) so that the runner can check
 * that all systems give the same answers. Implementations are used by one thread, but for the
 * readers that a {@link Concurrent} one hands out.
 */
public interface Peer extends AutoCloseable {
    /** Storage, durability and the queries behind each workload, for the report; asked after {@link #open}. */
    String describe();

    /** False for the raw RocksDB ceiling, whose reads answer with entry counts: its answers are not compared. */
    default boolean answersValues() {
        return true;
    }

    /** False for in-memory systems: W5 then reports no reopen time. */
    boolean durable();

    /**
     * Why this system runs no conflict resolution (W4): asked only of a peer that is not
     * {@link Resolving}. The raw RocksDB ceiling stores bytes, not values, so it has no lens to run.
     */
    default String whyNotResolving() {
        return getClass().getSimpleName() + " does not resolve conflicts";
    }

    /** Opens (creating on first use) the store in {@code dir}; in-memory systems start empty on the first call. */
    void open(Path dir) throws Exception;

    /** Stores the batch atomically (one transaction). */
    void ingest(ClaimBatch batch) throws Exception;

    /** W2: the current value of (subject, predicate), latest claim wins; null if none. */
    String current(String subject, String predicate) throws Exception;

    /** W3: every claim of (subject, predicate), oldest first; returns how many (their values are read). */
    int history(String subject, String predicate) throws Exception;

    /** Closes the store; {@link #open} may follow (the reopen measurement). */
    @Override
    void close() throws Exception;

    /** A system that resolves conflicting claims (W4): every one but the raw RocksDB ceiling. */
    interface Resolving extends Peer {
        /** W4: the value of the most trusted source's newest claim, {@code ranking} most trusted first. */
        String trusted(String subject, String predicate, List<String> ranking) throws Exception;

        /** W4: the value claimed by the most sources (each votes with its newest claim); ties: the value with the newest supporter. */
        String majority(String subject, String predicate) throws Exception;
    }

    /** A system whose W2 reads may run on several threads at once (W2-mt), each thread with a reader of its own. */
    interface Concurrent extends Peer {
        /**
         * A reader for one more thread, in this system's best configuration for concurrent reads
         * (for SQLite, a connection of its own); the runner closes it.
         */
        Reader reader() throws Exception;
    }

    /** W2 on one of several reading threads; used by that thread only. */
    @FunctionalInterface
    interface Reader extends AutoCloseable {
        /** As {@link Peer#current}. */
        String current(String subject, String predicate) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    /**
     * A system whose one query returns a fact's claims as rows, resolved in Java as a user of it
     * would ({@link ClaimRows}): history, trust and majority follow from {@link #claims}.
     */
    interface RowQuery extends Resolving {
        /** Every claim of (subject, predicate), oldest first. */
        List<ClaimRows.Row> claims(String subject, String predicate) throws Exception;

        @Override
        default int history(String subject, String predicate) throws Exception {
            return claims(subject, predicate).size();
        }

        @Override
        default String trusted(String subject, String predicate, List<String> ranking) throws Exception {
            return ClaimRows.trusted(claims(subject, predicate), ranking);
        }

        @Override
        default String majority(String subject, String predicate) throws Exception {
            return ClaimRows.majority(claims(subject, predicate));
        }
    }
}
