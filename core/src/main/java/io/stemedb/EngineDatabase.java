package io.stemedb;

import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncResponder;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.HlcClock;
import io.stemedb.model.Value;
import io.stemedb.storage.Engine;
import io.stemedb.storage.EngineStats;
import io.stemedb.storage.ErasureStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link StemeDB} over an {@link Engine}: a facade over its collaborators, each of which
 * owns one concern. Reads go to an {@link EngineView} over a {@link MeteredEngine}; local writes
 * and merges to the {@link GroupCommitWriter} (merges and bulk loads validated by
 * {@link Intake}); sync to {@link Syncing}; backups to {@link Backups}; archives to
 * {@link Archives}. All share one {@link Lifecycle}. Thread-safe, as each collaborator is.
 */
final class EngineDatabase implements StemeDB {
    private final Engine engine;
    private final String engineName;
    private final long node;
    private final Lifecycle lifecycle;
    private final Meters meters = new Meters();
    private final EngineView view;
    private final GroupCommitWriter writer;
    private final Intake intake;
    private final Syncing syncing;
    private final Backups backups;
    private final Archives archives;
    private final StatsExtensions extensions = new StatsExtensions();
    private final Signatures signatures;

    EngineDatabase(Engine engine, String engineName, DatabaseLimits limits, boolean readOnly) {
        this.engine = engine;
        this.engineName = engineName;
        this.node = engine.nodeId();
        this.lifecycle = new Lifecycle(readOnly);
        HlcClock clock = new HlcClock(limits.wall(), node, engine.maxHlc().orElse(null));
        this.signatures = new Signatures(engine, rootKey(engine, limits.rootKey(), readOnly), meters);
        signatures.load();
        this.view = new EngineView(new MeteredEngine(engine, meters), null, lifecycle, signatures);
        CommitListeners listeners = new CommitListeners();
        this.writer = new GroupCommitWriter(engine, clock, limits, lifecycle, meters, listeners, signatures);
        this.intake = new Intake(engine, lifecycle, writer, limits, meters, signatures);
        this.syncing = new Syncing(engine, lifecycle, listeners, intake, limits);
        this.backups = new Backups(engine, lifecycle, meters);
        this.archives = new Archives(engine, lifecycle, intake);
    }

    /**
     * The root key of the database's key registry: the one it keeps (from its first open with a
     * root key), else {@code configured}, which a writable database then keeps.
     *
     * @throws io.stemedb.model.SigningKey.InvalidKeyException if {@code configured} is not the kept one
     */
    private static byte[] rootKey(Engine engine, byte[] configured, boolean readOnly) {
        byte[] kept = engine.checkpoint(Signatures.ROOT_CHECKPOINT).orElse(null);
        if (configured == null || java.util.Arrays.equals(kept, configured)) {
            return kept;
        }
        java.util.HexFormat hex = java.util.HexFormat.of();
        if (kept != null) {
            throw new io.stemedb.model.SigningKey.InvalidKeyException("this database's key registry has root key "
                    + hex.formatHex(kept) + ", not " + hex.formatHex(configured) + "; open it with its own root key (a root key "
                    + "cannot change: make a new database and import an archive to change it)");
        }
        if (!readOnly) {
            engine.commit(List.of(), Map.of(Signatures.ROOT_CHECKPOINT, configured));
        }
        return configured;
    }

    @Override
    public AssertionId registerKey(String source, byte[] publicKey, Instant from, io.stemedb.model.SigningKey root) {
        return keyEntry(source, io.stemedb.model.KeyEntry.Action.BIND, publicKey, from, root);
    }

    @Override
    public AssertionId revokeKey(String source, byte[] publicKey, Instant at, io.stemedb.model.SigningKey root) {
        return keyEntry(source, io.stemedb.model.KeyEntry.Action.REVOKE, publicKey, at, root);
    }

    private AssertionId keyEntry(String source, io.stemedb.model.KeyEntry.Action action, byte[] publicKey, Instant at,
            io.stemedb.model.SigningKey root) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(root, "root");
        lifecycle.checkOpen();
        byte[] key = publicKey.clone();
        return writer.write(List.of(hlc -> io.stemedb.model.KeyEntry.entry(source, action, key, at, root, hlc))).get(0);
    }

    @Override
    public SignatureReport verifySignatures() {
        return lifecycle.call(() -> signatures.verify());
    }

    /** The digest of the whole id set as the engine keeps it (the root sync starts from). */
    IdDigest storedDigest() {
        return syncing.digest();
    }

    @Override
    public Counters counters() {
        return meters.snapshot();
    }

    @Override
    public PendingClaim assertion(String subject, String predicate, Value value) {
        lifecycle.checkOpen();
        return new PendingClaim(writer, subject, predicate, value);
    }

    @Override
    public List<AssertionId> write(Consumer<Batch> body) {
        Objects.requireNonNull(body, "body");
        lifecycle.checkOpen();
        Batch batch = new Batch();
        body.accept(batch);
        return commit(batch.drafts());
    }

    @Override
    public AssertionId retract(AssertionId target, String source) {
        return retract(target, source, Map.of());
    }

    @Override
    public AssertionId retract(AssertionId target, String source, Map<String, String> metadata) {
        Objects.requireNonNull(target, "target");
        return commit(List.of(new RetractionDraft(target, source, metadata))).get(0);
    }

    @Override
    public PendingErasure erase(Erasure.Scope scope) {
        lifecycle.checkOpen();
        return new PendingErasure(writer, scope);
    }

    @Override
    public Optional<Erasure> erasedBy(AssertionId id) {
        Objects.requireNonNull(id, "id");
        return lifecycle.call(() -> engine.erasedBy(id));
    }

    @Override
    public ErasedBackups backupsHoldingErased(Path backupDir) {
        return backups.holdingErased(backupDir);
    }

    @Override
    public ErasedBackups purgeErasedBackups(Path backupDir) {
        return backups.purgeErased(backupDir);
    }

    @Override
    public ErasureCounts erasureCounts() {
        ErasureStats s = lifecycle.call(engine::erasureStats);
        return new ErasureCounts(s.erasures(), s.erasedClaims(), s.refused());
    }

    private List<AssertionId> commit(List<? extends Function<Hlc, ? extends Assertion>> drafts) {
        return writer.write(drafts);
    }

    @Override
    public MergeResult merge(Collection<? extends Assertion> assertions) {
        return intake.merge(assertions);
    }

    @Override
    public MergeResult mergeEncoded(Collection<EncodedAssertion> records) {
        return intake.mergeEncoded(records);
    }

    @Override
    public MergeResult mergeEncoded(Collection<EncodedAssertion> records, Map<String, byte[]> checkpoints) {
        return intake.mergeEncoded(records, checkpoints);
    }

    @Override
    public void saveCheckpoint(String name, byte[] value) {
        Engine.checkCheckpoint(name, value);
        lifecycle.checkWritable();
        writer.merge(List.of(), Map.of(name, value.clone()));
    }

    @Override
    public Optional<byte[]> checkpoint(String name) {
        Objects.requireNonNull(name, "name");
        return lifecycle.call(() -> engine.checkpoint(name));
    }

    @Override
    public BulkLoadResult bulkLoad(Iterator<? extends Assertion> assertions, ProgressListener progress) {
        return intake.bulkLoad(assertions, progress);
    }

    @Override
    public BulkLoadResult bulkLoadDrafts(Iterator<? extends BulkDraft> drafts, ProgressListener progress) {
        return intake.bulkLoadDrafts(drafts, progress);
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        return view.get(id);
    }

    @Override
    public Evidence history(String subject, String predicate) {
        return view.history(subject, predicate);
    }

    @Override
    public Resolution resolve(String subject, String predicate, Lens lens) {
        return view.resolve(subject, predicate, lens);
    }

    @Override
    public SortedMap<String, Resolution> entity(String subject, Lens lens) {
        return view.entity(subject, lens);
    }

    @Override
    public List<Conflict> conflicts(String subject) {
        return view.conflicts(subject);
    }

    @Override
    public Page<Conflict> conflicts(@Nullable String afterSubject, int limit) {
        return view.conflicts(afterSubject, limit);
    }

    @Override
    public List<String> subjects(@Nullable String afterSubject, int limit) {
        return view.subjects(afterSubject, limit);
    }

    @Override
    public List<String> find(String predicate, Value value, Lens lens) {
        return view.find(predicate, value, lens);
    }

    @Override
    public List<Assertion> bySource(String source) {
        return view.bySource(source);
    }

    @Override
    public ReadView asOf(Instant instant) {
        return view.asOf(instant);
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must be 0 or a sequence number already read, got " + afterSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        return lifecycle.call(() -> engine.changesSince(afterSequence, limit));
    }

    @Override
    public Stats stats() {
        return lifecycle.call(() -> {
            EngineStats s = engine.stats();
            return new Stats(s.assertions(), s.claims(), s.retractions(), s.lastSequence(), node, engineName,
                    engine.properties(), extensions.figures());
        });
    }

    @Override
    public Registration addStats(String name, Supplier<Map<String, String>> figures) {
        lifecycle.checkOpen();
        return extensions.add(name, figures);
    }

    @Override
    public long nodeId() {
        lifecycle.checkOpen();
        return node;
    }

    @Override
    public SyncReport syncWith(SyncTransport peer) {
        return syncing.syncWith(peer);
    }

    @Override
    public Replication replicate(List<SyncTransport> peers, Duration interval) {
        return syncing.replicate(peers, interval);
    }

    @Override
    public SyncResponder syncResponder() {
        return syncing.responder();
    }

    @Override
    public BackupInfo backup(Path backupDir, int keepLast) {
        return backups.backup(backupDir, keepLast);
    }

    @Override
    public ArchiveSummary exportArchive(Path file, ExportOptions options, ProgressListener progress) {
        return archives.export(file, options, progress);
    }

    @Override
    public MergeResult importArchive(Path file, ProgressListener progress) {
        return archives.importInto(file, progress);
    }

    @Override
    public void compact() {
        lifecycle.checkWritable();
        lifecycle.call(() -> {
            engine.compact();
            return null;
        });
    }

    @Override
    public VerifyReport verify() {
        return VerifyReport.of(lifecycle.call(engine::verify));
    }

    /**
     * Closes after committing what writers had already queued (they were past their checks, so
     * they get their answer), then frees the engine.
     */
    @Override
    public void close() {
        if (lifecycle.close()) {
            writer.close(engine::close);
        }
    }

    @Override
    public String toString() {
        return "StemeDB[" + engineName + ", node " + Hlc.nodeHex(node) + (lifecycle.isOpen() ? "" : ", closed") + "]";
    }
}
