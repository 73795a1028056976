package io.stemedb.storage;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a StemeDB keeps its assertions: an append-only set of assertions with an arrival log and
 * the indexes the queries need. This is StemeDB's internal contract between the core and its
 * engines (in memory, RocksDB); applications use {@code io.stemedb.StemeDB} instead.
 *
 * <p><b>Guarantees every engine gives.</b>
 * <ul>
 *   <li>Thread-safe: any method may be called from any thread. A reader sees every commit that
 *       completed before it started, and never part of a commit.</li>
 *   <li>{@link #commit} is atomic: all of its new assertions become visible together, or none.</li>
 *   <li>Append-only, but for erasure: nothing stored is ever changed or removed, except the
 *       content of the claims an {@link Erasure} covers. Storing an erasure deletes, in the same
 *       atomic commit, the records of the stored claims it covers from everything the engine keeps
 *       (facts, log, indexes, caches) and from its id set and digests; their ids stay known here,
 *       marked with the erasure ({@link #erasedBy}). A covered claim that arrives later (made
 *       before the erasure on a replica that had not seen it) is marked at once and never stored,
 *       and so is the content of an id already marked: each such refusal is counted
 *       ({@link ErasureStats#refused()}). Claims recorded after a scoped erasure are unaffected.</li>
 *   <li>Each newly stored assertion gets the next arrival sequence number, starting at 1; an
 *       assertion already present is skipped and keeps its number.</li>
 *   <li>Lists come in a documented, deterministic order.</li>
 * </ul>
 * The engine stores what it is given; validation (value limits, known retraction targets) is the
 * core's job, done before {@link #commit}.
 */
public interface Engine extends AutoCloseable {

    /**
     * Stores, atomically, those of {@code assertions} that are not yet present (duplicates within
     * the list count once).
     *
     * @return the assertions that were new, in the order given, each with its sequence number
     */
    List<Change> commit(List<? extends Assertion> assertions);

    /**
     * Like {@link #commit(List)}, and in the same atomic write, stores each of {@code checkpoints}
     * under its name, replacing the value stored before: a crash keeps both the new assertions
     * and the checkpoints, or neither. The checkpoints are written even when no assertion is new
     * (and when {@code assertions} is empty). How a consumer of another log (Kafka) keeps the
     * position it has merged up to exactly in step with what it merged.
     *
     * @param checkpoints names ({@link #checkCheckpoint}) to values, at most
     *     {@value #MAX_CHECKPOINT_BYTES} bytes each
     */
    List<Change> commit(List<? extends Assertion> assertions, java.util.Map<String, byte[]> checkpoints);

    /** The value of the checkpoint {@code name} as last committed, or empty if none was ever committed. */
    Optional<byte[]> checkpoint(String name);

    /** The longest name of a checkpoint, in UTF-8 bytes. */
    int MAX_CHECKPOINT_NAME_BYTES = 256;

    /** The largest value of a checkpoint, in bytes. */
    int MAX_CHECKPOINT_BYTES = 65536;

    /**
     * Checks a checkpoint's name and value before anything is written.
     *
     * @throws IllegalArgumentException if the name is empty or longer than
     *     {@value #MAX_CHECKPOINT_NAME_BYTES} UTF-8 bytes, or the value is longer than
     *     {@value #MAX_CHECKPOINT_BYTES} bytes
     */
    static void checkCheckpoint(String name, byte[] value) {
        int nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > MAX_CHECKPOINT_NAME_BYTES) {
            throw new IllegalArgumentException("a checkpoint name must have 1.." + MAX_CHECKPOINT_NAME_BYTES
                    + " UTF-8 bytes, got " + nameBytes + ": choose a shorter name");
        }
        if (value.length > MAX_CHECKPOINT_BYTES) {
            throw new IllegalArgumentException("checkpoint " + name + " has " + value.length + " bytes, over the limit of "
                    + MAX_CHECKPOINT_BYTES + ": keep checkpoints to positions, not data");
        }
    }

    Optional<Assertion> get(AssertionId id);

    boolean contains(AssertionId id);

    /** What an id names here: nothing stored (or an erased claim), a claim, a retraction or an erasure. */
    enum Kind { ABSENT, CLAIM, RETRACTION, ERASURE }

    /**
     * What is stored under {@code id}, found from the id index without reading or decoding the
     * record: how a local retraction's target is checked, once, before it is stamped.
     */
    Kind kindOf(AssertionId id);

    /**
     * The claims about ({@code subject}, {@code predicate}) and the retractions of them, and, in
     * {@link Evidence#erased()}, the claims of the fact whose content was erased here, each with
     * the erasure its mark names (what a history shows in their place). One call: every read of a
     * fact makes it, and a replica that stores no erasure answers it without asking about erasure.
     */
    Evidence evidence(String subject, String predicate);

    /**
     * Up to {@code limit} subjects that have claims, after {@code afterSubject} (null: from the
     * first), in storage order: shorter UTF-8 names first, then by bytes. For paging through every
     * subject; continue from the last one returned.
     */
    List<String> subjects(@Nullable String afterSubject, int limit);

    /** The predicates that {@code subject} has claims for, in code point order. */
    List<String> predicates(String subject);

    /**
     * The subjects that have at least one claim, live or not, of {@code predicate} with
     * {@code value}, in code point order: candidates for a find-by-value query.
     */
    List<String> subjectsWith(String predicate, Value value);

    /** The assertions made by {@code source}, in {@link Assertion#RECORD_ORDER}. */
    List<Assertion> bySource(String source);

    /** Up to {@code limit} assertions stored after sequence number {@code afterSequence}, in arrival order. */
    List<Change> changesSince(long afterSequence, int limit);

    /** The number of id buckets: ids are grouped by their first two bytes. */
    int BUCKETS = 1 << 16;

    /** The digest of every stored id: O(1), kept up to date by every commit and persisted. */
    IdDigest digest();

    /** The digest of the stored ids whose first two bytes, as an unsigned big-endian number, are {@code bucket}. */
    IdDigest bucketDigest(int bucket);

    /**
     * Up to {@code limit} stored ids in [{@code low}, {@code high}), in id order, where the bounds
     * are compared with ids as unsigned byte strings (so a prefix bounds every id that starts with
     * it); {@code high} null means no upper bound.
     */
    List<AssertionId> ids(byte[] low, byte @Nullable [] high, int limit);

    /** The sequence number of the newest stored assertion, 0 when empty. */
    long lastSequence();

    /** Counts of what is stored. */
    EngineStats stats();

    /** The erasure whose mark {@code id} carries here: the claim's content was erased by it. */
    Optional<Erasure> erasedBy(AssertionId id);

    /** What erasure did here. */
    ErasureStats erasureStats();

    /** Engine-specific figures (disk size, memory use...), by name; empty when there are none. */
    java.util.Map<String, String> properties();

    /** The greatest HLC timestamp stored, or empty when empty: the floor of a reopened clock. */
    Optional<Hlc> maxHlc();

    /** The node id of the replica this engine stores. */
    long nodeId();

    /**
     * Checks what is stored: that every assertion's bytes hash to its id and decode, and that the
     * indexes and counters agree with the assertions. Reads everything, O(n), from one
     * consistent state: commits may run meanwhile.
     */
    VerifyReport verify();

    /**
     * Rewrites the stored data into its most compact form (for RocksDB, a full manual compaction),
     * for example after a bulk load. Returns when done. Engines with nothing to compact return at once.
     */
    void compact();

    /**
     * This engine as an optional capability ({@link BulkLoading}, {@link NativeBackups}), or
     * empty if it has none of that type: how callers use what only some engines can do without
     * naming an implementation.
     */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** Releases every resource; afterwards every method fails. Idempotent. */
    @Override
    void close();
}
