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
 * Maintains, behind the commits, what no point read needs: the by-source and by-value indexes,
 * the subjects index, and the id bucket digests of Merkle sync ({@link Family.Writer#INDEXER}
 * families). A commit writes only its records, its ids and its log entries, then hands its
 * changes here; one thread indexes them in its own write batches, each of which also records the
 * <em>watermark</em>, the sequence up to which everything is indexed, with the digest of every
 * indexed id. A query that reads an index first waits until the watermark reaches the newest
 * sequence committed when it started ({@link #await}), so it never misses a commit that finished
 * before it; the wait is bounded because a commit waits while the indexer trails by more than
 * {@link #MAX_LAG} assertions.
 *
 * <p><b>Recovery.</b> The indexer's batches are not synced, so a crash can lose the last of them;
 * the watermark and the entries it covers are one batch, so what survives is consistent. On open
 * the indexer replays the log from the watermark ({@code replay}) before anything newer: reopening
 * costs no scan when the database was closed cleanly ({@link #close} drains the queue), and the
 * replay of at most {@link #MAX_LAG} assertions after a crash runs in the background. Index
 * entries are keys, so writing one twice is harmless; digests are sums, so they are persisted
 * with the watermark and a replay starts exactly after it. Without a watermark record (a new
 * database, or one whose indexed families were just created) everything is indexed from the first
 * sequence, starting from empty digests.
 *
 * <p>Thread-safe. A failure of the indexer's writes stops it: every later commit and index read
 * fails with that cause until the database is reopened (which replays from the watermark).
 */
final class Indexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    private static final byte[] EMPTY = new byte[0];
    /** Assertions a commit may run ahead of the indexer before it waits: bounds the queue's heap and a query's wait. */
    static final int MAX_LAG = 100_000;
    /** Assertions indexed per write batch at most. */
    private static final int BATCH = 4096;
    /** Assertions read per page when replaying the log. */
    private static final int REPLAY_PAGE = 4096;

    /** How the indexer replays the log: up to {@code limit} changes after {@code afterSequence}, in order. */
    @FunctionalInterface
    interface Replay {
        List<Change> read(long afterSequence, int limit);
    }

    private final RocksStore store;
    private final Replay replay;
    /** Guards {@link #queue}, {@link #indexed}, {@link #handed}, {@link #total}, {@link #failure} and {@link #closing}. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled under {@link #lock} when any of the fields it guards changes. */
    private final Condition changed = lock.newCondition();
    /** Commits handed over and not yet indexed. Guarded by {@link #lock}. */
    private final ArrayDeque<Change> queue = new ArrayDeque<>();
    private final Thread thread;
    /** Everything up to here is indexed and durable in the watermark record. Guarded by {@link #lock}. */
    private long indexed;
    /** The newest sequence committed before this indexer started: the end of its replay of the log. */
    private final long replayTo;
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
     * {@code lastSequence}; read-only databases get no thread, and their index reads fail if the
     * indexes trail.
     */
    Indexer(RocksStore store, long lastSequence, boolean readOnly, Replay replay) {
        this.store = store;
        this.replay = replay;
        byte[] mark = store.get(store.meta(), RocksStore.INDEXED_KEY);
        this.fromScratch = mark == null;
        if (mark == null) {
            indexed = 0;
            total = IdDigest.empty();
        } else {
            ByteBuffer b = ByteBuffer.wrap(mark);
            indexed = b.getLong();
            byte[] digest = new byte[IdDigest.ENCODED_LENGTH];
            b.get(digest);
            total = IdDigest.fromBytes(digest);
        }
        handed = Math.max(indexed, lastSequence);
        replayTo = handed;
        if (readOnly) {
            thread = null;
        } else {
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
            while (failure == null && !closing && handed - indexed > MAX_LAG) {
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

    /** Waits until every assertion up to {@code sequence} is indexed. */
    void await(long sequence) {
        lock.lock();
        try {
            while (indexed < sequence) {
                checkHealthy();
                if (thread == null) {
                    throw new StorageException("the indexes of this database trail its log by " + (sequence - indexed)
                            + " assertions (it was not closed cleanly); open it read-write once to bring them up to date");
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

    /** The digest of every indexed id; call after {@link #await}. */
    IdDigest digest() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** The digest of the indexed ids in {@code bucket}; call after {@link #await}. */
    IdDigest bucketDigest(int bucket) {
        return buckets().get(bucket);
    }

    /** A copy of every bucket's digest; call after {@link #await}, with no commit running. */
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
            if (!queue.isEmpty() || indexed < handed) {
                throw new IllegalStateException("the indexer must be idle when a bulk load moves its watermark");
            }
            indexed = sequence;
            handed = sequence;
            total = digest;
            buckets = null;
            fromScratch = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes, in {@code wb}, the bucket digests and the watermark record less {@code ids}: the ids
     * of claims an erasure deletes, all indexed already. Call with the indexer caught up and no
     * other commit running (a commit holding the commit monitor, after {@link #await}); run what it
     * returns once {@code wb} is written, to bring the digests in memory along.
     */
    Runnable removing(List<AssertionId> ids, WriteBatch wb) throws RocksDBException {
        AtomicReferenceArray<IdDigest> bucketDigests = buckets();
        Map<Integer, IdDigest> touched = new HashMap<>();
        IdDigest sum = digest();
        long watermark = indexed();
        for (AssertionId id : ids) {
            int bucket = id.prefix16();
            touched.put(bucket, touched.getOrDefault(bucket, bucketDigests.get(bucket)).minus(id));
            sum = sum.minus(id);
        }
        putDigests(wb, touched, watermark, sum);
        IdDigest after = sum;
        return () -> {
            touched.forEach(bucketDigests::set);
            lock.lock();
            try {
                total = after;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        };
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
            while (true) {
                List<Change> work = new ArrayList<>();
                lock.lock();
                try {
                    while (queue.isEmpty() && !closing) {
                        changed.awaitUninterruptibly();
                    }
                    if (queue.isEmpty()) {
                        return;
                    }
                    while (!queue.isEmpty() && work.size() < BATCH) {
                        work.add(queue.poll());
                    }
                } finally {
                    lock.unlock();
                }
                index(work);
            }
        } catch (RuntimeException | Error e) {
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

    /** Indexes {@code changes} (in sequence order) in one write batch with the new watermark. */
    private void index(List<Change> changes) {
        long last = indexed();
        AtomicReferenceArray<IdDigest> bucketDigests = buckets();
        Map<Integer, IdDigest> touched = new HashMap<>();
        IdDigest sum = digest();
        long newest = last;
        try (WriteBatch wb = new WriteBatch(); WriteOptions unsynced = new WriteOptions()) {
            for (Change c : changes) {
                if (c.sequence() <= last) {
                    continue;
                }
                Assertion a = c.assertion();
                AssertionId id = a.id();
                wb.put(store.handle(Family.SOURCES), Keys.sourceKey(a.source(), a.hlc(), c.sequence()), EMPTY);
                if (a instanceof Claim claim) {
                    wb.put(store.handle(Family.VALUES), Keys.valueKey(claim), EMPTY);
                    wb.put(store.handle(Family.SOURCES), Keys.subjectKey(claim.subject(), claim.predicate()), EMPTY);
                }
                int bucket = id.prefix16();
                touched.put(bucket, touched.getOrDefault(bucket, bucketDigests.get(bucket)).plus(id));
                sum = sum.plus(id);
                newest = c.sequence();
            }
            if (newest == last) {
                return;
            }
            putDigests(wb, touched, newest, sum);
            store.db().write(unsynced, wb);
        } catch (RocksDBException e) {
            throw StorageException.of("indexing " + changes.size() + " assertions", e);
        }
        touched.forEach(bucketDigests::set);
        lock.lock();
        try {
            total = sum;
            indexed = newest;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Puts, in {@code wb}, the {@code touched} bucket digests and the watermark record: {@code watermark} with the digest {@code sum}. */
    private void putDigests(WriteBatch wb, Map<Integer, IdDigest> touched, long watermark, IdDigest sum) throws RocksDBException {
        for (Map.Entry<Integer, IdDigest> t : touched.entrySet()) {
            wb.put(store.handle(Family.DIGESTS), Keys.bucketKey(t.getKey()), t.getValue().toBytes());
        }
        wb.put(store.meta(), RocksStore.INDEXED_KEY, new ByteSink(48).u64(watermark).raw(sum.toBytes()).toByteArray());
    }

    /** Indexes what was handed over, then stops the thread. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.MINUTES.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
