package io.stemedb.storage;

import io.stemedb.crdt.ErasedClaim;
import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.Utf8;
import io.stemedb.model.Value;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Engine} on RocksDB: StemeDB's durable storage, in storage format 2.
 *
 * <p><b>Design.</b> What a read of a fact needs is written once, synchronously; everything else
 * trails. A commit is one RocksDB {@link WriteBatch} holding, per new assertion, its record as an
 * entry appended to its fact ({@link FactEntries}, by RocksDB's append merge operator, so the
 * write reads nothing), its id with its arrival sequence, and the log entry that says where its
 * record lives; plus the counters record. A reader or a reopened database sees all of a commit or
 * none of it. Reading a fact that is not cached is one point lookup of a fixed-width key
 * ({@link Keys#factKey}) with a bloom filter, returning the fact's whole evidence. The indexes no
 * point read needs (by source, by value, the subjects, the Merkle bucket digests) are written by
 * the {@link Indexer} behind the commits; the queries that read them wait for it. Column families
 * are declared in {@link Family}, key layouts in docs/format.md and {@link Keys}.
 *
 * <p>A fact read many times over a short span, or written many times, stays cheap: merge operands
 * of one key are combined pairwise by RocksDB (each combination copies the value so far), so a
 * fact this process appends to {@link #SEAL_AFTER} times is <em>sealed</em>: its head's entries
 * move to a chunk, written once and never changed, and the head starts again. A fact of 100,000
 * claims is a head and a few thousand chunks, read with one lookup and one batched read.
 *
 * <p>A retraction's record lives in the fact of the claim it retracts, naming that claim by its
 * sequence number; a retraction whose target is not a stored claim waits among the orphans
 * ({@link Family#ORPHANS}), and the commit that stores its target moves it into the target's fact.
 * The counters keep how many wait, so that the usual case (none) costs a new claim no lookup.
 *
 * <p><b>Native memory</b> is bounded by one block cache (a clock cache) shared by every column family
 * ({@link RocksSettings#blockCacheBytes()}, default a sixteenth of the machine's memory, 64 MiB to
 * 1 GiB), which also holds index and filter blocks
 * and is charged for the memtables through a write buffer manager
 * ({@link RocksSettings#memtableBytes()}, default 32 MiB, part of the cache budget); memtables holding
 * a quarter of that are flushed once writes stop for a second, giving the cache back to reads
 * ({@link #flushIfIdle}), and after a longer pause the facts above the bottom level are compacted
 * into it ({@link #settleFacts}). Beyond it RocksDB
 * needs a few MiB per open table file and for compaction buffers. On the Java heap, the stored
 * entries of recently read facts are cached ({@link FactCache}, {@link RocksSettings#factCacheBytes()},
 * default 64 MiB), invalidated by the commits that change them; the indexer's queue holds at most
 * {@link Indexer#MAX_LAG} assertions.
 *
 * <p><b>Threading.</b> Thread-safe. Commits are serialized (the core groups concurrent callers
 * into one commit); reads run in parallel with each other and with commits, each from a
 * consistent view. {@link #close()} waits for operations in flight, lets the indexer finish, and
 * then frees every native handle.
 */
public final class RocksEngine implements Engine, BulkLoading, NativeBackups {
    private static final Logger LOG = LoggerFactory.getLogger(RocksEngine.class);
    private static final byte[] EMPTY = new byte[0];
    private static final HexFormat HEX = HexFormat.of();
    /** Appends to one fact after which this process seals its head. */
    static final int SEAL_AFTER = 64;
    /** A commit whose entries for one fact reach this many bytes writes them as a chunk at once. */
    static final int SEAL_BYTES = 64 << 10;
    /** Facts whose appends since their last seal are counted; beyond, the least recently written are forgotten. */
    private static final int SEAL_COUNTS = 1 << 16;
    /** How often the upkeep looks for a pause in the writes, in milliseconds. */
    static final long IDLE_CHECK_MS = 1000;
    /** Idle memtables are flushed when they hold at least 1/this of their budget. */
    static final int IDLE_FLUSH_FRACTION = 4;
    /** Idle checks in a row (seconds without a write) after which the facts are settled ({@link #settleFacts}). */
    static final int SETTLE_AFTER_IDLE_CHECKS = 5;
    /** Facts are settled when at least 1/this of their table bytes lie above the bottom level. */
    static final int SETTLE_SHARE = 10;
    /** ... and at least this many bytes: below it, the facts are a few files that the block cache holds. */
    static final long SETTLE_MIN_BYTES = 1L << 20;

    private final RocksStore store;
    private final RocksSettings settings;
    private final WriteOptions writeOptions;
    /** Passed shared by every call that uses the database, exclusively by close and a bulk load's ingestion: guards {@link #closed}. */
    private final ReadGate gate = new ReadGate();
    /** Held by one commit or bulk load at a time: guards {@link #appendsSinceSeal} and orders writes of the counters. */
    private final Object commitMonitor = new Object();
    /** Background upkeep of a read-write database: the periodic WAL sync, the idle flush and settling; null when read-only. */
    private final ScheduledExecutorService upkeep;
    /** The memtables' entry count at the last idle check (the idle task only, whose runs never overlap): unchanged a whole interval later means no writes came. */
    private long entriesAtLastCheck = -1;
    /** Idle checks in a row so far (the idle task only). */
    private int idleChecks;
    /** Guards {@link #settling} and {@link #settleHolds}. */
    private final Object settleLock = new Object();
    /** The options of the settling compaction under way, so that close or a bulk load can cancel it; else null. */
    private org.rocksdb.CompactRangeOptions settling;
    /** Passes that want the gate exclusively and so no settling meanwhile ({@link #holdSettling}). */
    private int settleHolds;
    private final FactCache factCache;
    private final ColumnFamilyHandle facts;
    private final Indexer indexer;
    /**
     * Whether the commits write the by-source entries of reserved sources themselves
     * ({@link RocksStore#RESERVED_BY_COMMITS_KEY}), so that reading those waits for no indexer.
     */
    private final boolean reservedByCommits;
    private final RocksErasures erasures;
    /** Appends per fact since this process last sealed it; guarded by {@link #commitMonitor}. */
    private final Map<FactCache.Fact, Integer> appendsSinceSeal = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FactCache.Fact, Integer> eldest) {
            return size() > SEAL_COUNTS;
        }
    };
    private volatile State state;
    /**
     * Completed when the commit writing its batch now (or the last one) has written it and moved
     * {@link #state}, or failed: a reader that finds an id of that commit
     * ({@link UnwrittenIds#sequenceOf} past the last sequence) waits for it, so that a commit
     * becomes visible at once, ids with records.
     */
    private volatile CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    /** The ids of committed assertions the indexer has not written yet. */
    private final UnwrittenIds unwrittenIds = new UnwrittenIds(UnwrittenIds.GENERATION);
    private volatile Throwable walSyncFailure;
    /** Set when a bulk load failed after its commit point: the database must be reopened, which finishes it. */
    private volatile Throwable bulkFailure;
    /** Guarded by {@link #gate}: written inside it exclusively, read inside it shared. */
    private boolean closed;

    /** The counters kept in the meta record, rewritten by every commit. */
    record State(long lastSequence, long claims, long retractions, long orphans, Hlc maxHlc) {
        static final State EMPTY = new State(0, 0, 0, 0, null);

        byte[] encode() {
            ByteSink b = new ByteSink(64).u64(lastSequence).u64(claims).u64(retractions).u64(orphans);
            if (maxHlc == null) {
                b.u8(0);
            } else {
                b.u8(1).hlc(maxHlc);
            }
            return b.toByteArray();
        }

        static State decode(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long seq = b.getLong();
            long claims = b.getLong();
            long retractions = b.getLong();
            long orphans = b.getLong();
            Hlc max = b.get() == 0 ? null : Hlc.of(b.getLong(), b.getInt(), b.getLong());
            return new State(seq, claims, retractions, orphans, max);
        }
    }

    private RocksEngine(RocksStore store, RocksSettings settings, int indexerCheckpoint) {
        this.store = store;
        this.settings = settings;
        this.state = store.readState().map(State::decode).orElse(State.EMPTY);
        this.writeOptions = new WriteOptions().setSync(settings.syncEachCommit());
        this.factCache = new FactCache(settings.factCacheBytes());
        this.facts = store.handle(Family.FACTS);
        this.erasures = new RocksErasures(store);
        this.indexer = new Indexer(store, state.lastSequence(), settings.readOnly(), this::changesAfter, indexerCheckpoint);
        if (settings.readOnly()) {
            upkeep = null;
        } else {
            // two threads: a settling holds one for seconds or more, while the WAL sync must keep its interval
            upkeep = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "stemedb-upkeep " + store.directory().getFileName());
                t.setDaemon(true);
                return t;
            });
            if (!settings.syncEachCommit()) {
                long ms = settings.walSyncInterval().toMillis();
                upkeep.scheduleWithFixedDelay(this::syncWal, ms, ms, TimeUnit.MILLISECONDS);
            }
            upkeep.scheduleWithFixedDelay(this::whenIdle, IDLE_CHECK_MS, IDLE_CHECK_MS, TimeUnit.MILLISECONDS);
        }
        byte[] journal = store.get(store.meta(), BulkLoader.Journal.KEY);
        if (journal != null && settings.readOnly()) {
            throw new StorageException.Incompatible("a bulk load into " + store.directory() + " was interrupted after its "
                    + "commit point; open the database read-write once to finish it");
        }
        if (journal != null) {
            LOG.info("finishing the bulk load into {} that was interrupted after its commit point", store.directory());
            indexer.awaitDigests(state.lastSequence());
            indexer.checkpoint();
            finishBulk(BulkLoader.Journal.decode(journal), Map.of(), (phase, done, total) -> { });
        } else if (!settings.readOnly()) {
            BulkLoader.deleteStaging(store.directory());
        }
        if (!settings.readOnly() && store.get(store.meta(), RocksErasures.CLEANUP_PENDING) != null) {
            LOG.info("finishing the physical cleanup of an erasure in {} that was interrupted", store.directory());
            purgeErased();
        }
        boolean byCommits = store.get(store.meta(), RocksStore.RESERVED_BY_COMMITS_KEY) != null;
        if (!byCommits && !settings.readOnly()) {
            // written before the commits indexed reserved sources: once the indexer holds every one so far, they take over
            indexer.await(state.lastSequence());
            try (WriteOptions sync = new WriteOptions().setSync(true)) {
                store.db().put(store.meta(), sync, RocksStore.RESERVED_BY_COMMITS_KEY, Keys.sequenceKey(state.lastSequence() + 1));
            } catch (RocksDBException e) {
                throw StorageException.of("recording that the commits index reserved sources", e);
            }
            byCommits = true;
        }
        this.reservedByCommits = byCommits;
    }

    /**
     * Opens (creating if needed, unless read-only) the database in {@code directory}.
     *
     * @param proposedNodeId the node id to store if the database is new
     * @throws StorageException.Incompatible if the path is not a StemeDB database this version reads
     * @throws StorageException.Locked if another process has it open
     */
    public static RocksEngine open(Path directory, RocksSettings settings, long proposedNodeId) {
        return open(directory, settings, proposedNodeId, Indexer.CHECKPOINT);
    }

    /** {@link #open(Path, RocksSettings, long)} with the indexer checkpointing its digests every {@code indexerCheckpoint} assertions: for tests. */
    static RocksEngine open(Path directory, RocksSettings settings, long proposedNodeId, int indexerCheckpoint) {
        RocksUpgrade.finishInterruptedSwap(directory);
        return new RocksEngine(RocksStore.open(directory, settings, proposedNodeId), settings, indexerCheckpoint);
    }

    /** The node id stored in the database. */
    @Override
    public long nodeId() {
        return read(store::nodeId);
    }

    /** The open store, for tests in this package that look at stored keys. */
    RocksStore store() {
        return store;
    }

    /** Where the database lives. */
    public Path directory() {
        return store.directory();
    }

    private void syncWal() {
        gate.enterShared();
        try {
            if (!closed) {
                store.db().flushWal(true);
            }
        } catch (RocksDBException | RuntimeException e) {
            LOG.error("background WAL sync failed; the next commit will fail", e);
            walSyncFailure = e;
        } finally {
            gate.exitShared();
        }
    }

    /**
     * The upkeep of a database whose writes have stopped, checked every {@link #IDLE_CHECK_MS}: no
     * entry was added to the memtables over a whole interval (commits and the indexer's batches
     * alike) is a pause. In a pause, full memtables are flushed ({@link #flushIfIdle}), and after
     * {@link #SETTLE_AFTER_IDLE_CHECKS} intervals the facts are settled ({@link #settleFacts}).
     */
    private void whenIdle() {
        gate.enterShared();
        try {
            if (closed) {
                return;
            }
            long entries = store.memtableEntries();
            boolean idle = entries == entriesAtLastCheck;
            entriesAtLastCheck = entries;
            idleChecks = idle ? idleChecks + 1 : 0;
            if (idle) {
                flushIfIdle();
                if (idleChecks == SETTLE_AFTER_IDLE_CHECKS) {
                    settleFacts();
                }
            }
        } catch (RuntimeException e) {
            // RocksDB records a failed flush or compaction as its background error, which fails the
            // next write with the cause; this thread has no caller to tell.
            LOG.error("the idle upkeep of {} failed", store.directory(), e);
        } finally {
            gate.exitShared();
        }
    }

    /**
     * Flushes the memtables when they hold at least {@link #IDLE_FLUSH_FRACTION} of their budget.
     * The memtables are write buffers, charged to the block cache; once the writes stop, that
     * memory serves reads better as cached table blocks, and a fact with entries both in a
     * memtable and in a table file costs its reads a merge of the two. Measured at 1,000,000
     * claims, uniform reads right after the ingest with about 21 MB in memtables: 100,000-139,000
     * reads/s (p50 7-8 us) before a flush, 143,000-195,000 (p50 5.5 us) after it
     * (docs/benchmarks.md, session 10).
     */
    private void flushIfIdle() {
        if (store.memtableBytesInUse() >= settings.memtableBytes() / IDLE_FLUSH_FRACTION) {
            store.flushAll(false);
            entriesAtLastCheck = store.memtableEntries();
        }
    }

    /**
     * Compacts the facts into their bottom level when at least 1/{@link #SETTLE_SHARE} of their
     * table bytes (and {@link #SETTLE_MIN_BYTES}) lie above it. Leveled compaction leaves the
     * most recent writes in the levels above the bottom, about a tenth of the data at rest, and
     * a fact whose entries are there is read from two levels or more: two index and data block
     * searches, and an entry merged across them. A pause after a burst of writes is when reads
     * follow and the disk is free. Measured on the 10,000,000 claims of the comparison's W5 just
     * after the ingest, uniform reads: 46,000 reads/s (p50 23.5 us) as the ingest left the
     * facts, 79,000-88,000 (p50 11.3-12.2 us) settled (docs/benchmarks.md, session 11). Each settling rewrites
     * at most {@link #SETTLE_SHARE} times the bytes above the bottom, most of them written since
     * the last settling. Runs beside commits and RocksDB's own compactions; close and a bulk load
     * cancel it ({@link #holdSettling}).
     */
    private void settleFacts() {
        long above = store.bytesAboveBottom(facts);
        if (above < SETTLE_MIN_BYTES || above < store.tableBytes(facts) / SETTLE_SHARE) {
            return;
        }
        org.rocksdb.CompactRangeOptions options = new org.rocksdb.CompactRangeOptions().setExclusiveManualCompaction(false);
        synchronized (settleLock) {
            if (settleHolds > 0) {
                options.close();
                return;
            }
            settling = options;
        }
        try {
            long start = System.nanoTime();
            boolean done = store.compactIntoBottom(facts, options);
            LOG.info("{} the facts of {} ({} bytes above the bottom level) after {} ms", done ? "settled" : "stopped settling",
                    store.directory(), above, (System.nanoTime() - start) / 1_000_000);
        } finally {
            synchronized (settleLock) {
                settling = null;
            }
            options.close();
        }
    }

    /**
     * Cancels the settling compaction under way, if any, and keeps another from starting until
     * {@link #releaseSettling}: a settling holds the gate shared for as long as it runs (about
     * 7 s at 10,000,000 claims, longer beyond), which a pass entering exclusively would wait for.
     */
    private void holdSettling() {
        synchronized (settleLock) {
            settleHolds++;
            if (settling != null) {
                settling.setCanceled(true);
            }
        }
    }

    private void releaseSettling() {
        synchronized (settleLock) {
            settleHolds--;
        }
    }

    @Override
    public List<Change> commit(List<? extends Assertion> assertions) {
        return commit(assertions, Map.of());
    }

    /** The checkpoints go into the commit's write batch, under {@link Keys#checkpointKey} in the meta family. */
    @Override
    public List<Change> commit(List<? extends Assertion> assertions, Map<String, byte[]> checkpoints) {
        checkpoints.forEach(Engine::checkCheckpoint);
        gate.enterShared();
        try {
            checkOpen();
            checkWritable();
            List<Change> changes;
            boolean erased;
            synchronized (commitMonitor) {
                CommitWriter writer = new CommitWriter(assertions);
                changes = checkpoints.isEmpty() ? writer.write() : writer.write(wb -> {
                    for (Map.Entry<String, byte[]> e : checkpoints.entrySet()) {
                        wb.put(store.meta(), Keys.checkpointKey(e.getKey()), e.getValue());
                    }
                }, false);
                erased = writer.erased();
            }
            indexer.enqueue(changes);
            if (erased) {
                purgeErased();
            }
            return changes;
        } finally {
            gate.exitShared();
        }
    }

    private void checkWritable() {
        if (settings.readOnly()) {
            throw new StorageException.ReadOnly();
        }
        Throwable syncFailure = walSyncFailure;
        if (syncFailure != null) {
            throw new StorageException("a background WAL sync failed earlier (" + syncFailure.getMessage()
                    + "); writes since the last good sync may not be durable; reopen the database", syncFailure);
        }
    }

    /**
     * Stores a large number of assertions through sorted table files: the input is cut into runs
     * held in memory (at most 1,048,576 claims or 64 MiB of records each, two at a time, about
     * 250 bytes of heap per claim beyond its record), each run sorted and written to table files
     * in a staging directory inside the database directory, and the files ingested into RocksDB
     * at once. The result is what ordinary commits of the same assertions would store: the same
     * sequences (claims numbered in input order; retractions, and claims a run's filter may have
     * seen, are stored after them by an ordinary commit), entries, indexes and digests. See
     * {@link BulkLoader} for how.
     *
     * <p>Commits wait for the whole load; reads go on, except while the files are ingested (a
     * moment: RocksDB links them into the database). <b>Atomic</b>: if the load fails before its
     * commit point (the synced journal record written once every file is staged), the staging
     * directory is deleted and the database is as it was; after it, the load completes here, or,
     * if this process stops, when the database is next opened. A failure after the commit point
     * (a full disk while ingesting) leaves this engine refusing every operation until it is
     * reopened, which finishes the load.
     */
    @Override
    public RocksBackups.BackupInfo backup(Path backupDir, int keepLast) {
        return RocksBackups.create(this, backupDir, keepLast);
    }

    @Override
    public BulkLoaded bulkLoad(BulkInput input) {
        BulkLoaded loaded = load(input);
        gate.enterShared();
        try {
            checkOpen();
            if (store.get(store.meta(), RocksErasures.CLEANUP_PENDING) != null) {
                purgeErased();
            }
        } finally {
            gate.exitShared();
        }
        return loaded;
    }

    /** {@link #bulkLoad} but for the physical cleanup of the erasures it may have brought. */
    private BulkLoaded load(BulkInput input) {
        synchronized (commitMonitor) {
            BulkLoader.Journal journal;
            BulkLoader loader;
            long[] committed = new long[1];
            gate.enterShared();
            try {
                checkOpen();
                checkWritable();
                indexer.awaitDigests(state.lastSequence());
                // the load writes the buckets it adds to and the digest watermark: every other
                // bucket must be stored as it is in memory
                indexer.checkpoint();
                State before = state;
                loader = new BulkLoader(store, before, indexer.digest(), indexer.bucketDigests(),
                        new java.util.HashSet<>(appendsSinceSeal.keySet()), id -> {
                            Location at = locate(id);
                            return at != null && at.isClaim();
                        }, input);
                try {
                    input.feed(a -> {
                        if (a instanceof Claim c && erasures.any() && erasures.refusal(c, List.of()) != null) {
                            loader.addRefused(c);
                        } else {
                            loader.add(a);
                        }
                    });
                    journal = loader.stage(before.lastSequence());
                    if (journal == null) {
                        BulkLoader.deleteStaging(store.directory());
                        List<Change> changes = new CommitWriter(loader.deferred()).write();
                        indexer.enqueue(changes);
                        return new BulkLoaded(loader.read(), changes.size(),
                                loader.duplicates() + loader.deferred().size() - changes.size(), loader.deferred().size(), 0);
                    }
                    writeSynced("writing a bulk load's journal", wb -> wb.put(store.meta(), BulkLoader.Journal.KEY, journal.encode()));
                } catch (RuntimeException | Error e) {
                    loader.close();
                    try {
                        BulkLoader.deleteStaging(store.directory());
                    } catch (RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                    throw e;
                }
                loader.close();
            } finally {
                gate.exitShared();
            }
            try {
                committed[0] = finishBulk(journal, loader.operandsOfRecent(), input::progress);
            } catch (RuntimeException | Error e) {
                bulkFailure = e;
                throw new StorageException.BulkLoadIncomplete("the bulk load into " + store.directory() + " failed after its commit point ("
                        + e.getMessage() + "); it is not lost: close and reopen the database, which finishes it", e);
            }
            long ingested = journal.after().lastSequence() - journal.fromSequence();
            long deferredCount = loader.deferred().size();
            return new BulkLoaded(loader.read(), ingested + committed[0],
                    loader.duplicates() + deferredCount - committed[0], deferredCount, loader.runs());
        }
    }

    /**
     * Completes a bulk load from its journal: ingests what is not yet ingested (readers wait
     * meanwhile, so that none sees part of it), writes the counters, the watermark, the seals and
     * the placements of waiting retractions with the journal's next phase in one synced batch,
     * then stores the deferred assertions by an ordinary commit whose batch also deletes the
     * journal, and deletes the staging directory. Each step is idempotent or atomic with the
     * journal's phase, so a crash anywhere is finished by the next open.
     *
     * @return how many deferred assertions were new
     */
    private long finishBulk(BulkLoader.Journal journal, Map<FactCache.Fact, Integer> operandsOfRecent, Progress progress) {
        java.nio.file.Path staging = store.directory().resolve(BulkLoader.STAGING);
        if (journal.phase() == BulkLoader.Journal.STAGED) {
            holdSettling();
            gate.enterExclusive();
            try {
                checkOpen();
                ingest(journal, staging, progress);
                completeIngestion(journal, staging, operandsOfRecent);
            } finally {
                gate.exitExclusive();
                releaseSettling();
            }
        }
        List<Change> changes;
        gate.enterShared();
        try {
            checkOpen();
            List<Assertion> deferred = BulkLoader.readRecords(staging.resolve(BulkLoader.DEFERRED_FILE));
            progress.progress("bulk load: committing the deferred", 0, deferred.size());
            CommitWriter last = new CommitWriter(deferred);
            changes = last.write(wb -> wb.delete(store.meta(), BulkLoader.Journal.KEY), true);
            indexer.enqueue(changes);
        } finally {
            gate.exitShared();
        }
        BulkLoader.deleteStaging(store.directory());
        return changes.size();
    }

    /** Ingests each family's staged files that are not ingested yet, family by family. */
    private void ingest(BulkLoader.Journal journal, java.nio.file.Path staging, Progress progress) {
        try {
            Family[] all = Family.values();
            for (int done = 0; done < all.length; done++) {
                Family family = all[done];
                progress.progress("bulk load: ingesting", done, all.length);
                List<String> files = new ArrayList<>();
                boolean staged = false;
                for (BulkLoader.Journal.Staged s : journal.files()) {
                    if (s.family() == family) {
                        staged = true;
                        java.nio.file.Path file = staging.resolve(s.name());
                        if (java.nio.file.Files.exists(file)) {
                            files.add(file.toString());
                        }
                    }
                }
                if (!staged) {
                    continue;
                }
                if (family == Family.FACTS) {
                    byte[] marker = store.get(facts, BulkLoader.FACTS_MARKER);
                    if (marker != null && Arrays.equals(marker, new ByteSink(8).u64(journal.loadId()).toByteArray())) {
                        continue; // ingested before a crash: fact operands must not be applied twice
                    }
                    if (files.size() != journal.files().stream().filter(s -> s.family() == Family.FACTS).count()) {
                        throw new StorageException.Corruption("the bulk load's staged facts files in " + staging
                                + " are incomplete but were never ingested; restore the database from a backup", null);
                    }
                }
                // Files that are gone were moved into the database by an ingestion that completed;
                // the rest hold puts of absolute values, which a second ingestion rewrites harmlessly.
                if (!files.isEmpty()) {
                    store.ingest(family, files);
                }
            }
            progress.progress("bulk load: ingesting", all.length, all.length);
        } catch (RocksDBException e) {
            throw StorageException.of("ingesting the bulk load's files", e);
        }
    }

    /**
     * One synced batch: seals the facts the load appended to many times, places the retractions
     * that waited for a claim the load brought, writes the counters and the indexer's watermark,
     * moves the journal to its next phase and deletes the facts marker. Then the in-memory state
     * follows. Runs with readers excluded.
     */
    private void completeIngestion(BulkLoader.Journal journal, java.nio.file.Path staging,
            Map<FactCache.Fact, Integer> operandsOfRecent) {
        State before = state;
        long orphans = before.orphans();
        List<byte[]> sealed = new ArrayList<>();
        try (WriteBatch wb = new WriteBatch()) {
            for (byte[] factKey : BulkLoader.readSeals(staging)) {
                byte[] head = store.get(facts, factKey);
                if (head != null) {
                    seal(wb, factKey, head, EMPTY, BulkLoader.CHUNK_BYTES);
                    sealed.add(factKey);
                }
            }
            if (orphans > 0) {
                orphans -= placeOrphansOfLoad(wb, journal.fromSequence(), journal.after().lastSequence());
            }
            State next = new State(journal.after().lastSequence(), journal.after().claims(), before.retractions(), orphans,
                    journal.after().maxHlc());
            wb.put(store.meta(), RocksStore.STATE_KEY, next.encode());
            wb.put(store.meta(), RocksStore.INDEXED_KEY, journal.indexed());
            wb.put(store.meta(), RocksStore.INDEXED_ENTRIES_KEY, Arrays.copyOfRange(journal.indexed(), 0, 8));
            wb.put(store.meta(), BulkLoader.Journal.KEY, journal.withPhase(BulkLoader.Journal.INGESTED).encode());
            wb.delete(facts, BulkLoader.FACTS_MARKER);
            writeSynced(wb);
            state = next;
        } catch (RocksDBException e) {
            throw StorageException.of("completing the ingestion of a bulk load", e);
        }
        indexer.advancedTo(journal.after().lastSequence(), IdDigest.fromBytes(Arrays.copyOfRange(journal.indexed(), 8, 48)));
        factCache.invalidateAll();
        for (byte[] factKey : sealed) {
            appendsSinceSeal.remove(FactCache.Fact.of(factKey));
        }
        operandsOfRecent.forEach((fact, operands) -> appendsSinceSeal.computeIfPresent(fact, (f, n) -> n + operands));
    }

    /**
     * Places, in {@code wb}, the retractions waiting among the orphans whose target is a claim
     * the load stored (sequence in ({@code from}, {@code to}]), as a commit storing that claim
     * would have ({@link CommitWriter#settleOrphansOf}).
     *
     * @return how many were placed
     */
    private long placeOrphansOfLoad(WriteBatch wb, long from, long to) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> records = new ArrayList<>();
        store.scan(store.handle(Family.ORPHANS), new byte[0], (key, value) -> {
            keys.add(key);
            records.add(value);
            return true;
        });
        long placed = 0;
        FactAppends appends = new FactAppends(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            AssertionId target = AssertionId.fromBytes(keys.get(i), 0);
            Location at = locate(target);
            if (at == null || at.sequence() <= from || at.sequence() > to) {
                continue;
            }
            long sequence = Keys.trailingSequence(keys.get(i));
            FactEntries.retraction(appends.entriesOf(at.factKey()), sequence, at.sequence(), records.get(i));
            try {
                wb.put(store.handle(Family.LOG), Keys.sequenceKey(sequence), Keys.location(Keys.AT_FACT_RETRACTION, at.factKey()));
                wb.delete(store.handle(Family.ORPHANS), keys.get(i));
            } catch (RocksDBException e) {
                throw StorageException.of("placing the retractions that waited for the bulk load's claims", e);
            }
            placed++;
        }
        try {
            for (FactAppends.Append a : appends.inKeyOrder()) {
                wb.merge(facts, a.factKey(), a.entries().toByteArray());
            }
        } catch (RocksDBException e) {
            throw StorageException.of("placing the retractions that waited for the bulk load's claims", e);
        }
        return placed;
    }

    /**
     * Writes {@code wb} synced, whatever the engine's durability setting: bulk loads' steps are
     * their commit points, and an erasure's commit must last. The caller names the write in the
     * failure.
     */
    private void writeSynced(WriteBatch wb) throws RocksDBException {
        try (WriteOptions sync = new WriteOptions().setSync(true)) {
            store.db().write(sync, wb);
        }
    }

    /** {@link #writeSynced(WriteBatch)} of what {@code fill} puts in a batch; {@code what} names it in a failure. */
    private void writeSynced(String what, RocksConsumer<WriteBatch> fill) {
        try (WriteBatch wb = new WriteBatch()) {
            fill.accept(wb);
            writeSynced(wb);
        } catch (RocksDBException e) {
            throw StorageException.of(what, e);
        }
    }

    /** Hears a bulk load's phases. */
    @FunctionalInterface
    private interface Progress {
        void progress(String phase, long done, long total);
    }

    /** A consumer that may throw what RocksDB's batch operations throw. */
    @FunctionalInterface
    interface RocksConsumer<T> {
        void accept(T t) throws RocksDBException;
    }

    /**
     * Where a stored assertion's record lives: a claim or a placed retraction in the fact with key
     * {@code factKey}, or an unplaced retraction in {@link Family#ORPHANS} under {@code target}.
     */
    record Location(long sequence, byte kind, byte[] factKey, AssertionId target) {
        static Location of(long sequence, byte[] logValue) {
            byte kind = logValue[0];
            if ((kind == Keys.AT_ERASURE || kind == Keys.AT_ERASED) && logValue.length == 1) {
                return new Location(sequence, kind, null, null);
            }
            if (kind == Keys.AT_ORPHAN) {
                return new Location(sequence, kind, null, AssertionId.fromBytes(logValue, 1));
            }
            if ((kind != Keys.AT_FACT_CLAIM && kind != Keys.AT_FACT_RETRACTION) || logValue.length != 1 + Keys.FACT_KEY_BYTES) {
                throw new StorageException.Corruption("the log entry of sequence " + sequence
                        + " is damaged; run verify and restore from a backup", null);
            }
            return new Location(sequence, kind, Arrays.copyOfRange(logValue, 1, logValue.length), null);
        }

        boolean isClaim() {
            return kind == Keys.AT_FACT_CLAIM;
        }

        boolean isErasure() {
            return kind == Keys.AT_ERASURE;
        }

        /** The sequence of a claim whose content was erased: no record. */
        boolean isErased() {
            return kind == Keys.AT_ERASED;
        }
    }

    /** A stored claim an erasure of the commit covers, where it is stored, and that erasure. */
    record Erased(Claim claim, Location at, Erasure by) {}

    /**
     * One commit: decides which assertions are new, numbers them, and writes their records
     * and log entries in one batch with the counters, their ids recorded in memory for the
     * indexer to write ({@link UnwrittenIds}). A claim's record goes to its fact as an
     * appended entry; a retraction's goes to the fact of the claim it retracts, or, when that claim
     * is not stored (yet), to the orphans, from where the commit that stores the claim moves it.
     * Entries for one fact within a commit are appended as one operand. Runs under the commit
     * monitor: commits are serialized.
     */
    private final class CommitWriter {
        private final LinkedHashMap<AssertionId, Assertion> candidates = new LinkedHashMap<>();
        private final State before = state;
        private long seq = before.lastSequence();
        private long claims = before.claims();
        private long retractions = before.retractions();
        private long orphans = before.orphans();
        private Hlc maxHlc = before.maxHlc();
        /** The entries each fact gets in this commit. */
        private final FactAppends appends;
        /**
         * Claims of this commit by id: a retraction later in the same commit finds its target
         * here, and a retraction that waited for one is placed with it. Kept only when the commit
         * holds a retraction or some wait ({@link #tracksPlaces}): a commit of claims alone needs none.
         */
        private final Map<AssertionId, Location> placedHere = new HashMap<>();
        private final boolean tracksPlaces;
        /** Retractions of this commit, by id: a retraction of one of them later in the commit finds it stored. */
        private final java.util.Set<AssertionId> retractedHere = new java.util.HashSet<>();
        /** Retractions of this commit whose target is unknown so far, by target. */
        private final Map<AssertionId, List<Change>> waitingHere = new HashMap<>();
        private final List<Change> changes = new ArrayList<>();
        /** The erasures among the candidates: a claim of this commit they cover is never stored, whatever the order. */
        private final List<Erasure> erasuresHere = new ArrayList<>();
        /** Stored claims that an erasure of this commit covers, by id, with where they are and the erasure. */
        private final Map<AssertionId, Erased> toErase = new LinkedHashMap<>();
        /** Marks written for claims that arrived covered, and the facts they are in. */
        private final List<byte[]> markedFacts = new ArrayList<>();
        private int refusedHere;

        CommitWriter(List<? extends Assertion> assertions) {
            appends = new FactAppends(assertions.size());
            boolean retracts = false;
            for (Assertion a : assertions) {
                candidates.putIfAbsent(a.id(), a);
                if (a instanceof Erasure e) {
                    erasuresHere.add(e);
                }
                retracts |= a instanceof Retraction;
            }
            tracksPlaces = retracts || before.orphans() > 0;
        }

        /** Whether this commit erased stored claims or stored an erasure: its physical cleanup is due. */
        boolean erased() {
            return !erasuresHere.isEmpty() && !changes.isEmpty();
        }

        List<Change> write() {
            return write(null, false);
        }

        /**
         * Writes the new assertions and, when {@code extra} is given, its operations, in one
         * batch, synced if {@code sync} or the engine syncs each commit; with {@code extra}, the
         * batch is written even when no assertion is new.
         */
        List<Change> write(RocksConsumer<WriteBatch> extra, boolean sync) {
            if (candidates.isEmpty() && extra == null) {
                return List.of();
            }
            List<Assertion> all = new ArrayList<>(candidates.values());
            boolean[] present = storedAmong(all, before.maxHlc());
            if (!erasuresHere.isEmpty()) {
                // the index entries of the claims to erase must exist before this batch deletes
                // them, and their ids be in the digests it takes them from
                indexer.awaitDigests(before.lastSequence());
            }
            try (WriteBatch wb = new WriteBatch()) {
                for (int i = 0; i < all.size(); i++) {
                    if (!present[i]) {
                        store(wb, all.get(i));
                    }
                }
                if (changes.isEmpty() && extra == null && markedFacts.isEmpty()) {
                    erasures.refused(refusedHere);
                    return changes;
                }
                RocksEraser.Rewritten rewritten = toErase.isEmpty() ? RocksEraser.Rewritten.NONE
                        : new RocksEraser(store, erasures, RocksEngine.this::loadFact).erase(wb, toErase.values(), appends);
                claims -= rewritten.claims();
                for (FactAppends.Append a : appends.inKeyOrder()) {
                    if (!rewritten.facts().contains(a.fact())) {
                        appendToFact(wb, a.factKey(), a.fact(), a.entries());
                    }
                }
                Runnable digests = rewritten.ids().isEmpty() ? () -> { } : indexer.removing(rewritten.ids(), wb);
                State next = new State(seq, claims, retractions, orphans, maxHlc);
                wb.put(store.meta(), RocksStore.STATE_KEY, next.encode());
                if (!erasuresHere.isEmpty() && !changes.isEmpty()) {
                    wb.put(store.meta(), RocksErasures.CLEANUP_PENDING, Keys.sequenceKey(seq));
                }
                if (extra != null) {
                    extra.accept(wb);
                }
                CompletableFuture<Void> written = new CompletableFuture<>();
                inFlight = written;
                unwrittenIds.committing(changes, indexer.indexed());
                try {
                    if ((sync || !erasuresHere.isEmpty()) && !settings.syncEachCommit()) {
                        writeSynced(wb);
                    } else {
                        store.db().write(writeOptions, wb);
                    }
                    state = next;
                } catch (RocksDBException | RuntimeException | Error e) {
                    unwrittenIds.withdraw(changes);
                    throw e;
                } finally {
                    written.complete(null);
                }
                digests.run();
                List<Erasure> stored = new ArrayList<>();
                for (Change c : changes) {
                    if (c.assertion() instanceof Erasure e) {
                        stored.add(e);
                    }
                }
                List<byte[]> facts = new ArrayList<>(markedFacts);
                facts.addAll(rewritten.factKeys());
                erasures.committed(stored, facts, markedFacts.size() + rewritten.ids().size());
                erasures.refused(refusedHere);
                for (FactCache.Fact f : rewritten.facts()) {
                    appendsSinceSeal.remove(f);
                }
                factCache.invalidate(appends.facts());
                factCache.invalidate(rewritten.facts());
                return changes;
            } catch (RocksDBException e) {
                throw StorageException.of("committing " + candidates.size() + " assertions", e);
            }
        }

        private void store(WriteBatch wb, Assertion a) throws RocksDBException {
            AssertionId id = a.id();
            if (a instanceof Claim c && (erasures.any() || !erasuresHere.isEmpty())) {
                // a scope marks only claims older than its erasure, so a claim newer than everything stored
                // needs no lookup of its mark: only an id list can name it, and the rules check those
                Erasure marked = before.maxHlc() == null || c.hlc().isAfter(before.maxHlc()) ? null : erasures.markOf(id);
                Erasure covering = marked != null ? null : erasures.rules().covering(c, erasuresHere);
                if (marked != null || covering != null) {
                    if (covering != null) {
                        byte[] factKey = Keys.factKey(c.subject(), c.predicate());
                        erasures.mark(wb, id, factKey, covering);
                        markedFacts.add(factKey);
                    }
                    refusedHere++;
                    return;
                }
            }
            byte[] record = a.canonicalBytes();
            seq++;
            if (a.source().startsWith(Assertion.RESERVED_SOURCE_PREFIX)) {
                // read at every open (the signatures): indexed here, so that an open after a crash
                // does not wait for the indexer's replay; the indexer writes the same key again
                wb.put(store.handle(Family.SOURCES), Keys.sourceKey(a.source(), a.hlc(), seq), EMPTY);
            }
            if (a instanceof Claim c) {
                byte[] factKey = Keys.factKey(c.subject(), c.predicate());
                FactEntries.claim(appends.entriesOf(factKey), seq, record);
                wb.put(store.handle(Family.LOG), Keys.sequenceKey(seq), Keys.location(Keys.AT_FACT_CLAIM, factKey));
                if (tracksPlaces) {
                    placedHere.put(id, new Location(seq, Keys.AT_FACT_CLAIM, factKey, null));
                }
                claims++;
            } else if (a instanceof Erasure e) {
                wb.put(store.meta(), RocksErasures.recordKey(seq), record);
                wb.put(store.handle(Family.LOG), Keys.sequenceKey(seq), new byte[] {Keys.AT_ERASURE});
                collectStoredCoveredBy(e);
            } else {
                Retraction r = (Retraction) a;
                retractions++;
                Location target = placedHere.get(r.target());
                // a retraction stored earlier in this commit is not in the ids family yet, but is stored
                boolean targetIsRetractionHere = target == null && retractedHere.contains(r.target());
                if (target == null && !targetIsRetractionHere) {
                    target = locate(r.target());
                }
                if (target != null && target.isClaim()) {
                    place(wb, seq, r.target(), record, target);
                } else {
                    wb.put(store.handle(Family.ORPHANS), Keys.orphanKey(r.target(), seq), record);
                    wb.put(store.handle(Family.LOG), Keys.sequenceKey(seq), Keys.location(Keys.AT_ORPHAN, r.target().toBytes()));
                    if (target == null && !targetIsRetractionHere) {
                        orphans++;
                        waitingHere.computeIfAbsent(r.target(), t -> new ArrayList<>()).add(new Change(seq, r));
                    }
                }
                retractedHere.add(id);
            }
            if (orphans > 0) {
                settleOrphansOf(wb, id, placedHere.get(id));
            }
            if (maxHlc == null || a.hlc().isAfter(maxHlc)) {
                maxHlc = a.hlc();
            }
            changes.add(new Change(seq, a));
        }

        /**
         * Adds to {@link #toErase} the claims stored before this commit that {@code e} covers: the
         * listed ids that are stored claims, or the claims of the subject's facts (found from the
         * subjects index, which the commit awaited) within the scope.
         */
        private void collectStoredCoveredBy(Erasure e) {
            List<Location> candidates = new ArrayList<>();
            if (e.scope().kind() == Erasure.ScopeKind.IDS) {
                for (AssertionId target : e.scope().targets()) {
                    Location at = locate(target);
                    if (at != null && at.isClaim()) {
                        candidates.add(at);
                    }
                }
                List<Change> found = fetch(candidates);
                for (int i = 0; i < found.size(); i++) {
                    Claim c = (Claim) found.get(i).assertion();
                    toErase.putIfAbsent(c.id(), new Erased(c, candidates.get(i), e));
                }
                return;
            }
            String subject = e.scope().subject();
            List<String> predicates = e.scope().kind() == Erasure.ScopeKind.FACT ? List.of(e.scope().predicate()) : predicatesOf(subject);
            for (String predicate : predicates) {
                byte[] factKey = Keys.factKey(subject, predicate);
                byte[] entries = loadFact(factKey);
                if (entries == null) {
                    continue;
                }
                for (FactEntries.Entry entry : FactEntries.parse(entries, factName(factKey)).entries()) {
                    if (entry.tag() == FactEntries.CLAIM) {
                        Claim c = (Claim) FactEntries.decode(entry, null, factName(factKey));
                        if (e.covers(c)) {
                            toErase.putIfAbsent(c.id(), new Erased(c, new Location(entry.sequence(), Keys.AT_FACT_CLAIM, factKey, null), e));
                        }
                    }
                }
            }
        }

        /** Appends retraction {@code record} (sequence {@code sequence}) to the fact of its target claim. */
        private void place(WriteBatch wb, long sequence, AssertionId targetId, byte[] record, Location target)
                throws RocksDBException {
            FactEntries.retraction(appends.entriesOf(target.factKey()), sequence, target.sequence(), record);
            wb.put(store.handle(Family.LOG), Keys.sequenceKey(sequence), Keys.location(Keys.AT_FACT_RETRACTION, target.factKey()));
        }

        /**
         * The retractions that waited for {@code id}, which has just been stored: placed in its
         * fact when it is a claim ({@code at}), left unplaced for good when it is a retraction.
         */
        private void settleOrphansOf(WriteBatch wb, AssertionId id, Location at) throws RocksDBException {
            List<Change> waiting = new ArrayList<>(waitingHere.getOrDefault(id, List.of()));
            waitingHere.remove(id);
            if (before.orphans() > 0) {
                store.scan(store.handle(Family.ORPHANS), id.toBytes(), (key, value) -> {
                    waiting.add(new Change(Keys.trailingSequence(key), decodeRecord(Keys.trailingSequence(key), value)));
                    return true;
                });
            }
            for (Change w : waiting) {
                if (at != null) {
                    place(wb, w.sequence(), id, w.assertion().canonicalBytes(), at);
                    wb.delete(store.handle(Family.ORPHANS), Keys.orphanKey(id, w.sequence()));
                }
            }
            orphans -= waiting.size();
        }

        /**
         * Appends a fact's entries of this commit to its head, or, when this process has appended
         * to the fact {@link #SEAL_AFTER} times since it last sealed it, seals the head: its
         * entries and these go to the fact's next chunk, and the head restarts empty but for the
         * chunk count. So no head grows past a bounded number of merge operands, which the append
         * operator combines pairwise (quadratic in their number).
         */
        private void appendToFact(WriteBatch wb, byte[] factKey, FactCache.Fact fact, ByteSink entries) throws RocksDBException {
            Integer appended = appendsSinceSeal.get(fact);
            int count = (appended == null ? 0 : appended) + 1;
            if (count < SEAL_AFTER && entries.size() < SEAL_BYTES) {
                wb.merge(facts, factKey, entries.toByteArray());
                appendsSinceSeal.put(fact, count);
                return;
            }
            seal(wb, factKey, store.get(facts, factKey), entries.toByteArray(), Integer.MAX_VALUE);
            appendsSinceSeal.remove(fact);
        }
    }

    /**
     * Seals a fact's head in {@code wb}: the entries of {@code head} (its stored value, or null)
     * followed by {@code appended} go to the fact's next chunks, at most {@code chunkBytes} each
     * (a chunk holds at least one entry), and the head becomes the chunk count alone.
     */
    private void seal(WriteBatch wb, byte[] factKey, byte[] head, byte[] appended, int chunkBytes) throws RocksDBException {
        FactEntries.Parsed parsed = head == null ? new FactEntries.Parsed(0, List.of())
                : FactEntries.parse(head, () -> "the head of fact " + HEX.formatHex(factKey));
        ByteSink chunk = new ByteSink(head == null ? appended.length : Math.min(head.length, chunkBytes) + appended.length);
        int next = parsed.chunks();
        for (FactEntries.Entry e : parsed.entries()) {
            if (chunk.size() > 0 && (long) chunk.size() + e.length() > chunkBytes) {
                wb.put(facts, Keys.chunkKey(factKey, ++next), chunk.toByteArray());
                chunk = new ByteSink(Math.min(head.length, chunkBytes));
            }
            FactEntries.copy(chunk, e);
        }
        chunk.raw(appended);
        if (chunk.size() == 0 && next == parsed.chunks()) {
            return;
        }
        if (chunk.size() > 0) {
            wb.put(facts, Keys.chunkKey(factKey, ++next), chunk.toByteArray());
        }
        wb.put(facts, factKey, FactEntries.header(next));
    }

    /**
     * The sequence of the stored assertion {@code id}, or -1 when it is not stored. After a crash,
     * an id the indexer's replay has not written yet is in neither place {@link #writtenSequence}
     * looks: one not found there is looked for again once the replay is done, so that an open
     * does not wait for the replay to read the ids it already holds (the signatures' claims).
     */
    private long storedSequence(AssertionId id) {
        long sequence = writtenSequence(id);
        if (sequence < 0 && !indexer.replayed()) {
            indexer.awaitReplay();
            sequence = writtenSequence(id);
        }
        return sequence;
    }

    /**
     * The sequence of the assertion {@code id} from the ids the indexer has not written yet, else
     * from the family (in that order: see {@link UnwrittenIds#sequenceOf}); -1 when in neither.
     */
    private long writtenSequence(AssertionId id) {
        long unwritten = unwrittenIds.sequenceOf(id);
        if (unwritten > state.lastSequence()) {
            // its commit is writing its batch: stored when that ends, unless the write fails
            inFlight.join();
            unwritten = unwrittenIds.sequenceOf(id);
        }
        if (unwritten >= 0) {
            return unwritten;
        }
        byte[] seqValue = store.get(store.handle(Family.IDS), id.toBytes());
        return seqValue == null ? -1 : Keys.sequenceOfValue(seqValue);
    }

    /** Where the assertion {@code id} is stored, or null when it is not. */
    private Location locate(AssertionId id) {
        long sequence = storedSequence(id);
        if (sequence < 0) {
            return null;
        }
        byte[] where = store.get(store.handle(Family.LOG), Keys.sequenceKey(sequence));
        if (where == null) {
            throw new StorageException.Corruption("assertion " + id + " has sequence " + sequence
                    + " but the log has no such entry; run verify and restore from a backup", null);
        }
        return Location.of(sequence, where);
    }

    /**
     * Which of {@code assertions} are already stored. Every stored assertion's timestamp is at most
     * the persisted maximum, and the timestamp is part of the hashed bytes, so an assertion stamped
     * after that maximum cannot be stored yet: locally written assertions (the clock issues
     * timestamps past every one it has seen) skip the lookup, which at tens of millions of
     * assertions costs more than the rest of the commit because its filter blocks no longer stay
     * in the cache. Merged assertions from the past are looked up, in one batched read.
     */
    private boolean[] storedAmong(List<Assertion> assertions, Hlc storedMax) {
        boolean[] present = new boolean[assertions.size()];
        if (storedMax == null) {
            return present;
        }
        List<Integer> older = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < assertions.size(); i++) {
            if (!assertions.get(i).hlc().isAfter(storedMax)) {
                indexer.awaitReplay();
                if (unwrittenIds.sequenceOf(assertions.get(i).id()) >= 0) {
                    present[i] = true;
                } else {
                    older.add(i);
                    keys.add(assertions.get(i).id().toBytes());
                }
            }
        }
        List<byte[]> found = store.multiGet(store.handle(Family.IDS), keys);
        for (int k = 0; k < older.size(); k++) {
            present[older.get(k)] = found.get(k) != null;
        }
        return present;
    }

    /**
     * The stored entries of the fact with key {@code factKey}: its head's entries followed by its
     * chunks' (the chunk count header left out), as one byte array; null when nothing is stored.
     * Chunks are written once and never changed, and a head names only chunks written in or
     * before its own batch, so reading the head first and its chunks after is consistent.
     */
    byte[] loadFact(byte[] factKey) {
        byte[] head = store.get(facts, factKey);
        if (head == null || head.length == 0 || head[0] != FactEntries.HEADER) {
            return head;
        }
        FactEntries.Parsed parsed = FactEntries.parse(head, () -> "the head of fact " + HEX.formatHex(factKey));
        List<byte[]> keys = new ArrayList<>(parsed.chunks());
        for (int c = 1; c <= parsed.chunks(); c++) {
            keys.add(Keys.chunkKey(factKey, c));
        }
        List<byte[]> chunks = store.multiGet(facts, keys);
        ByteSink all = new ByteSink(head.length + 1024);
        for (int c = 0; c < chunks.size(); c++) {
            byte[] chunk = chunks.get(c);
            if (chunk == null) {
                throw new StorageException.Corruption("chunk " + (c + 1) + " of fact " + HEX.formatHex(factKey)
                        + " is missing; run verify and restore from a backup", null);
            }
            all.raw(chunk);
        }
        for (FactEntries.Entry e : parsed.entries()) {
            FactEntries.copy(all, e);
        }
        return all.toByteArray();
    }

    /** Names a fact in a message, when there is one to write. */
    private static java.util.function.Supplier<String> factName(byte[] factKey) {
        return () -> "fact " + HEX.formatHex(factKey);
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        return read(() -> {
            Location at = locate(id);
            return at == null ? Optional.empty() : Optional.of(fetch(List.of(at)).get(0).assertion());
        });
    }

    @Override
    public Kind kindOf(AssertionId id) {
        return read(() -> {
            Location at = locate(id);
            return at == null ? Kind.ABSENT : at.isClaim() ? Kind.CLAIM : at.isErasure() ? Kind.ERASURE : Kind.RETRACTION;
        });
    }

    @Override
    public boolean contains(AssertionId id) {
        return read(() -> storedSequence(id) >= 0);
    }

    @Override
    public Evidence evidence(String subject, String predicate) {
        return read(() -> {
            byte[] factKey = Keys.factKey(subject, predicate);
            Evidence stored = storedEvidence(subject, predicate, factKey);
            return erasures.anyErasedFact() ? stored.withErased(erasures.erasedOf(factKey)) : stored;
        });
    }

    /** The evidence of the fact with key {@code factKey} as its entries hold it, through the fact cache. */
    private Evidence storedEvidence(String subject, String predicate, byte[] factKey) {
        FactCache.Fact fact = FactCache.Fact.of(factKey);
        byte[] entries = factCache.get(fact, () -> {
            byte[] loaded = loadFact(factKey);
            return loaded == null ? EMPTY : loaded;
        });
        if (entries.length == 0) {
            return Evidence.of(subject, predicate, List.of());
        }
        Evidence hot = factCache.decoded(fact, entries);
        // the names too: were two facts' keys to collide, they would share the slot
        if (hot != null && hot.subject().equals(subject) && hot.predicate().equals(predicate)) {
            return hot;
        }
        java.util.function.Supplier<String> where = factName(factKey);
        Evidence evidence = FactEntries.evidence(subject, predicate, FactEntries.parse(entries, where).entries(), where);
        factCache.offerDecoded(fact, entries, evidence);
        return evidence;
    }

    /**
     * The assertions at {@code locations}, in the same order, each read once: the facts they live
     * in are read once each, the unplaced retractions in one batch.
     */
    private List<Change> fetch(List<Location> locations) {
        Map<FactCache.Fact, Map<Long, FactEntries.Entry>> factEntries = new HashMap<>();
        List<byte[]> orphanKeys = new ArrayList<>();
        for (Location at : locations) {
            if (at.isErasure()) {
                continue;
            }
            if (at.factKey() != null) {
                factEntries.computeIfAbsent(FactCache.Fact.of(at.factKey()), f -> {
                    byte[] entries = loadFact(at.factKey());
                    Map<Long, FactEntries.Entry> bySequence = new HashMap<>();
                    if (entries != null) {
                        for (FactEntries.Entry e : FactEntries.parse(entries, factName(at.factKey())).entries()) {
                            bySequence.put(e.sequence(), e);
                        }
                    }
                    return bySequence;
                });
            } else {
                orphanKeys.add(Keys.orphanKey(at.target(), at.sequence()));
            }
        }
        List<byte[]> orphanRecords = store.multiGet(store.handle(Family.ORPHANS), orphanKeys);
        List<Change> result = new ArrayList<>(locations.size());
        int orphan = 0;
        for (Location at : locations) {
            Assertion a;
            if (at.isErasure()) {
                byte[] record = store.get(store.meta(), RocksErasures.recordKey(at.sequence()));
                if (record == null) {
                    throw new StorageException.Corruption("the log places sequence " + at.sequence() + " among the erasures, "
                            + "which have no such record; run verify and restore from a backup", null);
                }
                a = decodeRecord(at.sequence(), record);
            } else if (at.factKey() != null) {
                FactEntries.Entry e = factEntries.get(FactCache.Fact.of(at.factKey())).get(at.sequence());
                if (e == null) {
                    throw new StorageException.Corruption("the log places sequence " + at.sequence() + " in "
                            + factName(at.factKey()).get() + ", which has no such entry; run verify and restore from a backup", null);
                }
                a = FactEntries.decode(e, null, factName(at.factKey()));
            } else {
                byte[] record = orphanRecords.get(orphan++);
                if (record == null) {
                    throw new StorageException.Corruption("the log places sequence " + at.sequence()
                            + " among the retractions of " + at.target() + ", which has no such entry; run verify and "
                            + "restore from a backup", null);
                }
                a = decodeRecord(at.sequence(), record);
            }
            result.add(new Change(at.sequence(), a));
        }
        return result;
    }

    private static Assertion decodeRecord(long sequence, byte[] record) {
        try {
            return CanonicalCodec.decodeStored(null, record, 0, record.length);
        } catch (RuntimeException e) {
            throw new StorageException.Corruption("stored record " + sequence + " does not decode: " + e.getMessage()
                    + "; restore from a backup or run verify", e);
        }
    }

    /** The assertions with sequence numbers {@code sequences}, in that order. */
    private List<Assertion> bySequence(List<Long> sequences) {
        List<byte[]> keys = new ArrayList<>(sequences.size());
        for (long s : sequences) {
            keys.add(Keys.sequenceKey(s));
        }
        List<byte[]> where = store.multiGet(store.handle(Family.LOG), keys);
        List<Location> locations = new ArrayList<>(sequences.size());
        for (int i = 0; i < sequences.size(); i++) {
            if (where.get(i) == null) {
                throw new StorageException.Corruption("an index names sequence " + sequences.get(i)
                        + " but the log has no such entry; run verify and restore from a backup", null);
            }
            locations.add(Location.of(sequences.get(i), where.get(i)));
        }
        List<Assertion> result = new ArrayList<>(sequences.size());
        for (Change c : fetch(locations)) {
            result.add(c.assertion());
        }
        return result;
    }

    @Override
    public List<String> subjects(@Nullable String afterSubject, int limit) {
        Args.limit(limit);
        return indexRead(() -> {
            List<String> subjects = new ArrayList<>();
            if (limit == 0) {
                return subjects;
            }
            byte[] start = afterSubject == null ? Keys.subjectsSpace() : Keys.successor(Keys.subjectPrefix(afterSubject));
            store.skipScan(store.handle(Family.SOURCES), start, null, key -> {
                String subject = Keys.nameAt(key, 1);
                subjects.add(subject);
                return subjects.size() < limit ? Keys.successor(Keys.subjectPrefix(subject)) : null;
            });
            return subjects;
        });
    }

    @Override
    public List<String> predicates(String subject) {
        return indexRead(() -> predicatesOf(subject));
    }

    /** {@link #predicates} once the indexer is known to have caught up. */
    private List<String> predicatesOf(String subject) {
        byte[] prefix = Keys.subjectPrefix(subject);
        List<String> predicates = new ArrayList<>();
        store.skipScan(store.handle(Family.SOURCES), prefix, Keys.successor(prefix), key -> {
            String predicate = Keys.nameAt(key, prefix.length);
            predicates.add(predicate);
            return Keys.successor(Keys.subjectKey(subject, predicate));
        });
        predicates.sort(Utf8.CODE_POINT_ORDER);
        return predicates;
    }

    @Override
    public List<String> subjectsWith(String predicate, Value value) {
        return indexRead(() -> {
            byte[] prefix = Keys.valuePrefix(predicate, value);
            List<String> subjects = new ArrayList<>();
            store.scan(store.handle(Family.VALUES), prefix, (key, v) -> subjects.add(Keys.nameAt(key, prefix.length)));
            subjects.sort(Utf8.CODE_POINT_ORDER);
            return subjects;
        });
    }

    @Override
    public List<Assertion> bySource(String source) {
        java.util.function.Supplier<List<Assertion>> scan = () -> {
            List<Long> sequences = new ArrayList<>();
            store.scan(store.handle(Family.SOURCES), Keys.sourcePrefix(source), (key, v) -> sequences.add(Keys.trailingSequence(key)));
            List<Assertion> found = new ArrayList<>(bySequence(sequences));
            // keys order by (hlc, sequence); assertions of one source with one timestamp order by id
            found.sort(Assertion.RECORD_ORDER);
            return found;
        };
        return reservedByCommits && source.startsWith(Assertion.RESERVED_SOURCE_PREFIX) ? read(scan) : indexRead(scan);
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        Args.feed(afterSequence, limit);
        return read(() -> changesAfter(afterSequence, limit));
    }

    /** {@link #changesSince} without the open check: the indexer's replay, which runs while the engine opens. */
    private List<Change> changesAfter(long afterSequence, int limit) {
        List<Location> locations = new ArrayList<>();
        if (limit > 0 && afterSequence < Long.MAX_VALUE) {
            store.scanFrom(store.handle(Family.LOG), Keys.sequenceKey(afterSequence + 1), (key, value) -> {
                Location at = Location.of(Keys.sequenceOf(key), value);
                if (!at.isErased()) {
                    locations.add(at);
                }
                return locations.size() < limit;
            });
        }
        return fetch(locations);
    }

    @Override
    public IdDigest digest() {
        return digestRead(indexer::digest);
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        Args.bucket(bucket);
        return digestRead(() -> indexer.bucketDigest(bucket));
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte @Nullable [] high, int limit) {
        Args.limit(limit);
        return indexRead(() -> {
            List<AssertionId> ids = new ArrayList<>();
            if (limit > 0) {
                store.range(store.handle(Family.IDS), low, high, (key, value) -> {
                    ids.add(AssertionId.fromBytes(key));
                    return ids.size() < limit;
                });
            }
            return ids;
        });
    }

    @Override
    public long lastSequence() {
        return read(() -> state.lastSequence());
    }

    @Override
    public EngineStats stats() {
        return read(() -> {
            State s = state;
            return new EngineStats(s.claims(), s.retractions(), s.lastSequence());
        });
    }

    /** RocksDB's own figures (disk size, memory, its statistics text), the fact cache's and the indexer's. */
    @Override
    public Map<String, String> properties() {
        return read(() -> {
            Map<String, String> p = store.properties();
            p.putAll(factCache.properties());
            p.put("indexed-sequence", String.valueOf(indexer.indexed()));
            store.salvaged().ifPresent(report -> p.put("salvaged-log", report));
            return p;
        });
    }

    @Override
    public Optional<Erasure> erasedBy(AssertionId id) {
        return read(() -> erasures.erasedBy(id));
    }

    @Override
    public ErasureStats erasureStats() {
        return read(erasures::stats);
    }

    /** Every id marked erased here, in id order: what {@link RocksBackups#holdingErased} looks for in backups. */
    List<AssertionId> erasedIds() {
        return read(erasures::erasedIds);
    }

    @Override
    public List<RocksBackups.ErasedInBackup> backupsHoldingErased(Path backupDir) {
        return RocksBackups.holdingErased(this, backupDir);
    }

    @Override
    public RocksBackups.PurgeReport purgeErasedBackups(Path backupDir) {
        return RocksBackups.purgeErased(this, backupDir);
    }

    /**
     * Makes the bytes of erased claims physically gone after the commit that erased them deleted
     * their keys: flushes every memtable (so the write-ahead logs that held the records become
     * obsolete, and RocksDB deletes them: this engine keeps no WAL archive), then compacts every
     * family down to its bottommost level, so that no table file holds them or their tombstones,
     * and finally deletes the pending mark, unless a later erasure's commit rewrote it meanwhile
     * (its own cleanup then deletes it). Idempotent; a crash before its end leaves the mark, and
     * the next open runs it again.
     */
    private void purgeErased() {
        byte[] pending = store.get(store.meta(), RocksErasures.CLEANUP_PENDING);
        if (pending == null) {
            return;
        }
        store.flushAll(true);
        store.compactAll();
        synchronized (commitMonitor) {
            if (Arrays.equals(pending, store.get(store.meta(), RocksErasures.CLEANUP_PENDING))) {
                writeSynced("recording that an erasure's cleanup is done", wb -> wb.delete(store.meta(), RocksErasures.CLEANUP_PENDING));
            }
        }
        store.flushAll(true);
    }

    @Override
    public Optional<byte[]> checkpoint(String name) {
        byte[] key = Keys.checkpointKey(name);
        return read(() -> Optional.ofNullable(store.get(store.meta(), key)));
    }

    @Override
    public Optional<Hlc> maxHlc() {
        return read(() -> Optional.ofNullable(state.maxHlc()));
    }

    /**
     * Checks everything stored: block checksums of every table file, that every record decodes
     * and sits where the log says, that each index holds exactly the entries the assertions up to
     * the indexer's watermark imply, and that the counters and bucket digests agree with them.
     * Waits for the indexer, then reads one snapshot, so commits may run meanwhile; see
     * {@link RocksVerifier} for how.
     */
    @Override
    public VerifyReport verify() {
        return verify(new RocksVerifier());
    }

    /** {@link #verify()} with a given verifier, which a test can then ask what the run did. */
    VerifyReport verify(RocksVerifier verifier) {
        return indexRead(() -> verifier.run(store));
    }

    /**
     * Runs {@code body} with the open RocksDB handle once the indexer has caught up with every
     * commit so far (a backup then holds the indexes up to date); the engine stays open meanwhile.
     */
    <T> T withDatabase(java.util.function.Function<org.rocksdb.RocksDB, T> body) {
        return indexRead(() -> body.apply(store.db()));
    }

    /** The stored value under {@code factKey} as RocksDB merges it (a head), for tests of the layout. */
    byte[] rawFactValue(byte[] factKey) {
        return read(() -> store.get(facts, factKey));
    }

    /** Compacts once the indexer has caught up, so that its entries are compacted too. */
    @Override
    public void compact() {
        indexRead(() -> {
            store.compactAll();
            return null;
        });
    }

    @Override
    public void close() {
        // held for good: a closed database settles nothing
        holdSettling();
        gate.enterExclusive();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (upkeep != null) {
                upkeep.shutdownNow();
            }
            try {
                indexer.close();
                if (!settings.readOnly()) {
                    // nothing writes any more: a stall harms no one, and waiting out the compactions would
                    store.flushAll(true);
                }
            } finally {
                writeOptions.close();
                store.close();
            }
        } finally {
            gate.exitExclusive();
        }
    }

    private <T> T read(java.util.function.Supplier<T> body) {
        gate.enterShared();
        try {
            checkOpen();
            return body.get();
        } finally {
            gate.exitShared();
        }
    }

    /** A read of what the indexer maintains: first waits until it has indexed every commit completed so far. */
    private <T> T indexRead(java.util.function.Supplier<T> body) {
        return read(() -> {
            indexer.await(state.lastSequence());
            return body.get();
        });
    }

    /** A read of the sync digests: first waits until the indexer has digested the id of every commit completed so far. */
    private <T> T digestRead(java.util.function.Supplier<T> body) {
        return read(() -> {
            indexer.awaitDigests(state.lastSequence());
            return body.get();
        });
    }

    private void checkOpen() {
        if (closed) {
            throw new EngineClosedException("the RocksDB engine at " + store.directory());
        }
        Throwable failed = bulkFailure;
        if (failed != null) {
            throw new StorageException.BulkLoadIncomplete("a bulk load into " + store.directory() + " failed after its commit point ("
                    + failed.getMessage() + "); close and reopen the database, which finishes it", failed);
        }
    }

    @Override
    public String toString() {
        return "RocksEngine[" + store.directory() + (settings.readOnly() ? ", read-only" : "") + "]";
    }
}
