package io.stemedb.storage;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.Utf8;
import io.stemedb.model.Value;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.Arrays;
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
 * <p><b>Native memory</b> is bounded by one LRU block cache shared by every column family
 * ({@link Settings#blockCacheBytes()}, default 64 MiB), which also holds index and filter blocks
 * and is charged for the memtables through a write buffer manager
 * ({@link Settings#memtableBytes()}, default 32 MiB, part of the cache budget). Beyond it RocksDB
 * needs a few MiB per open table file and for compaction buffers. On the Java heap, the stored
 * entries of recently read facts are cached ({@link FactCache}, {@link Settings#factCacheBytes()},
 * default 64 MiB), invalidated by the commits that change them; the indexer's queue holds at most
 * {@link Indexer#MAX_LAG} assertions.
 *
 * <p><b>Threading.</b> Thread-safe. Commits are serialized (the core groups concurrent callers
 * into one commit); reads run in parallel with each other and with commits, each from a
 * consistent view. {@link #close()} waits for operations in flight, lets the indexer finish, and
 * then frees every native handle.
 */
public final class RocksEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(RocksEngine.class);
    private static final byte[] EMPTY = new byte[0];
    private static final HexFormat HEX = HexFormat.of();
    /** Appends to one fact after which this process seals its head. */
    static final int SEAL_AFTER = 64;
    /** A commit whose entries for one fact reach this many bytes writes them as a chunk at once. */
    static final int SEAL_BYTES = 64 << 10;
    /** Facts whose appends since their last seal are counted; beyond, the least recently written are forgotten. */
    private static final int SEAL_COUNTS = 1 << 16;

    private final RocksStore store;
    private final Settings settings;
    private final WriteOptions writeOptions;
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final Object commitMonitor = new Object();
    private final ScheduledExecutorService walSyncer;
    private final FactCache factCache;
    private final ColumnFamilyHandle facts;
    private final Indexer indexer;
    /** Appends per fact since this process last sealed it; guarded by {@link #commitMonitor}. */
    private final Map<FactCache.Fact, Integer> appendsSinceSeal = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FactCache.Fact, Integer> eldest) {
            return size() > SEAL_COUNTS;
        }
    };
    private volatile State state;
    private volatile Throwable walSyncFailure;
    private boolean closed;

    /**
     * How an engine is opened.
     *
     * @param factCacheBytes the Java heap, about, for the evidence of recently read facts
     *     ({@link FactCache}); 0 turns the cache off
     * @param salvageDamagedLog open a database whose write-ahead log is damaged (see
     *     {@link StorageException.DamagedLog}) by dropping every commit after the damage, instead
     *     of refusing; what was dropped is logged and reported in {@link #properties()}
     */
    public record Settings(boolean readOnly, boolean syncEachCommit, Duration walSyncInterval,
            long blockCacheBytes, long memtableBytes, long factCacheBytes, boolean salvageDamagedLog) {
        /**
         * The defaults: read-write, fsync on every commit, 64 MiB of native cache including 32 MiB
         * of memtables, 64 MiB of heap for the fact cache.
         */
        public static final Settings DEFAULT = new Settings(false, true, Duration.ofSeconds(1), 64L << 20, 32L << 20, 64L << 20);

        /** Settings that refuse to open over a damaged write-ahead log (the default). */
        public Settings(boolean readOnly, boolean syncEachCommit, Duration walSyncInterval, long blockCacheBytes,
                long memtableBytes, long factCacheBytes) {
            this(readOnly, syncEachCommit, walSyncInterval, blockCacheBytes, memtableBytes, factCacheBytes, false);
        }

        /** These settings, but opening over a damaged write-ahead log by dropping what follows the damage. */
        public Settings salvaging() {
            return new Settings(readOnly, syncEachCommit, walSyncInterval, blockCacheBytes, memtableBytes, factCacheBytes, true);
        }

        public Settings {
            if (walSyncInterval == null || walSyncInterval.isNegative() || walSyncInterval.isZero()) {
                throw new IllegalArgumentException("walSyncInterval must be positive, got " + walSyncInterval);
            }
            if (blockCacheBytes < (8L << 20)) {
                throw new IllegalArgumentException(String.format("blockCacheBytes must be at least 8 MiB, got %,d", blockCacheBytes));
            }
            if (memtableBytes < (4L << 20) || memtableBytes > blockCacheBytes) {
                throw new IllegalArgumentException(String.format(
                        "memtableBytes must be at least 4 MiB and at most blockCacheBytes (%,d), got %,d", blockCacheBytes, memtableBytes));
            }
            if (factCacheBytes < 0) {
                throw new IllegalArgumentException(String.format("factCacheBytes must be 0 (off) or more, got %,d", factCacheBytes));
            }
        }
    }

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

    private RocksEngine(RocksStore store, Settings settings) {
        this.store = store;
        this.settings = settings;
        this.state = store.readState().map(State::decode).orElse(State.EMPTY);
        this.writeOptions = new WriteOptions().setSync(settings.syncEachCommit());
        this.factCache = new FactCache(settings.factCacheBytes());
        this.facts = store.handle(Family.FACTS);
        this.indexer = new Indexer(store, state.lastSequence(), settings.readOnly(), this::changesAfter);
        if (!settings.readOnly() && !settings.syncEachCommit()) {
            walSyncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stemedb-wal-sync");
                t.setDaemon(true);
                return t;
            });
            long ms = settings.walSyncInterval().toMillis();
            walSyncer.scheduleWithFixedDelay(this::syncWal, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            walSyncer = null;
        }
    }

    /**
     * Opens (creating if needed, unless read-only) the database in {@code directory}.
     *
     * @param proposedNodeId the node id to store if the database is new
     * @throws StorageException.Incompatible if the path is not a StemeDB database this version reads
     * @throws StorageException.Locked if another process has it open
     */
    public static RocksEngine open(Path directory, Settings settings, long proposedNodeId) {
        return new RocksEngine(RocksStore.open(directory, settings, proposedNodeId), settings);
    }

    /** The node id stored in the database. */
    @Override
    public long nodeId() {
        return read(store::nodeId);
    }

    /** Where the database lives. */
    public Path directory() {
        return store.directory();
    }

    private void syncWal() {
        closeLock.readLock().lock();
        try {
            if (!closed) {
                store.db().flushWal(true);
            }
        } catch (RocksDBException | RuntimeException e) {
            LOG.error("background WAL sync failed; the next commit will fail", e);
            walSyncFailure = e;
        } finally {
            closeLock.readLock().unlock();
        }
    }

    @Override
    public List<Change> commit(List<? extends Assertion> assertions) {
        closeLock.readLock().lock();
        try {
            checkOpen();
            if (settings.readOnly()) {
                throw new StorageException.ReadOnly();
            }
            Throwable syncFailure = walSyncFailure;
            if (syncFailure != null) {
                throw new StorageException("a background WAL sync failed earlier (" + syncFailure.getMessage()
                        + "); writes since the last good sync may not be durable; reopen the database", syncFailure);
            }
            List<Change> changes;
            synchronized (commitMonitor) {
                changes = new CommitWriter(assertions).write();
            }
            indexer.enqueue(changes);
            return changes;
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /**
     * Where a stored assertion's record lives: a claim or a placed retraction in the fact with key
     * {@code factKey}, or an unplaced retraction in {@link Family#ORPHANS} under {@code target}.
     */
    private record Location(long sequence, byte kind, byte[] factKey, AssertionId target) {
        static Location of(long sequence, byte[] logValue) {
            byte kind = logValue[0];
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
    }

    /**
     * One commit: decides which assertions are new, numbers them, and writes their records, ids
     * and log entries in one batch with the counters. A claim's record goes to its fact as an
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
        /** The entries each fact gets in this commit, in order; and the facts in the order first touched. */
        private final Map<FactCache.Fact, ByteSink> appends = new LinkedHashMap<>();
        private final Map<FactCache.Fact, byte[]> factKeys = new HashMap<>();
        /** Claims of this commit by id: a retraction later in the same commit finds its target here. */
        private final Map<AssertionId, Location> placedHere = new HashMap<>();
        /** Retractions of this commit whose target is unknown so far, by target. */
        private final Map<AssertionId, List<Change>> waitingHere = new HashMap<>();
        private final List<Change> changes = new ArrayList<>();

        CommitWriter(List<? extends Assertion> assertions) {
            for (Assertion a : assertions) {
                candidates.putIfAbsent(a.id(), a);
            }
        }

        List<Change> write() {
            if (candidates.isEmpty()) {
                return List.of();
            }
            List<Assertion> all = new ArrayList<>(candidates.values());
            boolean[] present = storedAmong(all, before.maxHlc());
            try (WriteBatch wb = new WriteBatch()) {
                for (int i = 0; i < all.size(); i++) {
                    if (!present[i]) {
                        store(wb, all.get(i));
                    }
                }
                if (changes.isEmpty()) {
                    return changes;
                }
                for (Map.Entry<FactCache.Fact, ByteSink> e : appends.entrySet()) {
                    appendToFact(wb, factKeys.get(e.getKey()), e.getKey(), e.getValue());
                }
                State next = new State(seq, claims, retractions, orphans, maxHlc);
                wb.put(store.meta(), RocksStore.STATE_KEY, next.encode());
                store.db().write(writeOptions, wb);
                state = next;
                factCache.invalidate(appends.keySet());
                return changes;
            } catch (RocksDBException e) {
                throw StorageException.of("committing " + candidates.size() + " assertions", e);
            }
        }

        private void store(WriteBatch wb, Assertion a) throws RocksDBException {
            AssertionId id = a.id();
            byte[] record = a.canonicalBytes();
            seq++;
            wb.put(store.handle(Family.IDS), id.toBytes(), Keys.sequenceValue(seq));
            if (a instanceof Claim c) {
                byte[] factKey = Keys.factKey(c.subject(), c.predicate());
                FactEntries.claim(entriesOf(factKey), seq, record);
                wb.put(store.handle(Family.LOG), Keys.sequenceKey(seq), Keys.location(Keys.AT_FACT_CLAIM, factKey));
                placedHere.put(id, new Location(seq, Keys.AT_FACT_CLAIM, factKey, null));
                claims++;
            } else {
                Retraction r = (Retraction) a;
                retractions++;
                Location target = placedHere.get(r.target());
                if (target == null) {
                    target = locate(r.target());
                }
                if (target != null && target.isClaim()) {
                    place(wb, seq, r.target(), record, target);
                } else {
                    wb.put(store.handle(Family.ORPHANS), Keys.orphanKey(r.target(), seq), record);
                    wb.put(store.handle(Family.LOG), Keys.sequenceKey(seq), Keys.location(Keys.AT_ORPHAN, r.target().toBytes()));
                    if (target == null) {
                        orphans++;
                        waitingHere.computeIfAbsent(r.target(), t -> new ArrayList<>()).add(new Change(seq, r));
                    }
                }
            }
            if (orphans > 0) {
                settleOrphansOf(wb, id, placedHere.get(id));
            }
            if (maxHlc == null || a.hlc().isAfter(maxHlc)) {
                maxHlc = a.hlc();
            }
            changes.add(new Change(seq, a));
        }

        /** Appends retraction {@code record} (sequence {@code sequence}) to the fact of its target claim. */
        private void place(WriteBatch wb, long sequence, AssertionId targetId, byte[] record, Location target)
                throws RocksDBException {
            FactEntries.retraction(entriesOf(target.factKey()), sequence, target.sequence(), record);
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

        private ByteSink entriesOf(byte[] factKey) {
            FactCache.Fact fact = FactCache.Fact.of(factKey);
            factKeys.putIfAbsent(fact, factKey);
            return appends.computeIfAbsent(fact, f -> new ByteSink(256));
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
            byte[] head = store.get(facts, factKey);
            FactEntries.Parsed parsed = head == null ? new FactEntries.Parsed(0, List.of())
                    : FactEntries.parse(head, () -> "the head of fact " + HEX.formatHex(factKey));
            ByteSink chunk = new ByteSink(head == null ? entries.size() : head.length + entries.size());
            for (FactEntries.Entry e : parsed.entries()) {
                FactEntries.copy(chunk, e);
            }
            byte[] appendedBytes = entries.toByteArray();
            chunk.raw(appendedBytes);
            int next = parsed.chunks() + 1;
            wb.put(facts, Keys.chunkKey(factKey, next), chunk.toByteArray());
            wb.put(facts, factKey, FactEntries.header(next));
            appendsSinceSeal.remove(fact);
        }
    }

    /** Where the assertion {@code id} is stored, or null when it is not. */
    private Location locate(AssertionId id) {
        byte[] seqValue = store.get(store.handle(Family.IDS), id.toBytes());
        if (seqValue == null) {
            return null;
        }
        long sequence = Keys.sequenceOfValue(seqValue);
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
                older.add(i);
                keys.add(assertions.get(i).id().toBytes());
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
    private byte[] loadFact(byte[] factKey) {
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
    public boolean contains(AssertionId id) {
        return read(() -> store.get(store.handle(Family.IDS), id.toBytes()) != null);
    }

    @Override
    public Evidence evidence(String subject, String predicate) {
        return read(() -> {
            byte[] factKey = Keys.factKey(subject, predicate);
            byte[] entries = factCache.get(FactCache.Fact.of(factKey), () -> {
                byte[] loaded = loadFact(factKey);
                return loaded == null ? EMPTY : loaded;
            });
            if (entries.length == 0) {
                return Evidence.of(subject, predicate, List.of());
            }
            java.util.function.Supplier<String> where = factName(factKey);
            return FactEntries.evidence(subject, predicate, FactEntries.parse(entries, where).entries(), where);
        });
    }

    /**
     * The assertions at {@code locations}, in the same order, each read once: the facts they live
     * in are read once each, the unplaced retractions in one batch.
     */
    private List<Change> fetch(List<Location> locations) {
        Map<FactCache.Fact, Map<Long, FactEntries.Entry>> factEntries = new HashMap<>();
        List<byte[]> orphanKeys = new ArrayList<>();
        for (Location at : locations) {
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
            if (at.factKey() != null) {
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
    public List<String> subjects(String afterSubject, int limit) {
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
        return indexRead(() -> {
            byte[] prefix = Keys.subjectPrefix(subject);
            List<String> predicates = new ArrayList<>();
            store.skipScan(store.handle(Family.SOURCES), prefix, Keys.successor(prefix), key -> {
                String predicate = Keys.nameAt(key, prefix.length);
                predicates.add(predicate);
                return Keys.successor(Keys.subjectKey(subject, predicate));
            });
            predicates.sort(Utf8.CODE_POINT_ORDER);
            return predicates;
        });
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
        return indexRead(() -> {
            List<Long> sequences = new ArrayList<>();
            store.scan(store.handle(Family.SOURCES), Keys.sourcePrefix(source), (key, v) -> sequences.add(Keys.trailingSequence(key)));
            List<Assertion> found = new ArrayList<>(bySequence(sequences));
            // keys order by (hlc, sequence); assertions of one source with one timestamp order by id
            found.sort(Assertion.RECORD_ORDER);
            return found;
        });
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
                locations.add(Location.of(Keys.sequenceOf(key), value));
                return locations.size() < limit;
            });
        }
        return fetch(locations);
    }

    @Override
    public IdDigest digest() {
        return indexRead(indexer::digest);
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        Args.bucket(bucket);
        return indexRead(() -> indexer.bucketDigest(bucket));
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte[] high, int limit) {
        Args.limit(limit);
        return read(() -> {
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
        closeLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (walSyncer != null) {
                walSyncer.shutdownNow();
            }
            try {
                indexer.close();
                if (!settings.readOnly()) {
                    store.flushAll();
                }
            } finally {
                writeOptions.close();
                store.close();
            }
        } finally {
            closeLock.writeLock().unlock();
        }
    }

    private <T> T read(java.util.function.Supplier<T> body) {
        closeLock.readLock().lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /** A read of what the indexer maintains: first waits until it has indexed every commit completed so far. */
    private <T> T indexRead(java.util.function.Supplier<T> body) {
        return read(() -> {
            indexer.await(state.lastSequence());
            return body.get();
        });
    }

    private void checkOpen() {
        if (closed) {
            throw new EngineClosedException("the RocksDB engine at " + store.directory());
        }
    }

    @Override
    public String toString() {
        return "RocksEngine[" + store.directory() + (settings.readOnly() ? ", read-only" : "") + "]";
    }
}
