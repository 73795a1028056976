package io.stemedb.storage;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintains, behind the commits, what the commits do not write: the ids of the stored assertions,
 * the by-source and by-value indexes, the subjects index, and the id bucket digests of Merkle sync
 * ({@link Family.Writer#INDEXER} families). A commit writes only its records and its log entries,
 * then hands its changes here ({@link #enqueue}); one thread indexes them. It gathers their index entries in memory and writes
 * them as a run of sorted table files every {@link #RUN} assertions ({@link #writeGathered} says
 * why), or in a write batch when a query wants them sooner or no commit has come for
 * {@link #IDLE_WRITE_MS}. A query that reads an index first waits until everything committed when
 * it started is indexed and written ({@link #await}), so it never misses a commit that finished
 * before it; the wait is bounded because a commit waits while more than {@link #MAX_LAG}
 * assertions wait to be gathered, and a run holds at most {@link #RUN} and a batch.
 *
 * <p><b>Ids.</b> Whether an assertion is stored, and where, is read by commits (a merged
 * assertion already stored is skipped, a retraction finds its target) and by point reads, which
 * cannot wait for a run. So the commit that stores an assertion also records its id in memory
 * ({@link UnwrittenIds}) until the indexer's entries watermark passes it, and readers look there
 * first, then in the family: a commit puts one entry of a hash-like key fewer into the memtable
 * (docs/benchmarks.md, session 22). After a crash the ids past the entries watermark are in
 * neither until the replay has gathered and written them; an id read that finds nothing waits for
 * that ({@link #awaitReplay}).
 *
 * <p><b>Two watermarks.</b> Every write of gathered entries writes with them the <em>entries
 * watermark</em> ({@link RocksStore#INDEXED_ENTRIES_KEY}), the sequence up to which they are all
 * written. The bucket digests change with nearly every id (65,536 buckets: a batch of 4,096 ids
 * touches about 3,970), so writing them with each batch cost one more entry per assertion, about a
 * quarter of the indexer's writes; they are kept in memory and written at a <em>checkpoint</em>
 * instead, only the buckets changed since the last one, with the <em>digest watermark</em>
 * ({@link RocksStore#INDEXED_KEY}: the sequence up to which the stored digests are exact, and the
 * digest of every id up to it). A checkpoint comes every {@link #CHECKPOINT} assertions, when the
 * database closes, in an erasure's commit ({@link #removing}) and before a bulk load
 * ({@link #checkpoint}). The digest watermark is never past the entries watermark, and says
 * what it said before the two were apart ("everything up to here is indexed and digested"), so a
 * StemeDB that knows only it reads a database this one wrote correctly.
 *
 * <p><b>Recovery.</b> The indexer's batches are not synced and what it gathered is in memory, so
 * a crash can lose both; a watermark is written after (a run) or with (a batch) what it covers,
 * so what survives is consistent, and entries are keys, so writing one again is harmless. On open
 * the indexer first replays the log from the entries watermark ({@code replay}), at most
 * {@link #MAX_LAG} + {@link #RUN} assertions and a batch, so that index reads wait only for those
 * ({@link #await}); then it adds the ids between the digest watermark and the entries watermark
 * to the digests (the digest pass: up to {@link #CHECKPOINT} assertions, read from the log and
 * summed, nothing written), one page between two batches of new commits, and reads of the digests
 * wait for that ({@link #awaitDigests}). The digests are sums, so the order of the two does not
 * matter; no checkpoint is written until the pass is done, so the stored digests stay exact at
 * their watermark whenever the process stops. Reopening costs no scan when the database was
 * closed cleanly ({@link #close} drains the queue and checkpoints); after a crash both run in the
 * background. Without a digest watermark (a new database, or one whose indexed families were just
 * created) everything is indexed from the first sequence, starting from empty digests.
 *
 * <p>Thread-safe. A failure of the indexer's writes stops it: every later commit and index read
 * fails with that cause until the database is reopened (which replays from the watermark).
 */
final class Indexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    private static final byte[] EMPTY = new byte[0];
    /** Assertions a commit may run ahead of the indexer before it waits: bounds the queue's heap and a query's wait. */
    static final int MAX_LAG = 100_000;
    /** Assertions indexed between two checkpoints of the bucket digests, at most (but for a checkpoint's own batch). */
    static final int CHECKPOINT = 1 << 20;
    /** Assertions indexed per write batch at most. */
    private static final int BATCH = 4096;
    /** Assertions read per page when replaying the log. */
    private static final int REPLAY_PAGE = 4096;
    /**
     * Assertions whose index entries are gathered before they are written as one sorted run of
     * table files per family, unless the system property {@code stemedb.indexer.runAssertions}
     * says fewer (tests use small runs).
     */
    static final int RUN = 1 << 16;
    /**
     * Fewer gathered assertions than this, written because a query waits for them or the indexer
     * is idle, go into a write batch instead: a table file and its ingestion have a fixed cost of
     * about a millisecond, and every small file is one more for the compactions to merge.
     */
    static final int MIN_RUN = 1 << 14;
    /**
     * What is gathered is written when no commit has come for this long: an idle database keeps
     * nothing gathered, and a read-only handle opened beside its writer finds the indexes written
     * (up to that handle's opening). Longer than the gaps between the commits of an ingest
     * (milliseconds), which would otherwise write their entries batch by batch.
     */
    static final long IDLE_WRITE_MS = 50;
    /** Where the runs' table files are written before RocksDB takes them in, in the database's directory. */
    static final String RUNS_DIRECTORY = "index-runs";

    /** How the indexer replays the log: up to {@code limit} changes after {@code afterSequence}, in order. */
    @FunctionalInterface
    interface Replay {
        List<Change> read(long afterSequence, int limit);
    }

    private final RocksStore store;
    private final Replay replay;
    /**
     * Guards {@link #queue}, {@link #indexed}, {@link #gatheredTo}, {@link #wantedTo}, {@link #digested},
     * {@link #handed}, {@link #total}, {@link #failure} and {@link #closing}.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled under {@link #lock} when any of the fields it guards changes. */
    private final Condition changed = lock.newCondition();
    /** Commits handed over and not yet indexed. Guarded by {@link #lock}. */
    private final ArrayDeque<Change> queue = new ArrayDeque<>();
    private final Thread thread;
    /** Everything up to here is indexed, and written in the entries watermark record. Guarded by {@link #lock}. */
    private long indexed;
    /**
     * The index entries of every assertion up to here are written or gathered ({@link #gathered}),
     * and its id is in the digests in memory; never behind {@link #indexed}. Guarded by {@link #lock}.
     */
    private long gatheredTo;
    /** The newest sequence a query waits for: gathered entries up to it are written now. Guarded by {@link #lock}. */
    private long wantedTo;
    /**
     * The index entries of the assertions after {@link #indexed} up to {@link #gatheredTo}, not
     * yet written, and how many assertions they index: owned by the indexer's thread.
     */
    private final OrderedPuts gathered = new OrderedPuts();
    private int gatheredAssertions;
    /** Gathered assertions written as a run of table files; {@link #RUN} but in tests. */
    private final int runAssertions;
    /** The ids of every assertion up to here are in {@link #total} and the bucket digests; never past {@link #indexed}. Guarded by {@link #lock}. */
    private long digested;
    /**
     * The digest pass's next start and its end (the entries watermark read on open): the ids of
     * the assertions in between are indexed but not yet digested. Owned by the indexer's thread;
     * equal once the pass is done.
     */
    private long digestPassAt;
    private final long digestPassTo;
    /** Assertions indexed between two checkpoints at most; {@link #CHECKPOINT} but in tests. */
    private final int checkpointEvery;
    /**
     * The buckets whose digest changed since the last checkpoint, and how many assertions were
     * indexed since: owned by the indexer's thread, or by a caller while the indexer is idle
     * ({@link #removing}, {@link #checkpoint}, {@link #close}).
     */
    private final BitSet dirty = new BitSet(Engine.BUCKETS);
    private long sinceCheckpoint;
    /** The newest sequence committed before this indexer started: the end of its replay of the log. */
    private final long replayTo;
    /** Whether every assertion up to {@link #replayTo} is indexed and written: id reads then need no wait. */
    private volatile boolean replayed;
    /** The newest sequence handed over (or to replay). Guarded by {@link #lock}. */
    private long handed;
    /** The digest of every indexed id. Guarded by {@link #lock}. */
    private IdDigest total;
    /** The bucket digests, loaded on first use (65,536 small records, whatever the size of the set), under this object's monitor. */
    private volatile AtomicReferenceArray<IdDigest> buckets;
    private volatile boolean fromScratch;
    /** Guarded by {@link #lock}. */
    private Throwable failure;
    /** Guarded by {@link #lock}. */
    private boolean closing;

    /**
     * Starts indexing behind the commits of {@code store}, whose newest committed sequence is
     * {@code lastSequence}, checkpointing the bucket digests every {@code checkpointEvery}
     * assertions ({@link #CHECKPOINT} but in tests); read-only databases get no thread, and their
     * index reads fail if the indexes trail.
     */
    Indexer(RocksStore store, long lastSequence, boolean readOnly, Replay replay, int checkpointEvery) {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpointEvery must be positive, got " + checkpointEvery);
        }
        this.store = store;
        this.replay = replay;
        this.checkpointEvery = checkpointEvery;
        this.runAssertions = Math.max(1, Math.min(RUN, Integer.getInteger("stemedb.indexer.runAssertions", RUN)));
        byte[] mark = store.get(store.meta(), RocksStore.INDEXED_KEY);
        this.fromScratch = mark == null;
        if (mark == null) {
            digested = 0;
            total = IdDigest.empty();
        } else {
            ByteBuffer b = ByteBuffer.wrap(mark);
            digested = b.getLong();
            byte[] digest = new byte[IdDigest.ENCODED_LENGTH];
            b.get(digest);
            total = IdDigest.fromBytes(digest);
        }
        // an older StemeDB may have left the entries watermark behind the digest watermark: it
        // wrote only the latter; a damaged record (verify names it) counts as none, so the
        // replay starts at the digest watermark and the next batch writes it again
        byte[] entries = store.get(store.meta(), RocksStore.INDEXED_ENTRIES_KEY);
        if (entries != null && entries.length != Long.BYTES) {
            LOG.warn("the indexer's entries watermark record of {} is damaged ({} bytes); indexing again from the digest watermark",
                    store.directory(), entries.length);
            entries = null;
        }
        indexed = entries == null ? digested : Math.max(digested, ByteBuffer.wrap(entries).getLong());
        gatheredTo = indexed;
        digestPassAt = digested;
        digestPassTo = readOnly ? digested : indexed;
        handed = Math.max(indexed, lastSequence);
        replayTo = handed;
        replayed = indexed >= replayTo;
        if (readOnly) {
            thread = null;
        } else {
            RocksStore.deleteScratchDirectory(store.directory().resolve(RUNS_DIRECTORY), "the indexer's runs directory");
            thread = new Thread(this::run, "stemedb-indexer " + store.directory().getFileName());
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Hands over a commit's new assertions, in sequence order, after its batch is written. Waits
     * while the indexer trails by more than {@link #MAX_LAG}.
     */
    void enqueue(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            while (failure == null && !closing && handed - gatheredTo > MAX_LAG) {
                changed.awaitUninterruptibly();
            }
            checkHealthy();
            queue.addAll(changes);
            handed = changes.get(changes.size() - 1).sequence();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the ids of the assertions committed before this indexer started are written:
     * after a crash, those past the entries watermark are in neither the family nor
     * {@link UnwrittenIds} (where commits record theirs) until the replay has written them.
     */
    void awaitReplay() {
        if (!replayed) {
            await(replayTo);
        }
    }

    /** Whether the ids of every assertion committed before this indexer started are written. */
    boolean replayed() {
        return replayed;
    }

    /** Waits until the index entries of every assertion up to {@code sequence} are written. */
    void await(long sequence) {
        awaitWatermark(false, sequence);
    }

    /**
     * Waits until every assertion up to {@code sequence} is indexed and its id digested: what the
     * digests, a checkpoint and {@link #removing} need. A read-only database's digests are those
     * of its last checkpoint: refused when its index entries are further on.
     */
    void awaitDigests(long sequence) {
        awaitWatermark(false, sequence);
        awaitWatermark(true, sequence);
    }

    /** Waits until {@link #digested} (if {@code digests}) or {@link #indexed} reaches {@code sequence}; a read-only database cannot wait. */
    private void awaitWatermark(boolean digests, long sequence) {
        lock.lock();
        try {
            while ((digests ? digested : indexed) < sequence) {
                checkHealthy();
                if (wantedTo < sequence) {
                    wantedTo = sequence;
                    changed.signalAll();
                }
                if (thread == null) {
                    String trailing = digests
                            ? "the sync digests of this database trail its indexes by " + (indexed - digested)
                            : "the indexes of this database trail its log by " + (sequence - indexed);
                    throw new StorageException(trailing + " assertions: it was not closed cleanly, or, open for writing "
                            + "elsewhere, had not written them when this handle opened (a writer does within "
                            + IDLE_WRITE_MS + " ms of its last commit); open this handle again, or open it read-write once to "
                            + "bring them up to date");
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The sequence up to which everything is indexed. */
    long indexed() {
        lock.lock();
        try {
            return indexed;
        } finally {
            lock.unlock();
        }
    }

    /** The digest of every indexed id; call after {@link #awaitDigests}. */
    IdDigest digest() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** The digest of the indexed ids in {@code bucket}; call after {@link #awaitDigests}. */
    IdDigest bucketDigest(int bucket) {
        return buckets().get(bucket);
    }

    /** A copy of every bucket's digest; call after {@link #awaitDigests}, with no commit running. */
    IdDigest[] bucketDigests() {
        AtomicReferenceArray<IdDigest> b = buckets();
        IdDigest[] copy = new IdDigest[Engine.BUCKETS];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = b.get(i);
        }
        return copy;
    }

    /**
     * Moves the watermark to {@code sequence} with the digest {@code digest} of every id up to
     * it: a bulk load has written the indexes, the digests and the watermark record of its
     * assertions itself. Call with the indexer idle (caught up, no commit running); the bucket
     * digests are read again from the database on next use.
     */
    void advancedTo(long sequence, IdDigest digest) {
        lock.lock();
        try {
            if (!queue.isEmpty() || indexed < handed || gatheredTo > indexed || digested < indexed || sinceCheckpoint > 0) {
                throw new IllegalStateException("the indexer must be idle and checkpointed when a bulk load moves its watermark");
            }
            indexed = sequence;
            gatheredTo = sequence;
            digested = sequence;
            handed = sequence;
            total = digest;
            buckets = null;
            fromScratch = false;
            replayed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes, in {@code wb}, a checkpoint of the digests less {@code ids}: the ids of claims an
     * erasure deletes, all indexed already. Call with the indexer caught up and no other commit
     * running (a commit holding the commit monitor, after {@link #awaitDigests}); run what it returns once
     * {@code wb} is written, to bring the digests in memory along.
     */
    Runnable removing(List<AssertionId> ids, WriteBatch wb) throws RocksDBException {
        checkCaughtUp("an erasure");
        AtomicReferenceArray<IdDigest> bucketDigests = buckets();
        Map<Integer, IdDigest> touched = new HashMap<>();
        IdDigest sum = digest();
        long watermark = indexed();
        for (AssertionId id : ids) {
            int bucket = id.prefix16();
            touched.put(bucket, touched.getOrDefault(bucket, bucketDigests.get(bucket)).minus(id));
            sum = sum.minus(id);
        }
        putCheckpoint(wb, touched, watermark, sum);
        IdDigest after = sum;
        return () -> {
            touched.forEach(bucketDigests::set);
            checkpointed();
            lock.lock();
            try {
                total = after;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        };
    }

    /**
     * Writes a checkpoint of the digests, synced, if anything was indexed since the last one. Call
     * with the indexer caught up and no commit running (a bulk load, after {@link #awaitDigests},
     * before it reads the digests it adds to).
     */
    void checkpoint() {
        if (thread == null || sinceCheckpoint == 0) {
            return;
        }
        checkHealthy();
        checkCaughtUp("a checkpoint");
        writeCheckpoint(true);
    }

    /**
     * Refuses unless every id in the digests in memory is indexed and digested, and none is
     * gathered: what the callers of {@link #removing} and {@link #checkpoint} get by
     * {@link #awaitDigests} with no commit running.
     */
    private void checkCaughtUp(String what) {
        lock.lock();
        try {
            if (digested < indexed || gatheredTo > indexed) {
                throw new IllegalStateException(what + " needs every handed id indexed and digested: call awaitDigests "
                        + "with no commit running first");
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes a checkpoint of every digest changed since the last one, at the current watermark. */
    private void writeCheckpoint(boolean sync) {
        try (WriteBatch wb = new WriteBatch(); WriteOptions options = new WriteOptions().setSync(sync)) {
            putCheckpoint(wb, Map.of(), indexed(), digest());
            store.db().write(options, wb);
        } catch (RocksDBException e) {
            throw StorageException.of("writing a checkpoint of the sync digests", e);
        }
        checkpointed();
    }

    private void checkHealthy() {
        if (failure != null) {
            throw StorageException.again("indexing failed earlier (" + failure.getMessage()
                    + "); reopen the database, which indexes again from where it stopped", failure);
        }
    }

    private AtomicReferenceArray<IdDigest> buckets() {
        AtomicReferenceArray<IdDigest> b = buckets;
        if (b == null) {
            synchronized (this) {
                b = buckets;
                if (b == null) {
                    AtomicReferenceArray<IdDigest> loaded = new AtomicReferenceArray<>(Engine.BUCKETS);
                    for (int i = 0; i < Engine.BUCKETS; i++) {
                        loaded.set(i, IdDigest.empty());
                    }
                    if (!fromScratch) {
                        store.scan(store.handle(Family.DIGESTS), new byte[0], (key, value) -> {
                            loaded.set(Keys.bucketOf(key), IdDigest.fromBytes(value));
                            return true;
                        });
                    }
                    buckets = loaded;
                    b = loaded;
                }
            }
        }
        return b;
    }

    private void run() {
        try {
            // only what was committed before this indexer started is replayed from the log: what
            // commits hand over since is in the queue, and reading it back from the log could meet
            // an entry a later commit moved (a waiting retraction placed with its claim)
            long target = replayTo;
            long from = indexed();
            while (from < target) {
                List<Change> page = replay.read(from, (int) Math.min(REPLAY_PAGE, target - from));
                if (page.isEmpty()) {
                    throw new StorageException.Corruption("the log ends at sequence " + from + " but the counters say "
                            + target + "; run verify and restore from a backup", null);
                }
                index(page);
                from = page.get(page.size() - 1).sequence();
            }
            // the replay's entries are written before the digest pass begins: index reads wait for them only
            if (gatheredAssertions > 0) {
                writeGathered(false);
            }
            while (true) {
                if (digestPassAt < digestPassTo) {
                    // a query waiting for index entries waits for no page of the digest pass
                    if (gatheredWanted()) {
                        writeGathered(false);
                    }
                    digestPage();
                }
                List<Change> work = new ArrayList<>();
                boolean write;
                lock.lock();
                try {
                    // while the digest pass runs, a page of it comes between two batches of new commits
                    boolean idle = false;
                    while (queue.isEmpty() && !closing && digestPassAt == digestPassTo && !(wantedTo > indexed && gatheredTo > indexed)) {
                        if (gatheredTo == indexed) {
                            changed.awaitUninterruptibly();
                        } else if (idle) {
                            break;
                        } else {
                            idle = !changed.await(IDLE_WRITE_MS, TimeUnit.MILLISECONDS);
                        }
                    }
                    if (queue.isEmpty() && closing && gatheredTo == indexed) {
                        return;
                    }
                    while (!queue.isEmpty() && work.size() < BATCH) {
                        work.add(queue.poll());
                    }
                    write = work.isEmpty() && gatheredTo > indexed;
                } finally {
                    lock.unlock();
                }
                if (write) {
                    writeGathered(false);
                } else if (!work.isEmpty()) {
                    index(work);
                }
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            // nothing interrupts this thread but a caller's mistake, which must not pass unseen
            LOG.error("the indexer of {} failed; index reads and commits fail until the database is reopened",
                    store.directory(), e);
            lock.lock();
            try {
                failure = e;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private long gatheredTo() {
        lock.lock();
        try {
            return gatheredTo;
        } finally {
            lock.unlock();
        }
    }

    private boolean gatheredWanted() {
        lock.lock();
        try {
            return wantedTo > indexed && gatheredTo > indexed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds to the digests in memory the ids of the next page of the digest pass; when it ends
     * there, the digests are those of every indexed id, and a checkpoint is written if one is due.
     */
    private void digestPage() {
        List<Change> page = replay.read(digestPassAt, (int) Math.min(REPLAY_PAGE, digestPassTo - digestPassAt));
        if (page.isEmpty()) {
            throw new StorageException.Corruption("the log ends at sequence " + digestPassAt + " but the indexer's entries "
                    + "watermark says " + digestPassTo + "; run verify and restore from a backup", null);
        }
        AtomicReferenceArray<IdDigest> bucketDigests = buckets();
        IdDigest sum = digest();
        long at = digestPassAt;
        for (Change c : page) {
            if (c.sequence() > digestPassTo) {
                break;
            }
            AssertionId id = c.assertion().id();
            int bucket = id.prefix16();
            bucketDigests.set(bucket, bucketDigests.get(bucket).plus(id));
            dirty.set(bucket);
            sum = sum.plus(id);
            sinceCheckpoint++;
            at = c.sequence();
        }
        // the last entries before the pass's end may be erased ones, which a read skips
        digestPassAt = at == digestPassAt ? digestPassTo : at;
        lock.lock();
        try {
            total = sum;
            if (digestPassAt == digestPassTo) {
                digested = indexed;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (digestPassAt == digestPassTo && sinceCheckpoint >= checkpointEvery) {
            writeGathered(true);
        }
    }

    /**
     * Indexes {@code changes} (in sequence order): gathers their index entries and adds their ids
     * to the digests in memory; then writes what is gathered ({@link #writeGathered}) when it
     * makes a run, when a query waits for it, or with a checkpoint of the digests, due when
     * {@link #checkpointEvery} assertions were indexed since the last one and the digest pass is
     * done.
     */
    private void index(List<Change> changes) {
        long last = gatheredTo();
        boolean write;
        AtomicReferenceArray<IdDigest> bucketDigests = buckets();
        IdDigest sum = digest();
        long newest = last;
        int indexedNow = 0;
        for (Change c : changes) {
            if (c.sequence() <= last) {
                continue;
            }
            Assertion a = c.assertion();
            AssertionId id = a.id();
            gathered.put(Family.IDS, id.toBytes(), Keys.sequenceValue(c.sequence()));
            gathered.put(Family.SOURCES, Keys.sourceKey(a.source(), a.hlc(), c.sequence()), EMPTY);
            if (a instanceof Claim claim) {
                byte[] subject = Keys.name(claim.subject());
                byte[] predicate = Keys.name(claim.predicate());
                gathered.put(Family.VALUES, Keys.valueKey(predicate, claim.value(), subject), EMPTY);
                gathered.put(Family.SOURCES, Keys.subjectKey(subject, predicate), EMPTY);
            }
            int bucket = id.prefix16();
            bucketDigests.set(bucket, bucketDigests.get(bucket).plus(id));
            dirty.set(bucket);
            sum = sum.plus(id);
            newest = c.sequence();
            indexedNow++;
        }
        if (newest == last) {
            return;
        }
        gathered.sortRecent();
        gatheredAssertions += indexedNow;
        sinceCheckpoint += indexedNow;
        boolean checkpoint = digestPassAt == digestPassTo && sinceCheckpoint >= checkpointEvery;
        lock.lock();
        try {
            total = sum;
            gatheredTo = newest;
            write = checkpoint || wantedTo > indexed || gatheredAssertions >= runAssertions;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (write) {
            writeGathered(checkpoint);
        }
    }

    /**
     * Writes the gathered index entries and moves the entries watermark to the newest assertion
     * they index, with a checkpoint of the digests if {@code checkpoint}. A run of at least
     * {@link #MIN_RUN} assertions (or {@link #runAssertions}, where smaller) is written as one
     * table file per family, sorted, which RocksDB takes in whole (SstFileWriter and
     * IngestExternalFile); fewer go into the write batch that moves the watermark.
     *
     * <p>Design note. A key put into a memtable is inserted into a skip list of every key written
     * since the last flush, and the index entries' keys (by value, subject, source) land all over
     * it: perf of W1 put about 1 us of cache misses per insert (docs/benchmarks.md, session 20),
     * three of them per claim here, and the flush of those memtables came after. A run of sorted
     * entries written as a table file skips both; it is what the log-structured merge tree does at
     * a flush (O'Neil et al., "The Log-Structured Merge-Tree", 1996), done by the indexer once per
     * {@link #RUN} assertions instead of by RocksDB per memtable. The run's entries wait in memory
     * until then; a query that reads them waits for their write ({@link #await}), and a crash
     * loses only what the log replays.
     */
    private void writeGathered(boolean checkpoint) {
        long watermark = gatheredTo();
        try (WriteBatch wb = new WriteBatch(); WriteOptions unsynced = new WriteOptions()) {
            if (gatheredAssertions >= Math.min(MIN_RUN, runAssertions)) {
                IndexRuns.write(store, gathered.ordered(), store.directory().resolve(RUNS_DIRECTORY), watermark);
            } else {
                gathered.addTo(store, wb);
            }
            if (checkpoint) {
                putCheckpoint(wb, Map.of(), watermark, digest());
            } else {
                wb.put(store.meta(), RocksStore.INDEXED_ENTRIES_KEY, new ByteSink(8).u64(watermark).toByteArray());
            }
            store.db().write(unsynced, wb);
        } catch (RocksDBException e) {
            throw StorageException.of("writing the index entries of " + gatheredAssertions + " assertions", e);
        }
        gathered.clear();
        gatheredAssertions = 0;
        if (checkpoint) {
            checkpointed();
        }
        lock.lock();
        try {
            indexed = watermark;
            if (watermark >= replayTo) {
                replayed = true;
            }
            if (digestPassAt == digestPassTo) {
                digested = watermark;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts, in {@code wb}, a checkpoint: the digest of every bucket changed since the last one
     * ({@code touched}'s new digests, where it has one), and both watermarks at {@code watermark},
     * the digest watermark with {@code sum}.
     */
    private void putCheckpoint(WriteBatch wb, Map<Integer, IdDigest> touched, long watermark, IdDigest sum) throws RocksDBException {
        AtomicReferenceArray<IdDigest> bucketDigests = buckets();
        for (Map.Entry<Integer, IdDigest> t : touched.entrySet()) {
            wb.put(store.handle(Family.DIGESTS), Keys.bucketKey(t.getKey()), t.getValue().toBytes());
        }
        for (int b = dirty.nextSetBit(0); b >= 0; b = dirty.nextSetBit(b + 1)) {
            if (!touched.containsKey(b)) {
                wb.put(store.handle(Family.DIGESTS), Keys.bucketKey(b), bucketDigests.get(b).toBytes());
            }
        }
        byte[] mark = new ByteSink(8).u64(watermark).toByteArray();
        wb.put(store.meta(), RocksStore.INDEXED_ENTRIES_KEY, mark);
        wb.put(store.meta(), RocksStore.INDEXED_KEY, new ByteSink(48).u64(watermark).raw(sum.toBytes()).toByteArray());
    }

    /** Marks the digests in memory as all written, once a checkpoint's batch is. */
    private void checkpointed() {
        dirty.clear();
        sinceCheckpoint = 0;
    }

    /**
     * Indexes what was handed over, checkpoints the digests, then stops the thread. Idempotent. A
     * digest pass still running is left for the next open: no checkpoint then.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread == null) {
            return;
        }
        try {
            thread.join(TimeUnit.MINUTES.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            LOG.warn("the indexer of {} did not finish in 10 minutes; its digests are not checkpointed, and reopening "
                    + "replays the log from the last checkpoint", store.directory());
            return;
        }
        lock.lock();
        try {
            if (failure != null || digested < indexed) {
                return;
            }
        } finally {
            lock.unlock();
        }
        checkpoint();
    }
}
