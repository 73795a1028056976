package io.stemedb;

import io.stemedb.backup.Archive;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncResponder;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Erasure;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * An embedded database of attributed, immutable claims. Applications record
 * {@linkplain io.stemedb.model.Claim claims} ("source S says subject X's predicate P is V"),
 * never overwrite or delete them, and decide what is true at read time with a
 * {@link io.stemedb.lens.Lens}.
 *
 * <pre>{@code
 * try (StemeDB db = StemeDB.inMemory()) {
 *     AssertionId id = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").confidence(0.9).commit();
 *     db.write(batch -> {
 *         batch.assertion("acme", "ceo", Value.text("Bob")).source("crm");
 *         batch.retract(id, "hr");
 *     });
 *     Resolution r = db.resolve("acme", "ceo", Lenses.latest());
 *     System.out.println(r.explain());
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> A StemeDB is thread-safe: any number of threads may read and write at
 * once. Each write is atomic (all of a batch or nothing) and is visible to every read that starts
 * after it returns; a read never sees part of a write. Writes are stamped with the replica's
 * hybrid logical clock in commit order, so a later write from this replica always orders after an
 * earlier one, and after everything the replica has merged.
 *
 * <p><b>Errors.</b> Every exception is a {@link StemeException}; bad input fails with
 * {@link Assertion.InvalidAssertionException} and changes nothing.
 */
public interface StemeDB extends ReadView, AutoCloseable {

    /** A database on the Java heap, with default settings: no files, no native code. For tests and fixtures. */
    static StemeDB inMemory() {
        return builder().inMemory();
    }

    /**
     * Opens the database in {@code directory} with default settings, creating it if needed: RocksDB
     * on disk, fsync on every commit, 64 MiB of native cache.
     *
     * @see StemeDBBuilder#open(Path)
     */
    static StemeDB open(Path directory) {
        return builder().open(directory);
    }

    /** A builder for a database with non-default settings. */
    static StemeDBBuilder builder() {
        return new StemeDBBuilder();
    }

    /** Starts a claim; set its source (and any other field), then {@link PendingClaim#commit()}. */
    PendingClaim assertion(String subject, String predicate, Value value);

    /**
     * Runs {@code body} to fill a batch, then stores the whole batch atomically. If {@code body}
     * throws, or any assertion in it is invalid, nothing is stored.
     *
     * @return the ids of the batch's assertions, in the order they were added
     */
    List<AssertionId> write(Consumer<Batch> body);

    /**
     * Retracts the claim {@code target} on behalf of {@code source}. The claim stays in the
     * history, marked retracted; no lens will choose it again.
     *
     * @return the id of the retraction
     * @throws UnknownTargetException if no claim with that id is stored here
     */
    AssertionId retract(AssertionId target, String source);

    /** Retracts with metadata, a reason for example. */
    AssertionId retract(AssertionId target, String source, Map<String, String> metadata);

    /**
     * Starts the erasure of {@code scope}: the claims with given ids
     * ({@code Erasure.Scope.ids(...)}), or every claim recorded before the erasure about a subject
     * ({@code Erasure.Scope.subject("person:42")}), a subject and predicate
     * ({@code Erasure.Scope.fact(...)}) or by a source about a subject
     * ({@code Erasure.Scope.bySourceAbout(...)}). Unlike a retraction, an erasure deletes the
     * content of what it covers, on this replica and on every replica it reaches by sync; the ids
     * stay known, marked erased, so the content is refused wherever it comes from afterwards.
     * Set the source and the reason, then {@link PendingErasure#commit() commit}.
     */
    PendingErasure erase(Erasure.Scope scope);

    /**
     * The erasure that erased the claim {@code id} here, if one did: what remains of an erased
     * claim (its id, the erasure's source, time and reason), never its content.
     */
    Optional<Erasure> erasedBy(AssertionId id);

    /** What erasure did on this replica: the erasures stored, the claims erased, the content refused since it opened. */
    ErasureCounts erasureCounts();

    /**
     * Adds assertions received from another replica, as a set union: those already present are
     * skipped, the rest are stored atomically, and the clock advances past every timestamp
     * received. A retraction of a claim not seen yet is accepted, since the claim may arrive later.
     * An assertion over this database's value size limit is refused and reported; the others are
     * still stored.
     */
    MergeResult merge(Collection<? extends Assertion> assertions);

    /**
     * Like {@link #merge}, for assertions that arrived as bytes: each is re-hashed and checked
     * against its claimed id and decoded strictly; the ones that fail are reported, not stored.
     */
    MergeResult mergeEncoded(Collection<EncodedAssertion> records);

    /**
     * Like {@link #mergeEncoded(Collection)}, and in the same atomic write, stores each of
     * {@code checkpoints} under its name, replacing its earlier value; the checkpoints are stored
     * even when no record is new or {@code records} is empty. A crash keeps both or neither: how
     * a consumer of an external log (Kafka, in {@code stemedb-replication-kafka}) records the
     * position up to which it merged, so that after a restart it resumes exactly there. Read them
     * back with {@link #checkpoint}. Names are 1..256 UTF-8 bytes; values at most 64 KiB
     * (docs/format.md, "Checkpoints").
     *
     * @throws IllegalArgumentException if a name or value is out of those bounds (nothing is stored)
     */
    MergeResult mergeEncoded(Collection<EncodedAssertion> records, Map<String, byte[]> checkpoints);

    /**
     * Stores one checkpoint alone, as durably as a commit (see
     * {@link #mergeEncoded(Collection, Map)}): for positions that advance without a merge, such as
     * how far the local arrival log has been published.
     */
    void saveCheckpoint(String name, byte[] value);

    /** The value of checkpoint {@code name} as last stored, or empty if it never was. */
    Optional<byte[]> checkpoint(String name);

    /**
     * Loads a large number of assertions (from another replica, a file, an archive) much faster
     * than {@link #merge}: on disk, the input is cut into sorted runs written as RocksDB table
     * files and ingested at once, instead of a write batch per commit. The result is what
     * merging the same assertions in the same order would store, with one difference in
     * arrival order: the load's claims arrive in input order, then its retractions (and any claim
     * the load could not tell from one it had read, a few in a million) in input order. The same
     * validation as {@link #merge} applies: an invalid assertion is reported in
     * {@link BulkLoadResult#rejected()} and the others are stored; assertions already stored or
     * given twice are skipped.
     *
     * <p>Writers wait while a load runs; readers go on, and wait only while the table files are
     * ingested (a moment). Memory: two runs of at most 1,048,576 claims (or 64 MiB of records)
     * each, about 250 bytes of heap per claim beyond its record, plus two bytes per claim of
     * duplicate filter. Disk: the load's table files are written inside the database directory
     * (in {@code bulk-staging}) and then moved in, so the load needs free space of about the
     * size it adds.
     *
     * <p><b>Atomic.</b> If the load fails (bad input, an exception from the iterator, a full
     * disk, the process stopping) before every run is staged, nothing is stored and the staging
     * directory is deleted: the database is as it was. Once staged, the load is committed by a
     * synced journal record; a failure after that point leaves it to the next open to finish
     * (this instance then refuses every call with a {@link io.stemedb.storage.StorageException}
     * saying so): reopen the database and the load is complete. A database in memory stores the
     * load as one atomic commit.
     *
     * @param progress hears the phases ("bulk load: reading", "bulk load: ingesting"...)
     */
    BulkLoadResult bulkLoad(Iterator<? extends Assertion> assertions, ProgressListener progress);

    /** {@link #bulkLoad(Iterator, ProgressListener)} of a stream, closed afterwards. */
    default BulkLoadResult bulkLoad(Stream<? extends Assertion> assertions, ProgressListener progress) {
        try (assertions) {
            return bulkLoad(assertions.iterator(), progress);
        }
    }

    /**
     * Like {@link #bulkLoad}, for new claims and retractions written by this application: each
     * claim is stamped with this replica's clock as it is read, so arrival order equals HLC order,
     * and validated as {@link #write} validates (an invalid draft fails the whole load, which
     * then stores nothing). Retractions are stamped after every claim of the load and stored
     * after them; each must target a claim stored already or loaded by the same load, else the
     * load fails with {@link UnknownTargetException} and stores nothing.
     */
    BulkLoadResult bulkLoadDrafts(Iterator<? extends BulkDraft> drafts, ProgressListener progress);

    /** {@link #bulkLoadDrafts(Iterator, ProgressListener)} of a stream, closed afterwards. */
    default BulkLoadResult bulkLoadDrafts(Stream<? extends BulkDraft> drafts, ProgressListener progress) {
        try (drafts) {
            return bulkLoadDrafts(drafts.iterator(), progress);
        }
    }

    /**
     * Up to {@code limit} assertions that arrived after sequence number {@code afterSequence}, in
     * arrival order: a change feed. Start from 0; continue from the last sequence number read.
     */
    List<Change> changesSince(long afterSequence, int limit);

    /**
     * The database as it was at {@code instant}, judged by the assertions' own HLC timestamps, so
     * every replica holding the same set gives the same answers: claims and retractions recorded
     * after {@code instant} are invisible, and a claim retracted later is live again.
     */
    ReadView asOf(Instant instant);

    /**
     * Runs one Merkle sync session with a peer: finds the assertions each side lacks by comparing
     * digests of id ranges (O(d log n) bytes for d differences among n), fetches and stores what
     * this replica lacks, and pushes what the peer lacks. Every received record is re-hashed and
     * validated; refused ones are reported. Safe to cut at any point and run again.
     *
     * @throws io.stemedb.merkle.SyncException if the peer fails or refuses
     */
    SyncReport syncWith(SyncTransport peer);

    /** {@link #syncWith(SyncTransport)} with another database in this JVM. */
    default SyncReport syncWith(StemeDB peer) {
        return syncWith(SyncTransport.inProcess(peer.syncResponder()));
    }

    /**
     * Starts continuous replication with {@code peers}: a background thread per peer runs a
     * {@linkplain #syncWith(SyncTransport) sync session} with it every
     * {@code interval} (anti-entropy), and within about 50 ms of each local write (push; a burst
     * of writes makes one session). A failing peer is logged at WARN, counted in
     * {@link Replication#stats()} and retried with exponential backoff; it never stops the
     * replication of the others. Close the returned {@link Replication} to stop; it also stops by
     * itself when this database is closed.
     *
     * @param peers the transports to the other replicas, at least one
     * @param interval the anti-entropy period, positive
     * @throws IllegalArgumentException if {@code peers} is empty or {@code interval} is not positive
     */
    Replication replicate(List<SyncTransport> peers, Duration interval);

    /**
     * The answering side of sync for this database: mount it behind a transport (an HTTP handler
     * with {@link io.stemedb.merkle.SyncHttpHandler}) so that peers can sync with it. Stateless
     * and thread-safe.
     */
    SyncResponder syncResponder();

    /**
     * Takes an online native backup into {@code backupDir} (RocksDB's BackupEngine: incremental,
     * sharing unchanged table files with earlier backups there), keeping the newest
     * {@code keepLast}. Writers go on meanwhile; the backup holds every commit acknowledged before
     * it started and never part of one.
     *
     * @throws io.stemedb.storage.StorageException.Incompatible for a database in memory, which has no
     *     files: export an archive instead
     */
    BackupInfo backup(Path backupDir, int keepLast);

    /**
     * The native backups in {@code backupDir} that still hold the content of claims this database
     * has erased since they were taken, each with how many such claims (each backup is restored
     * into a temporary directory to be checked). Backups taken after an erasure hold none of what
     * it erased.
     */
    ErasedBackups backupsHoldingErased(Path backupDir);

    /**
     * Expires the native backups in {@code backupDir} that hold erased content (see
     * {@link #backupsHoldingErased}), then, if it expired any, takes a fresh backup. Archives
     * exported earlier are files this database does not track: delete them, or re-export.
     */
    ErasedBackups purgeErasedBackups(Path backupDir);

    /** The backups in {@code backupDir}, oldest first. */
    static List<BackupInfo> listBackups(Path backupDir) {
        return NativeFiles.listBackups(backupDir);
    }

    /**
     * Restores backup {@code backupId} (null: the newest) from {@code backupDir} into
     * {@code targetDir}, which must be new or empty; then open it with {@link #open}.
     */
    static BackupInfo restoreBackup(Path backupDir, @Nullable Integer backupId, Path targetDir) {
        return NativeFiles.restoreBackup(backupDir, backupId, targetDir);
    }

    /**
     * Upgrades the database in {@code directory}, written by a StemeDB of storage format 1, to the
     * current format, offline (close it everywhere first). Every assertion is rewritten in its
     * original arrival order into a new database beside it, {@code DIR.upgrading}, with the same
     * node id and sequence numbers; the new database is verified; only if it is clean are the
     * directories swapped: the format-1 database, never modified, is kept as
     * {@code DIR.format1-<UTC time>} ({@link UpgradeReport#format1Directory()}),
     * and the new one takes its place. If the upgrade fails or the process stops before the swap,
     * {@code directory} is as it was; a swap interrupted by a crash is finished by the next open or
     * upgrade. Takes about a minute per few million assertions (docs/operations.md).
     *
     * @throws io.stemedb.storage.StorageException.Incompatible if {@code directory} is not a database
     *     of format 1
     */
    static UpgradeReport upgrade(Path directory, ProgressListener progress) {
        return NativeFiles.upgrade(directory, progress);
    }

    /**
     * Writes a portable, self-verifying archive of the assertions {@code options} selects
     * (docs/format.md, "Archive"): any replica that reads the format can import it.
     */
    ArchiveSummary exportArchive(Path file, ExportOptions options, ProgressListener progress);

    /**
     * Verifies an archive completely, then merges its assertions (each re-hashed and validated);
     * a damaged archive stores nothing. Idempotent. Into an empty database the assertions are
     * {@linkplain #bulkLoad bulk-loaded}, so claims arrive first and retractions after them.
     *
     * @throws io.stemedb.backup.ArchiveException naming what is wrong, if the archive is damaged
     */
    MergeResult importArchive(Path file, ProgressListener progress);

    /** Reads a whole archive and checks every record, the checksum, the count and the Merkle root. */
    static ArchiveSummary verifyArchive(Path file, ProgressListener progress) {
        return Archive.verify(file, progress);
    }

    /** What the database holds. */
    Stats stats();

    /**
     * Adds figures to {@link #stats()}: from now on each {@code stats()} calls {@code figures} and
     * puts what it returns into {@link Stats#extensions()}, each key prefixed with
     * {@code name + "."}. For components that run beside the database (replication through
     * Kafka, for example) to report in the same place as the database. If {@code figures} throws,
     * that stats() reports {@code name + ".error"} with the exception's message instead (and logs it).
     * Thread-safe; {@code figures} must be too.
     *
     * @return closing it removes the figures (idempotent)
     */
    Registration addStats(String name, Supplier<Map<String, String>> figures);

    /** Something added to a database that closing removes. Idempotent. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** What this instance has done since it was opened: writes, reads, merges, backups. Cheap; never fails. */
    Counters counters();

    /**
     * Checks everything stored: that every assertion's bytes hash to its id and decode, that
     * every index entry points to a stored assertion that matches it and every assertion has its
     * index entries, and (on disk) every table file's checksums. Reads the whole database once,
     * as it was when the call began (on disk: one RocksDB snapshot, scanned sequentially), so
     * other threads may write meanwhile without causing false findings.
     *
     * @return the findings, each naming the assertion id or index key concerned
     */
    VerifyReport verify();

    /**
     * Binds {@code publicKey} (raw 32-byte Ed25519) to {@code source} in this database's key
     * registry from {@code from} on: claims of {@code source} made at or after {@code from} (by
     * their HLC time) and signed with the key pass {@link io.stemedb.lens.Lens#requireSignature()}.
     * The entry is an assertion signed by {@code root}, which must be the database's root key
     * ({@link StemeDBBuilder#rootKey}); it replicates like any claim and takes effect on the next
     * read. To rotate a key, bind the new one and {@link #revokeKey revoke} the old one from the
     * same instant.
     *
     * @return the id of the registry entry
     * @throws io.stemedb.model.Assertion.InvalidAssertionException if {@code root} is not the database's root key
     */
    AssertionId registerKey(String source, byte[] publicKey, java.time.Instant from, io.stemedb.model.SigningKey root);

    /**
     * Revokes {@code publicKey} for {@code source} from {@code at} on: its signatures no longer
     * prove claims made at or after {@code at}; claims made before stay proven. Revoking from
     * {@link java.time.Instant#EPOCH} withdraws every signature the key ever made (for a key that
     * leaked: its thief can stamp a claim with any time). A revocation is final: the key cannot be
     * bound again. Signed by {@code root}, like {@link #registerKey}.
     *
     * @return the id of the registry entry
     */
    AssertionId revokeKey(String source, byte[] publicKey, java.time.Instant at, io.stemedb.model.SigningKey root);

    /**
     * Checks every stored attestation and key registry entry again, from its stored bytes, and
     * counts what the attestations prove against the registry as it is now.
     */
    SignatureReport verifySignatures();

    /**
     * Rewrites the stored data into its most compact form, for example after a bulk load, and
     * returns when done. Reads and writes may go on meanwhile. A database in memory has nothing to
     * compact.
     */
    void compact();

    /** This replica's node id, the one its HLC timestamps carry. */
    long nodeId();

    /** Closes the database; further calls fail with {@link ClosedException}. Idempotent. */
    @Override
    void close();

    /** Thrown when a closed database is used. */
    final class ClosedException extends StemeException {
        private static final long serialVersionUID = 1L;

        public ClosedException() {
            super("this StemeDB is closed; open it again to use it");
        }
    }

    /** Thrown when a retraction names a claim this database does not hold. */
    final class UnknownTargetException extends StemeException {
        private static final long serialVersionUID = 1L;
        private final AssertionId target;

        public UnknownTargetException(AssertionId target) {
            super("no claim with id " + target + " is stored here, so it cannot be retracted; "
                    + "check the id (retractions of claims not yet received are accepted only through merge)");
            this.target = target;
        }

        public AssertionId target() {
            return target;
        }
    }
}
