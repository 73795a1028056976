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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Engine} on RocksDB: StemeDB's durable storage.
 *
 * <p><b>Design.</b> An assertion is stored once by id, and each commit is one RocksDB
 * {@link WriteBatch} that also writes every index entry and the engine's counters, so a reader or
 * a reopened database sees all of a commit or none of it. Column families (key layouts in
 * docs/format.md, built by {@link Keys}):
 * <ul>
 *   <li>{@code default}: the format version, node id and the counters (one small record,
 *       rewritten by every commit), so that reopening reads them instead of scanning;</li>
 *   <li>{@code assertions}: id → canonical bytes;</li>
 *   <li>{@code log}: arrival sequence → id, the change feed;</li>
 *   <li>{@code facts}: (subject, predicate, kind, hlc, id) → canonical bytes: a covering index,
 *       so that the evidence about one fact — its claims and the retractions of them — is a
 *       single range scan, already in record order;</li>
 *   <li>{@code values}: (predicate, value, subject) → nothing, for find-by-value;</li>
 *   <li>{@code sources}: (source, hlc, id) → nothing;</li>
 *   <li>{@code retractions}: (target, retraction id) → nothing, which also finds the retractions
 *       that arrived (by merge) before their target;</li>
 *   <li>{@code digests}: id bucket (the first two bytes of an id) → the {@link IdDigest} of the
 *       bucket's ids, updated in the commit's batch, so Merkle sync starts without a scan; the
 *       digest of the whole set lives in the counters record.</li>
 * </ul>
 * A retraction whose target is unknown is an "orphan"; the counters keep how many there are, so
 * that the usual case (none) costs a new claim no lookup at all.
 *
 * <p><b>Native memory</b> is bounded by one LRU block cache shared by every column family
 * ({@link Settings#blockCacheBytes()}, default 64 MiB), which also holds index and filter blocks
 * and is charged for the memtables through a write buffer manager
 * ({@link Settings#memtableBytes()}, default 32 MiB, part of the cache budget). Beyond it RocksDB
 * needs a few MiB per open table file and for compaction buffers. On the Java heap, the evidence of
 * recently read facts is cached ({@link FactCache}, {@link Settings#factCacheBytes()}, default
 * 64 MiB), invalidated by the commits that change it.
 *
 * <p><b>Threading.</b> Thread-safe. Commits are serialized (the core groups concurrent callers
 * into one commit); reads run in parallel with each other and with commits, each from a
 * consistent view. {@link #close()} waits for operations in flight and then frees every native
 * handle.
 */
public final class RocksEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(RocksEngine.class);
    private static final byte[] EMPTY = new byte[0];

    private final RocksStore store;
    private final Settings settings;
    private final WriteOptions writeOptions;
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final Object commitMonitor = new Object();
    private final ScheduledExecutorService walSyncer;
    private final FactCache factCache;
    private volatile State state;
    /** The bucket digests, loaded on first use (65,536 small records, whatever the size of the set). */
    private volatile AtomicReferenceArray<IdDigest> buckets;
    private volatile Throwable walSyncFailure;
    private boolean closed;

    /**
     * How an engine is opened.
     *
     * @param factCacheBytes the Java heap, about, for the evidence of recently read facts
     *     ({@link FactCache}); 0 turns the cache off
     */
    public record Settings(boolean readOnly, boolean syncEachCommit, Duration walSyncInterval,
            long blockCacheBytes, long memtableBytes, long factCacheBytes) {
        /**
         * The defaults: read-write, fsync on every commit, 64 MiB of native cache including 32 MiB
         * of memtables, 64 MiB of heap for the fact cache.
         */
        public static final Settings DEFAULT = new Settings(false, true, Duration.ofSeconds(1), 64L << 20, 32L << 20, 64L << 20);

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

    /** The counters kept in the meta record. */
    record State(long lastSequence, long claims, long retractions, long orphans, Hlc maxHlc, IdDigest digest) {
        static final State EMPTY = new State(0, 0, 0, 0, null, IdDigest.empty());

        byte[] encode() {
            ByteSink b = new ByteSink(112).u64(lastSequence).u64(claims).u64(retractions).u64(orphans)
                    .raw(digest.toBytes());
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
            byte[] digest = new byte[IdDigest.ENCODED_LENGTH];
            b.get(digest);
            Hlc max = b.get() == 0 ? null : Hlc.of(b.getLong(), b.getInt(), b.getLong());
            return new State(seq, claims, retractions, orphans, max, IdDigest.fromBytes(digest));
        }
    }

    private RocksEngine(RocksStore store, Settings settings) {
        this.store = store;
        this.settings = settings;
        this.state = store.readState().map(State::decode).orElse(State.EMPTY);
        this.writeOptions = new WriteOptions().setSync(settings.syncEachCommit());
        this.factCache = new FactCache(settings.factCacheBytes());
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
            synchronized (commitMonitor) {
                return commitLocked(assertions);
            }
        } finally {
            closeLock.readLock().unlock();
        }
    }

    private List<Change> commitLocked(List<? extends Assertion> assertions) {
        LinkedHashMap<AssertionId, Assertion> candidates = new LinkedHashMap<>();
        for (Assertion a : assertions) {
            candidates.putIfAbsent(a.id(), a);
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        List<AssertionId> ids = new ArrayList<>(candidates.keySet());
        State s = state;
        boolean[] present = storedAmong(ids, candidates, s.maxHlc());
        long seq = s.lastSequence();
        long claims = s.claims();
        long retractions = s.retractions();
        long orphans = s.orphans();
        Hlc maxHlc = s.maxHlc();
        IdDigest digest = s.digest();
        AtomicReferenceArray<IdDigest> bucketDigests = buckets();
        Map<Integer, IdDigest> touched = new HashMap<>();
        Map<AssertionId, Assertion> added = new HashMap<>();
        Map<AssertionId, List<Retraction>> batchOrphans = new HashMap<>();
        Set<FactCache.Fact> changedFacts = new HashSet<>();
        List<Change> changes = new ArrayList<>();
        try (WriteBatch wb = new WriteBatch()) {
            for (int i = 0; i < ids.size(); i++) {
                if (present[i]) {
                    continue;
                }
                Assertion a = candidates.get(ids.get(i));
                AssertionId id = a.id();
                byte[] bytes = a.canonicalBytes();
                byte[] idBytes = id.toBytes();
                seq++;
                wb.put(store.assertions, idBytes, bytes);
                wb.put(store.log, Keys.sequenceKey(seq), idBytes);
                wb.put(store.sources, Keys.sourceKey(a.source(), a.hlc(), id), EMPTY);
                if (a instanceof Claim) {
                    Claim c = (Claim) a;
                    indexFact(wb, c, Keys.KIND_CLAIM, a, bytes, changedFacts);
                    wb.put(store.values, Keys.valueKey(c), EMPTY);
                    claims++;
                } else {
                    Retraction r = (Retraction) a;
                    wb.put(store.retractions, Keys.retractionKey(r.target(), id), EMPTY);
                    retractions++;
                    Assertion target = added.get(r.target());
                    if (target == null) {
                        target = lookup(r.target());
                    }
                    if (target instanceof Claim) {
                        indexFact(wb, (Claim) target, Keys.KIND_RETRACTION, r, bytes, changedFacts);
                    } else if (target == null) {
                        orphans++;
                        batchOrphans.computeIfAbsent(r.target(), t -> new ArrayList<>()).add(r);
                    }
                }
                if (orphans > 0) {
                    List<Retraction> waiting = waitingFor(id, batchOrphans.remove(id), s.orphans() > 0);
                    for (Retraction r : waiting) {
                        if (a instanceof Claim) {
                            indexFact(wb, (Claim) a, Keys.KIND_RETRACTION, r, r.canonicalBytes(), changedFacts);
                        }
                    }
                    orphans -= waiting.size();
                }
                if (maxHlc == null || a.hlc().isAfter(maxHlc)) {
                    maxHlc = a.hlc();
                }
                digest = digest.plus(id);
                touched.merge(id.prefix16(), IdDigest.of(id), IdDigest::plus);
                added.put(id, a);
                changes.add(new Change(seq, a));
            }
            if (changes.isEmpty()) {
                return changes;
            }
            Map<Integer, IdDigest> updated = new HashMap<>();
            for (Map.Entry<Integer, IdDigest> t : touched.entrySet()) {
                IdDigest d = bucketDigests.get(t.getKey()).plus(t.getValue());
                updated.put(t.getKey(), d);
                wb.put(store.digests, Keys.bucketKey(t.getKey()), d.toBytes());
            }
            State next = new State(seq, claims, retractions, orphans, maxHlc, digest);
            wb.put(store.meta, RocksStore.STATE_KEY, next.encode());
            store.db().write(writeOptions, wb);
            updated.forEach(bucketDigests::set);
            state = next;
            factCache.invalidate(changedFacts);
            return changes;
        } catch (RocksDBException e) {
            throw StorageException.of("committing " + candidates.size() + " assertions", e);
        }
    }

    /**
     * Which of {@code ids} are already stored. Every stored assertion's timestamp is at most the
     * persisted maximum, and the timestamp is part of the hashed bytes, so an assertion stamped
     * after that maximum cannot be stored yet: locally written assertions (the clock issues
     * timestamps past every one it has seen) skip the lookup, which at tens of millions of
     * assertions costs more than the rest of the commit because its filter blocks no longer stay
     * in the cache. Merged assertions from the past are looked up, in one batched read.
     */
    private boolean[] storedAmong(List<AssertionId> ids, Map<AssertionId, Assertion> candidates, Hlc storedMax) {
        boolean[] present = new boolean[ids.size()];
        if (storedMax == null) {
            return present;
        }
        List<Integer> older = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!candidates.get(ids.get(i)).hlc().isAfter(storedMax)) {
                older.add(i);
            }
        }
        if (older.isEmpty()) {
            return present;
        }
        List<AssertionId> olderIds = new ArrayList<>(older.size());
        for (int i : older) {
            olderIds.add(ids.get(i));
        }
        List<byte[]> found = store.multiGet(store.assertions, toKeys(olderIds));
        for (int k = 0; k < older.size(); k++) {
            present[older.get(k)] = found.get(k) != null;
        }
        return present;
    }

    /**
     * Puts {@code entry} (a claim, or a retraction of one) into the covering facts index under the
     * fact of {@code claim}, and notes that fact as changed: every write to the facts index goes
     * through here, so none can leave the fact cache stale. The index lists a fact's retractions
     * right after its claims, so that one range scan yields the whole evidence.
     */
    private void indexFact(WriteBatch wb, Claim claim, byte kind, Assertion entry, byte[] bytes, Set<FactCache.Fact> changedFacts)
            throws RocksDBException {
        wb.put(store.facts, Keys.factKey(claim.subject(), claim.predicate(), kind, entry.hlc(), entry.id()), bytes);
        changedFacts.add(new FactCache.Fact(claim.subject(), claim.predicate()));
    }

    /** The orphan retractions that name {@code id}: those of this batch, and the stored ones. */
    private List<Retraction> waitingFor(AssertionId id, List<Retraction> fromBatch, boolean storedOrphansExist) {
        List<Retraction> waiting = new ArrayList<>();
        if (fromBatch != null) {
            waiting.addAll(fromBatch);
        }
        if (storedOrphansExist) {
            byte[] prefix = id.toBytes();
            store.scan(store.retractions, prefix, (key, value) -> {
                AssertionId rid = Keys.trailingId(key);
                Assertion r = lookup(rid);
                if (r instanceof Retraction) {
                    waiting.add((Retraction) r);
                }
                return true;
            });
        }
        return waiting;
    }

    private Assertion lookup(AssertionId id) {
        byte[] bytes = store.get(store.assertions, id.toBytes());
        return bytes == null ? null : decode(id, bytes);
    }

    private static Assertion decode(AssertionId id, byte[] bytes) {
        try {
            return CanonicalCodec.decodeTrusted(id, bytes);
        } catch (StemeException e) {
            throw new StorageException.Corruption("stored record " + id + " does not decode: " + e.getMessage()
                    + "; restore from a backup or run verify", e);
        }
    }

    private static List<byte[]> toKeys(List<AssertionId> ids) {
        List<byte[]> keys = new ArrayList<>(ids.size());
        for (AssertionId id : ids) {
            keys.add(id.toBytes());
        }
        return keys;
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        return read(() -> Optional.ofNullable(lookup(id)));
    }

    @Override
    public boolean contains(AssertionId id) {
        return read(() -> store.get(store.assertions, id.toBytes()) != null);
    }

    @Override
    public Evidence evidence(String subject, String predicate) {
        return read(() -> factCache.get(subject, predicate, () -> {
            List<Assertion> found = new ArrayList<>();
            store.scan(store.facts, Keys.factPrefix(subject, predicate), (key, value) -> {
                found.add(decode(Keys.trailingId(key), value));
                return true;
            });
            return Evidence.ofOrdered(subject, predicate, found);
        }));
    }

    @Override
    public List<String> subjects(String afterSubject, int limit) {
        Args.limit(limit);
        return read(() -> {
            List<String> subjects = new ArrayList<>();
            if (limit == 0) {
                return subjects;
            }
            byte[] start = afterSubject == null ? new byte[0] : Keys.successor(Keys.subjectPrefix(afterSubject));
            store.skipScan(store.facts, start, null, key -> {
                String subject = Keys.nameAt(key, 0);
                subjects.add(subject);
                return subjects.size() < limit ? Keys.successor(Keys.subjectPrefix(subject)) : null;
            });
            return subjects;
        });
    }

    @Override
    public List<String> predicates(String subject) {
        return read(() -> {
            byte[] prefix = Keys.subjectPrefix(subject);
            List<String> predicates = new ArrayList<>();
            store.skipScan(store.facts, prefix, Keys.successor(prefix), key -> {
                String predicate = Keys.nameAt(key, prefix.length);
                predicates.add(predicate);
                return Keys.successor(Keys.factPrefix(subject, predicate));
            });
            predicates.sort(Utf8.CODE_POINT_ORDER);
            return predicates;
        });
    }

    @Override
    public List<String> subjectsWith(String predicate, Value value) {
        return read(() -> {
            byte[] prefix = Keys.valuePrefix(predicate, value);
            List<String> subjects = new ArrayList<>();
            store.scan(store.values, prefix, (key, v) -> subjects.add(Keys.nameAt(key, prefix.length)));
            subjects.sort(Utf8.CODE_POINT_ORDER);
            return subjects;
        });
    }

    @Override
    public List<Assertion> bySource(String source) {
        return read(() -> {
            List<AssertionId> ids = new ArrayList<>();
            store.scan(store.sources, Keys.sourcePrefix(source), (key, v) -> ids.add(Keys.trailingId(key)));
            return fetch(ids);
        });
    }

    private List<Assertion> fetch(List<AssertionId> ids) {
        List<byte[]> values = store.multiGet(store.assertions, toKeys(ids));
        List<Assertion> result = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            byte[] bytes = values.get(i);
            if (bytes == null) {
                throw new StorageException.Corruption("an index names assertion " + ids.get(i)
                        + " but it is not stored; run verify and restore from a backup", null);
            }
            result.add(decode(ids.get(i), bytes));
        }
        return result;
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        Args.feed(afterSequence, limit);
        return read(() -> {
            List<Long> seqs = new ArrayList<>();
            List<AssertionId> ids = new ArrayList<>();
            if (limit > 0 && afterSequence < Long.MAX_VALUE) {
                store.scanFrom(store.log, Keys.sequenceKey(afterSequence + 1), (key, value) -> {
                    seqs.add(Keys.sequenceOf(key));
                    ids.add(AssertionId.fromBytes(value));
                    return ids.size() < limit;
                });
            }
            List<Assertion> assertions = fetch(ids);
            List<Change> changes = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                changes.add(new Change(seqs.get(i), assertions.get(i)));
            }
            return changes;
        });
    }

    /** The bucket digests, read from the digests column family the first time they are needed. */
    private AtomicReferenceArray<IdDigest> buckets() {
        AtomicReferenceArray<IdDigest> b = buckets;
        if (b == null) {
            synchronized (this) {
                b = buckets;
                if (b == null) {
                    AtomicReferenceArray<IdDigest> loaded = new AtomicReferenceArray<>(BUCKETS);
                    for (int i = 0; i < BUCKETS; i++) {
                        loaded.set(i, IdDigest.empty());
                    }
                    store.scan(store.digests, new byte[0], (key, value) -> {
                        loaded.set(Keys.bucketOf(key), IdDigest.fromBytes(value));
                        return true;
                    });
                    buckets = loaded;
                    b = loaded;
                }
            }
        }
        return b;
    }

    @Override
    public IdDigest digest() {
        return read(() -> state.digest());
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        Args.bucket(bucket);
        return read(() -> buckets().get(bucket));
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte[] high, int limit) {
        Args.limit(limit);
        return read(() -> {
            List<AssertionId> ids = new ArrayList<>();
            if (limit > 0) {
                store.range(store.assertions, low, high, (key, value) -> {
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

    /** RocksDB's own figures (disk size, memory, its statistics text) and the fact cache's. */
    @Override
    public Map<String, String> properties() {
        return read(() -> {
            Map<String, String> p = store.properties();
            p.putAll(factCache.properties());
            return p;
        });
    }

    @Override
    public Optional<Hlc> maxHlc() {
        return read(() -> Optional.ofNullable(state.maxHlc()));
    }

    /**
     * Checks everything stored: block checksums of every table file, that every assertion's bytes
     * hash to its id and decode, that each index holds exactly the entries the assertions imply,
     * and that the log, the counters and the bucket digests agree with them. Reads one snapshot,
     * so commits may run meanwhile; see {@link RocksVerifier} for how.
     */
    @Override
    public VerifyReport verify() {
        return verify(new RocksVerifier());
    }

    /** {@link #verify()} with a given verifier, which a test can then ask what the run did. */
    VerifyReport verify(RocksVerifier verifier) {
        return read(() -> verifier.run(store));
    }

    /** Runs {@code body} with the open RocksDB handle; the engine stays open meanwhile. */
    <T> T withDatabase(java.util.function.Function<org.rocksdb.RocksDB, T> body) {
        return read(() -> body.apply(store.db()));
    }

    @Override
    public void compact() {
        read(() -> {
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
