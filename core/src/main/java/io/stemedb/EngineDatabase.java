package io.stemedb;

import io.stemedb.backup.Archive;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.crdt.Evidence;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncResponder;
import io.stemedb.merkle.SyncSession;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.HlcClock;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import io.stemedb.storage.Engine;
import io.stemedb.storage.EngineStats;
import io.stemedb.storage.RocksBackups;
import io.stemedb.storage.RocksEngine;
import io.stemedb.storage.StorageException;
import io.stemedb.storage.VerifyReport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StemeDB} over an {@link Engine}.
 *
 * <p><b>Design: group commit.</b> A writer stamps and validates its assertions under the short
 * {@code stampLock} and appends them to a queue in stamp order. Then it waits for
 * {@code commitLock}; whoever holds it (the leader) drains the whole queue and hands it to the
 * engine as one atomic commit, then wakes every writer of the group with its own result. While a
 * leader waits for its fsync, later writers queue up behind it and share the next one: the
 * classic group commit of database logs (Helland et al., "Group Commit Timers and High Volume
 * Transaction Systems", 1987; DeWitt et al. 1984). Because the queue is filled in stamp order and
 * drained in order, arrival order equals HLC order for local writes. A retraction's target check
 * cannot race with anything: the set only grows. Readers take no lock here; the engine gives them
 * consistent views.
 */
final class EngineDatabase extends EngineView implements StemeDB {
    private static final Logger LOG = LoggerFactory.getLogger(EngineDatabase.class);

    private final String engineName;
    private final Limits limits;
    private final HlcClock clock;
    private final boolean readOnly;
    /** Orders stamping and queueing; guards {@link #queue}. */
    private final ReentrantLock stampLock = new ReentrantLock();
    /** Held by the leader for one engine commit. */
    private final ReentrantLock commitLock = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private static final int EXPORT_PAGE = 4096;
    private final EngineSyncReplica syncReplica = new EngineSyncReplica(this);
    private final SyncLimits syncLimits;
    private final Meters meters = new Meters();

    /**
     * What {@link StemeDBMetrics} reports: counts and total nanoseconds of writes, reads and
     * merges, and the time of the last backup; nothing here depends on Micrometer. Thread-safe, and
     * no shared counter is a point of contention: {@link LongAdder}s spread concurrent increments
     * over cells of their own.
     *
     * <p>A write or merge pays a {@code System.nanoTime()} pair. A read is counted always and timed
     * one time in {@link #READ_SAMPLE}, drawn at random per read from the reading thread's own
     * generator: a nanoTime pair costs about 50 ns on a virtual machine's clock (kvm-clock), a
     * quarter of a read served from the heap. The reads' total time is estimated from the timed ones.
     */
    static final class Meters {
        /** Assertions stored by local writes (claims and retractions of successful write calls). */
        final LongAdder written = new LongAdder();
        /** Successful write calls (a claim, a batch, a retraction) and their total time. */
        final LongAdder writeCalls = new LongAdder();
        final LongAdder writeNanos = new LongAdder();
        /** Write calls that failed (invalid input, closed, storage error): nothing stored. */
        final LongAdder writeErrors = new LongAdder();
        /** One read in this many is timed. */
        static final int READ_SAMPLE = 16;
        /** Marks a read that is counted, not timed. */
        static final long NOT_TIMED = Long.MIN_VALUE;
        /** Reads: each (subject, predicate) history loaded, each get by id, each bySource. */
        final LongAdder reads = new LongAdder();
        /** The reads that were timed, and their total time. */
        final LongAdder readsTimed = new LongAdder();
        final LongAdder readNanos = new LongAdder();
        /** Merge calls (sync, archive import, merge) and their time, and the assertions they added. */
        final LongAdder merges = new LongAdder();
        final LongAdder mergeNanos = new LongAdder();
        final LongAdder merged = new LongAdder();
        /** Failed backups. */
        final LongAdder backupErrors = new LongAdder();
        /** Epoch milliseconds of the last successful backup by this instance, 0 before the first. */
        volatile long lastBackupMillis;

        private static void add(LongAdder calls, LongAdder nanos, long startNanos) {
            calls.increment();
            nanos.add(System.nanoTime() - startNanos);
        }

        /** The start of a read: its {@code System.nanoTime()} if it is one of those timed, else {@link #NOT_TIMED}. */
        static long readStart() {
            return ThreadLocalRandom.current().nextInt(READ_SAMPLE) == 0 ? System.nanoTime() : NOT_TIMED;
        }

        void readDone(long start) {
            reads.increment();
            if (start != NOT_TIMED) {
                add(readsTimed, readNanos, start);
            }
        }

        /** The total time of every read, estimated from those timed: their mean times the reads. */
        double readNanosEstimate() {
            long timed = readsTimed.sum();
            return timed == 0 ? 0 : readNanos.sum() * (reads.sum() / (double) timed);
        }
    }

    /** The counters {@link StemeDBMetrics} reads. */
    Meters meters() {
        return meters;
    }

    /** Called after each successful local write (not merges): how {@link Replication} learns there is something to push. */
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();

    /** One writer's assertions waiting in the group-commit queue, and later its outcome. */
    private static final class Pending {
        final List<Assertion> assertions;
        List<Change> added;
        RuntimeException failure;
        boolean done;

        Pending(List<Assertion> assertions) {
            this.assertions = assertions;
        }
    }

    /** What the database accepts: the wall clock it reads, the value size limit, the clock drift it tolerates, its sync bounds. */
    record Limits(Clock wall, int maxValueBytes, Duration maxClockDrift, SyncLimits sync) {}

    EngineDatabase(Engine engine, String engineName, Limits limits, boolean readOnly) {
        super(engine, null, null);
        this.engineName = engineName;
        this.limits = limits;
        this.clock = new HlcClock(limits.wall(), engine.nodeId(), engine.maxHlc().orElse(null));
        this.readOnly = readOnly;
        // A frame must hold the largest record this database accepts, or that record could never sync.
        SyncLimits sync = limits.sync();
        this.syncLimits = new SyncLimits(Math.max(sync.maxFrameBytes(), limits.maxValueBytes() + (1 << 20)),
                sync.idListThreshold(), sync.maxItemsPerRequest(), sync.maxOpenRanges(), sync.maxSessionIds(),
                sync.maxRounds(), sync.maxSessionBytes(), sync.maxSessionTime());
    }

    @Override
    void checkOpen() {
        if (closed.get()) {
            throw new ClosedException();
        }
    }

    @Override
    public PendingClaim assertion(String subject, String predicate, Value value) {
        checkOpen();
        return new PendingClaim(this, subject, predicate, value);
    }

    @Override
    public List<AssertionId> write(Consumer<Batch> body) {
        Objects.requireNonNull(body, "body");
        checkOpen();
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
        return commit(List.of(hlc -> Retraction.of(target, source, hlc, metadata))).get(0);
    }

    /** Stamps, validates and stores drafts atomically. */
    List<AssertionId> commit(List<? extends Function<Hlc, ? extends Assertion>> drafts) {
        if (drafts.isEmpty()) {
            return List.of();
        }
        long start = System.nanoTime();
        try {
            List<AssertionId> ids = stampAndStore(drafts);
            Meters.add(meters.writeCalls, meters.writeNanos, start);
            meters.written.add(ids.size());
            return ids;
        } catch (RuntimeException e) {
            meters.writeErrors.increment();
            throw e;
        }
    }

    private List<AssertionId> stampAndStore(List<? extends Function<Hlc, ? extends Assertion>> drafts) {
        List<AssertionId> ids = new ArrayList<>(drafts.size());
        Pending pending;
        stampLock.lock();
        try {
            checkWritable();
            List<Assertion> batch = new ArrayList<>(drafts.size());
            for (Function<Hlc, ? extends Assertion> draft : drafts) {
                Assertion a = draft.apply(clock.now());
                checkLocal(a);
                batch.add(a);
                ids.add(a.id());
            }
            pending = enqueue(batch);
        } finally {
            stampLock.unlock();
        }
        await(pending);
        notifyCommitted();
        return ids;
    }

    void addCommitListener(Runnable listener) {
        commitListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void removeCommitListener(Runnable listener) {
        commitListeners.remove(listener);
    }

    /** Tells the listeners that a local write is visible; a failing listener is logged and never fails the write. */
    private void notifyCommitted() {
        for (Runnable listener : commitListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a commit listener failed; the write itself succeeded", e);
            }
        }
    }

    private void checkWritable() {
        checkOpen();
        if (readOnly) {
            throw new StorageException.ReadOnly();
        }
    }

    /** Queues assertions for the next group commit; the caller holds {@link #stampLock}. */
    private Pending enqueue(List<Assertion> assertions) {
        Pending p = new Pending(assertions);
        queue.addLast(p);
        return p;
    }

    /** Waits until {@code p} is committed, leading the commit of its group if no one else does. */
    private void await(Pending p) {
        commitLock.lock();
        try {
            if (!p.done) {
                commitQueued();
            }
        } finally {
            commitLock.unlock();
        }
        if (p.failure != null) {
            throw p.failure;
        }
    }

    /** Commits everything queued as one engine commit; the caller holds {@link #commitLock}. */
    private void commitQueued() {
        List<Pending> group;
        stampLock.lock();
        try {
            group = new ArrayList<>(queue);
            queue.clear();
        } finally {
            stampLock.unlock();
        }
        if (group.isEmpty()) {
            return;
        }
        List<Assertion> all = new ArrayList<>();
        group.forEach(g -> all.addAll(g.assertions));
        try {
            Map<AssertionId, Change> added = new HashMap<>();
            for (Change c : engine.commit(all)) {
                added.put(c.assertion().id(), c);
            }
            for (Pending g : group) {
                g.added = new ArrayList<>();
                for (Assertion a : g.assertions) {
                    Change c = added.remove(a.id());
                    if (c != null) {
                        g.added.add(c);
                    }
                }
            }
        } catch (RuntimeException e) {
            group.forEach(g -> g.failure = e);
        } finally {
            group.forEach(g -> g.done = true);
        }
    }

    private void checkLocal(Assertion a) {
        checkValueSize(a);
        if (a instanceof Retraction) {
            AssertionId target = ((Retraction) a).target();
            Optional<Assertion> stored = engine(en -> en.get(target));
            if (stored.isEmpty()) {
                throw new UnknownTargetException(target);
            }
            if (!(stored.get() instanceof Claim)) {
                throw new Assertion.InvalidAssertionException("target",
                        target + " is a retraction; only claims can be retracted (the set is two-phase: a retraction is final)");
            }
        }
    }

    private void checkValueSize(Assertion a) {
        if (a instanceof Claim) {
            int size = ((Claim) a).value().encodedSize();
            if (size > limits.maxValueBytes()) {
                throw new Assertion.InvalidAssertionException("value", String.format(
                        "is %,d bytes, more than this database's limit of %,d; raise maxValueBytes when building the "
                                + "database or store large content elsewhere and assert a reference to it", size, limits.maxValueBytes()));
            }
        }
    }

    @Override
    public MergeResult merge(Collection<? extends Assertion> assertions) {
        return mergeValid(new ArrayList<>(assertions), new ArrayList<>());
    }

    @Override
    Evidence evidence(String subject, String predicate) {
        long start = Meters.readStart();
        try {
            return super.evidence(subject, predicate);
        } finally {
            meters.readDone(start);
        }
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        long start = Meters.readStart();
        try {
            return super.get(id);
        } finally {
            meters.readDone(start);
        }
    }

    @Override
    public List<Assertion> bySource(String source) {
        long start = Meters.readStart();
        try {
            return super.bySource(source);
        } finally {
            meters.readDone(start);
        }
    }

    @Override
    public MergeResult mergeEncoded(Collection<EncodedAssertion> records) {
        List<Assertion> decoded = new ArrayList<>(records.size());
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        for (EncodedAssertion record : records) {
            try {
                decoded.add(record.decode());
            } catch (StemeException e) {
                rejected.add(new MergeResult.Rejected(record.id(), e.getMessage()));
            }
        }
        return mergeValid(decoded, rejected);
    }

    private MergeResult mergeValid(List<Assertion> candidates, List<MergeResult.Rejected> rejected) {
        long start = System.nanoTime();
        MergeResult result = mergeTimed(candidates, rejected);
        Meters.add(meters.merges, meters.mergeNanos, start);
        meters.merged.add(result.added());
        return result;
    }

    private MergeResult mergeTimed(List<Assertion> candidates, List<MergeResult.Rejected> rejected) {
        checkWritable();
        List<Assertion> accepted = new ArrayList<>(candidates.size());
        Set<AssertionId> distinct = new HashSet<>();
        int valid = 0;
        long latestAcceptable = limits.wall().millis() + limits.maxClockDrift().toMillis();
        for (Assertion a : candidates) {
            if (!acceptable(a, latestAcceptable, rejected)) {
                continue;
            }
            valid++;
            if (distinct.add(a.id())) {
                accepted.add(a);
            }
        }
        for (MergeResult.Rejected r : rejected) {
            LOG.warn("merge refused assertion {}: {}", r.id(), r.reason());
        }
        if (accepted.isEmpty()) {
            return new MergeResult(0, valid, rejected);
        }
        Pending pending;
        stampLock.lock();
        try {
            checkWritable();
            accepted.forEach(a -> clock.observe(a.hlc()));
            pending = enqueue(accepted);
        } finally {
            stampLock.unlock();
        }
        await(pending);
        int added = pending.added.size();
        return new MergeResult(added, valid - added, rejected);
    }

    @Override
    public BulkLoadResult bulkLoad(Iterator<? extends Assertion> assertions, ProgressListener progress) {
        Objects.requireNonNull(assertions, "assertions");
        return loadValid(sink -> assertions.forEachRemaining(sink), progress);
    }

    /** A bulk load of assertions validated as a merge validates them; {@code source} pushes them. */
    private BulkLoadResult loadValid(Consumer<Consumer<Assertion>> source, ProgressListener progress) {
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        long latestAcceptable = limits.wall().millis() + limits.maxClockDrift().toMillis();
        long[] read = new long[1];
        return load(sink -> source.accept(a -> {
            read[0]++;
            if (!acceptable(a, latestAcceptable, rejected)) {
                return;
            }
            clock.observe(a.hlc());
            sink.accept(a);
        }), isClaim -> List.of(), progress, rejected, read, false);
    }

    @Override
    public BulkLoadResult bulkLoadDrafts(Iterator<? extends BulkDraft> drafts, ProgressListener progress) {
        Objects.requireNonNull(drafts, "drafts");
        List<BulkDraft.Retraction> retractions = new ArrayList<>();
        long[] read = new long[1];
        return load(sink -> drafts.forEachRemaining(d -> {
            read[0]++;
            if (d instanceof BulkDraft.Retraction r) {
                retractions.add(r);
            } else {
                Claim c = ((BulkDraft.Claim) d).build(clock.now());
                checkValueSize(c);
                sink.accept(c);
            }
        }), isClaim -> {
            List<Assertion> late = new ArrayList<>(retractions.size());
            for (BulkDraft.Retraction r : retractions) {
                if (!isClaim.test(r.target())) {
                    throw new UnknownTargetException(r.target());
                }
                late.add(Retraction.of(r.target(), r.source(), clock.now(), r.metadata()));
            }
            return late;
        }, progress, List.of(), read, true);
    }

    /**
     * Runs a bulk load with every writer held off: the writers already queued are committed
     * first, then the load holds both write locks (so no local write is stamped meanwhile, and
     * HLC order stays arrival order).
     */
    private BulkLoadResult load(Consumer<Consumer<Assertion>> feed, Function<Predicate<AssertionId>, List<Assertion>> late,
            ProgressListener progress, List<MergeResult.Rejected> rejected, long[] read, boolean freshlyStamped) {
        Objects.requireNonNull(progress, "progress");
        long start = System.nanoTime();
        checkWritable();
        commitLock.lock();
        try {
            commitQueued();
            stampLock.lock();
            try {
                checkWritable();
                BulkLoadResult result;
                if (engine instanceof RocksEngine rocks) {
                    RocksEngine.BulkLoaded r = rocks.bulkLoad(new RocksEngine.BulkInput() {
                        @Override
                        public void feed(Consumer<Assertion> sink) {
                            feed.accept(sink);
                        }

                        @Override
                        public List<Assertion> late(Predicate<AssertionId> isClaim) {
                            return late.apply(isClaim);
                        }

                        @Override
                        public void progress(String phase, long done, long total) {
                            progress.progress(phase, done, total);
                        }

                        @Override
                        public boolean freshlyStamped() {
                            return freshlyStamped;
                        }
                    });
                    for (MergeResult.Rejected r0 : rejected) {
                        LOG.warn("bulk load refused assertion {}: {}", r0.id(), r0.reason());
                    }
                    result = new BulkLoadResult(read[0], r.added(), r.duplicates(), rejected, r.deferred(), r.runs());
                } else {
                    // In memory: the whole load is one atomic commit, its claims first, then the rest.
                    List<Assertion> ordered = new ArrayList<>();
                    List<Assertion> after = new ArrayList<>();
                    Set<AssertionId> loadedClaims = new HashSet<>();
                    feed.accept(a -> {
                        if (a instanceof Claim) {
                            ordered.add(a);
                            loadedClaims.add(a.id());
                        } else {
                            after.add(a);
                        }
                    });
                    after.addAll(late.apply(id -> loadedClaims.contains(id)
                            || engine.get(id).map(Claim.class::isInstance).orElse(false)));
                    ordered.addAll(after);
                    long added = engine.commit(ordered).size();
                    result = new BulkLoadResult(read[0], added, ordered.size() - added, rejected, after.size(), 0);
                }
                meters.merged.add(result.added());
                Meters.add(meters.merges, meters.mergeNanos, start);
                return result;
            } finally {
                stampLock.unlock();
            }
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Whether an assertion from elsewhere (a merge, a bulk load) may be stored: within the value
     * size limit, and not stamped further ahead of this replica's clock than it tolerates. If
     * not, the reason is added to {@code rejected}.
     */
    private boolean acceptable(Assertion a, long latestAcceptable, List<MergeResult.Rejected> rejected) {
        try {
            checkValueSize(a);
            if (a.hlc().physicalMillis() > latestAcceptable) {
                throw new Assertion.InvalidAssertionException("hlc", a.hlc() + " is more than "
                        + limits.maxClockDrift() + " ahead of this replica's clock; fix the sending replica's clock "
                        + "(or raise maxClockDrift) and sync again");
            }
            return true;
        } catch (Assertion.InvalidAssertionException e) {
            rejected.add(new MergeResult.Rejected(a.id(), e.getMessage()));
            return false;
        }
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must be 0 or a sequence number already read, got " + afterSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        return engine(en -> en.changesSince(afterSequence, limit));
    }

    @Override
    public ReadView asOf(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        checkOpen();
        return new EngineView(engine, instant, this);
    }

    @Override
    public Stats stats() {
        return engine(en -> {
            EngineStats s = en.stats();
            return new Stats(s.assertions(), s.claims(), s.retractions(), s.lastSequence(), clock.node(), engineName,
                    en.properties());
        });
    }

    @Override
    public long nodeId() {
        checkOpen();
        return clock.node();
    }

    @Override
    public SyncReport syncWith(SyncTransport peer) {
        checkWritable();
        return new SyncSession(syncReplica, peer, syncLimits).run();
    }

    @Override
    public Replication replicate(List<SyncTransport> peers, Duration interval) {
        checkWritable();
        return new Replication(this, peers, interval);
    }

    @Override
    public SyncResponder syncResponder() {
        checkOpen();
        return new SyncResponder(syncReplica, syncLimits);
    }

    @Override
    public RocksBackups.BackupInfo backup(Path backupDir, int keepLast) {
        Objects.requireNonNull(backupDir, "backupDir");
        checkOpen();
        if (!(engine instanceof RocksEngine)) {
            throw new StorageException.Incompatible("a database in memory has no files to back up; "
                    + "export an archive with exportArchive instead");
        }
        try {
            RocksBackups.BackupInfo info = engine(en -> RocksBackups.create((RocksEngine) en, backupDir, keepLast));
            meters.lastBackupMillis = System.currentTimeMillis();
            return info;
        } catch (RuntimeException e) {
            meters.backupErrors.increment();
            throw e;
        }
    }

    @Override
    public ArchiveSummary exportArchive(Path file, ExportOptions options, ProgressListener progress) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        checkOpen();
        long upTo = engine(Engine::lastSequence);
        return Archive.export(() -> selected(options, upTo), file, options.describe(), options.compress(), progress);
    }

    /** The assertions {@code options} selects among the first {@code upTo} to arrive, read a page at a time. */
    private Iterator<Assertion> selected(ExportOptions options, long upTo) {
        return new Iterator<>() {
            private final ArrayDeque<Assertion> page = new ArrayDeque<>();
            private long after;

            @Override
            public boolean hasNext() {
                while (page.isEmpty() && after < upTo) {
                    for (Change c : changesSince(after, (int) Math.min(EXPORT_PAGE, upTo - after))) {
                        after = c.sequence();
                        if (options.selects(c.assertion())) {
                            page.add(c.assertion());
                        }
                    }
                }
                return !page.isEmpty();
            }

            @Override
            public Assertion next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.poll();
            }
        };
    }

    /**
     * Into an empty database, an archive is bulk-loaded (after it is verified whole, as always);
     * otherwise it is merged a page at a time.
     */
    @Override
    public MergeResult importArchive(Path file, ProgressListener progress) {
        Objects.requireNonNull(file, "file");
        checkWritable();
        if (engine(Engine::lastSequence) == 0) {
            BulkLoadResult r = loadValid(sink -> Archive.importInto(file, batch -> batch.forEach(sink), progress), progress);
            return new MergeResult(Math.toIntExact(r.added()), Math.toIntExact(r.duplicates()), r.rejected());
        }
        int[] counts = new int[2];
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        Archive.importInto(file, batch -> {
            MergeResult r = merge(batch);
            counts[0] += r.added();
            counts[1] += r.duplicates();
            rejected.addAll(r.rejected());
        }, progress);
        return new MergeResult(counts[0], counts[1], rejected);
    }

    @Override
    public void compact() {
        checkWritable();
        engine(en -> {
            en.compact();
            return null;
        });
    }

    @Override
    public VerifyReport verify() {
        return engine(Engine::verify);
    }

    /**
     * Closes after committing what writers had already queued (they were past their checks, so
     * they get their answer), then frees the engine.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            commitLock.lock();
            try {
                commitQueued();
                engine.close();
            } finally {
                commitLock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "StemeDB[" + engineName + ", node " + Hlc.nodeHex(clock.node()) + (closed.get() ? ", closed" : "") + "]";
    }
}
