package io.stemedb.bench;

import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The raw RocksDB baselines: RocksDB opened directly with StemeDB's options ({@link RocksOptions}),
 * writing precomputed bytes, with no hashing, no encoding and no logic beyond copying slices of
 * two byte pools into reused buffers and writing a few counters.
 *
 * <ul>
 *   <li>{@link Mode#SAME_KEYS}: per claim, the same number of entries in the same column
 *       families with the same key and value sizes as StemeDB's engine ({@link StoreShape},
 *       measured), split the same way between the commit and the indexer behind it: the
 *       families StemeDB's commit writes go into each batch (with the one meta record per
 *       batch), the ones its indexer writes are written by a second thread in unsynced batches
 *       of its own, trailing by at most {@link #MAX_LAG} claims, as StemeDB's indexer does. Keys
 *       keep the engine's ordering and entropy shape (docs/format.md's layouts, with slices of
 *       real records where the engine has text or timestamps and random bytes where it has a
 *       hash): a 16-byte fact key per (subject, predicate) in {@code facts}, whose entries are
 *       merge operands for RocksDB's append operator, as StemeDB's; random ids in
 *       {@code assertions}; a counter in {@code log}; in {@code sources} a per-source prefix and
 *       a counter; in {@code values} a predicate byte, one of 1,000 record slices per predicate,
 *       the subject number; random bucket keys in {@code digests}, 65,536 at each of StemeDB's
 *       digest checkpoints. Each batch adds its entries in key order within each family, as
 *       the engine's batches do. Reads are a point get of the pair's fact key, StemeDB's read of
 *       a fact.</li>
 *   <li>{@link Mode#ONE_KEY}: one entry per claim, a 32-byte random key and a value of the
 *       claim's record size, in the default family. Reads are point gets.</li>
 * </ul>
 * Values are slices of a pool of real canonical records (so they compress like StemeDB's); key
 * filler comes from a pool of random bytes. The same durability as the StemeDB run: sync on every
 * write, or no sync and a WAL fsync every second from a background thread (what StemeDB's
 * {@code Durability.syncEvery(1s)} does).
 */
public final class RawRocks implements AutoCloseable {
    public enum Mode {
        SAME_KEYS("raw-same-keys"), ONE_KEY("raw-one-key");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    private static final int POOL_BYTES = 4 << 20;

    private final Path dir;
    private final Mode mode;
    private final boolean syncEach;
    private final StoreShape shape;
    private final Workload workload;
    private final byte[] randomPool;
    private final byte[] recordPool;
    private final Map<Integer, byte[]> keyBuffers = new HashMap<>();
    private final byte[] stateKey = StoreShape.STATE_KEY.getBytes(StandardCharsets.US_ASCII);
    private final byte[] stateValue;
    private RocksOptions options;
    private RocksDB db;
    private List<ColumnFamilyHandle> handles;
    private List<String> names;
    private WriteOptions writeOptions;
    private ReadOptions readOptions;
    private ScheduledExecutorService walSyncer;
    private ColumnFamilyHandle facts;
    private long sink;
    /** Claims the indexer thread may trail the commits by, as StemeDB's indexer. */
    static final int MAX_LAG = 100_000;
    private ExecutorService indexer;
    private final java.util.concurrent.Semaphore lag = new java.util.concurrent.Semaphore(MAX_LAG);
    private volatile Throwable indexerFailure;

    public RawRocks(Path dir, Mode mode, boolean syncEach, StoreShape shape, Workload workload) {
        this.dir = dir;
        this.mode = mode;
        this.syncEach = syncEach;
        this.shape = shape;
        this.workload = workload;
        SplittableRandom random = new SplittableRandom(workload.seed() ^ 0x5eed);
        this.randomPool = new byte[POOL_BYTES];
        random.nextBytes(randomPool);
        this.recordPool = recordPool(workload);
        this.stateValue = new byte[shape.stateValueBytes()];
        System.arraycopy(randomPool, 0, stateValue, 0, stateValue.length);
    }

    /** Real canonical records of the workload's first claims, back to back: values that compress like StemeDB's. */
    private static byte[] recordPool(Workload w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(POOL_BYTES + 256);
        long node = 0x1234_5678_9abcL;
        long ms = 1_700_000_000_000L;
        for (long i = 0; out.size() < POOL_BYTES; i++) {
            long k = i % w.n();
            long pair = w.pairOf(k);
            int p = Workload.predicateOfPair(pair);
            Claim c = Claim.builder(Workload.subjectName(Workload.subjectOfPair(pair)), Workload.PREDICATES[p], w.valueOf(k, p))
                    .source(Workload.SOURCES[w.sourceOf(k)]).hlc(Hlc.of(ms + i, 0, node)).build();
            out.writeBytes(c.canonicalBytes());
        }
        return out.toByteArray();
    }

    String label() {
        return mode.label;
    }

    List<String> familyNames() {
        List<String> n = new ArrayList<>();
        n.add("default");
        if (mode == Mode.SAME_KEYS) {
            for (StoreShape.Family f : shape.families()) {
                n.add(f.name());
            }
        }
        return n;
    }

    public void open() throws RocksDBException {
        options = new RocksOptions(true);
        names = familyNames();
        handles = new ArrayList<>();
        db = RocksDB.open(options.dbOptions, dir.toString(), options.descriptors(names), handles);
        facts = mode == Mode.SAME_KEYS ? handles.get(names.indexOf("facts")) : null;
        writeOptions = new WriteOptions().setSync(syncEach);
        readOptions = new ReadOptions();
        if (mode == Mode.SAME_KEYS) {
            indexer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "raw-indexer");
                t.setDaemon(true);
                return t;
            });
        }
        if (!syncEach) {
            walSyncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "raw-wal-sync");
                t.setDaemon(true);
                return t;
            });
            walSyncer.scheduleWithFixedDelay(() -> {
                try {
                    db.flushWal(true);
                } catch (RocksDBException e) {
                    throw new IllegalStateException(e);
                }
            }, 1000, 1000, TimeUnit.MILLISECONDS);
        }
    }

    private byte[] keyBuffer(int size) {
        return keyBuffers.computeIfAbsent(size, byte[]::new);
    }

    /** Fills {@code key}[from, to) with random bytes (ids) picked by {@code h}. */
    private void fillRandom(byte[] key, int from, int to, long h) {
        int len = to - from;
        if (len > 0) {
            int off = (int) Long.remainderUnsigned(h, POOL_BYTES - len);
            System.arraycopy(randomPool, off, key, from, len);
        }
    }

    /** Fills {@code key}[from, to) with record bytes (text, timestamps: compressible) picked by {@code h}. */
    private void fillRecord(byte[] key, int from, int to, long h) {
        int len = to - from;
        if (len > 0) {
            int off = (int) Long.remainderUnsigned(h * 13, recordPool.length - len);
            System.arraycopy(recordPool, off, key, from, len);
        }
    }

    private byte[] value(int size, long i) {
        byte[] v = new byte[size];
        if (size > 0) {
            int off = (int) Long.remainderUnsigned(i * 97, recordPool.length - size);
            System.arraycopy(recordPool, off, v, 0, size);
        }
        return v;
    }

    private static void putLong(byte[] b, int off, long v) {
        if (b.length >= off + 8) {
            for (int k = 7; k >= 0; k--) {
                b[off + k] = (byte) v;
                v >>>= 8;
            }
        } else {
            for (int k = b.length - 1; k >= off; k--) {
                b[k] = (byte) v;
                v >>>= 8;
            }
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        for (int k = 3; k >= 0; k--) {
            b[off + k] = (byte) v;
            v >>>= 8;
        }
    }

    /** The 32-byte key of claim {@code i} in {@link Mode#ONE_KEY}. */
    private byte[] oneKey(long i) {
        byte[] key = keyBuffer(32);
        long h = Workload.mix64(i ^ 0x0e4eL);
        putLong(key, 0, h);
        fillRandom(key, 8, 32, h);
        return key;
    }

    /** Writes claims {@code from} to {@code to} as one atomic batch; the indexed families follow on the indexer thread. */
    public void ingest(long from, long to) throws RocksDBException {
        Throwable failed = indexerFailure;
        if (failed != null) {
            throw new IllegalStateException("the raw indexer failed", failed);
        }
        try (WriteBatch wb = new WriteBatch()) {
            if (mode == Mode.ONE_KEY) {
                for (long i = from; i < to; i++) {
                    wb.put(oneKey(i), value(shape.recordBytes(Workload.predicateOfPair(workload.pairOf(i))), i));
                }
            } else {
                List<Entry> entries = new ArrayList<>();
                for (long i = from; i < to; i++) {
                    write(entries, i, false);
                }
                addInOrder(entries, wb);
            }
            if (mode == Mode.SAME_KEYS) {
                wb.put(handles.get(0), stateKey, stateValue);
            }
            db.write(writeOptions, wb);
        }
        if (mode == Mode.SAME_KEYS) {
            int claims = (int) (to - from);
            lag.acquireUninterruptibly(claims);
            indexer.execute(() -> index(from, to));
        }
    }

    /**
     * The indexer thread's batch: the indexed families' entries of claims {@code from} to
     * {@code to}, unsynced, but for {@code digests}, whose entries StemeDB's indexer writes at a
     * checkpoint every {@link #DIGEST_CHECKPOINT} claims: one per bucket changed since the last.
     */
    private void index(long from, long to) {
        try (WriteBatch wb = new WriteBatch(); WriteOptions unsynced = new WriteOptions()) {
            List<Entry> entries = new ArrayList<>();
            for (long i = from; i < to; i++) {
                write(entries, i, true);
            }
            addInOrder(entries, wb);
            if (from / DIGEST_CHECKPOINT != to / DIGEST_CHECKPOINT) {
                for (StoreShape.Family fam : shape.families()) {
                    if (fam.name().equals("digests")) {
                        ColumnFamilyHandle h = handles.get(shape.families().indexOf(fam) + 1);
                        for (long b = 0; b < Math.min(BUCKETS, DIGEST_CHECKPOINT); b++) {
                            byte[] key = new byte[fam.keyBytes()[0]];
                            fillRandom(key, 0, key.length, Workload.mix64(to + b));
                            wb.put(h, key, value(fam.valueBytes()[0], b));
                        }
                    }
                }
            }
            wb.put(handles.get(0), INDEXED_KEY, stateValue);
            db.write(unsynced, wb);
        } catch (RocksDBException | RuntimeException e) {
            indexerFailure = e;
        } finally {
            lag.release((int) (to - from));
        }
    }

    private static final byte[] INDEXED_KEY = "indexed".getBytes(StandardCharsets.US_ASCII);
    /** StemeDB's indexer checkpoints its bucket digests every this many assertions (storage's {@code Indexer.CHECKPOINT}). */
    static final long DIGEST_CHECKPOINT = 1 << 20;
    /** The id buckets of Merkle sync (storage's {@code Engine.BUCKETS}). */
    private static final long BUCKETS = 65_536;

    /** One entry of a batch: a put, or a merge operand ({@code facts}), in family {@code family} (an index into the families). */
    private record Entry(int family, byte[] key, byte[] value, boolean merge) { }

    /**
     * Adds {@code entries} to {@code wb} in key order within each family, as StemeDB's engine
     * orders its batches (storage's {@code OrderedPuts}): the memtable's skip list then inserts
     * each key next to the previous one instead of searching from its top. A stable sort, so the
     * merge operands of one key keep their order.
     */
    private void addInOrder(List<Entry> entries, WriteBatch wb) throws RocksDBException {
        entries.sort((x, y) -> x.family != y.family ? Integer.compare(x.family, y.family) : Arrays.compareUnsigned(x.key, y.key));
        for (Entry e : entries) {
            ColumnFamilyHandle h = handles.get(e.family + 1);
            if (e.merge) {
                wb.merge(h, e.key, e.value);
            } else {
                wb.put(h, e.key, e.value);
            }
        }
    }

    /** Adds to {@code entries} claim {@code i}'s entries of the families the commit writes ({@code indexed} false) or the indexer writes. */
    private void write(List<Entry> entries, long i, boolean indexed) {
        long pair = workload.pairOf(i);
        int p = Workload.predicateOfPair(pair);
        List<StoreShape.Family> fams = shape.families();
        for (int f = 0; f < fams.size(); f++) {
            StoreShape.Family fam = fams.get(f);
            int count = fam.entries()[p];
            if (count == 0 || fam.indexed() != indexed || fam.name().equals("digests")) {
                continue;
            }
            for (int j = 0; j < count; j++) {
                byte[] key = new byte[fam.keyBytes()[p]];
                long mixed = Workload.mix64(i * 31 + f * 7 + j);
                int len = key.length;
                switch (fam.name()) {
                    case "log": // the sequence number
                        putLong(key, 0, i + 1);
                        fillRandom(key, 8, len, mixed);
                        break;
                    case "facts": // the pair's fact key: a hash
                        factKey(key, pair);
                        entries.add(new Entry(f, key, value(fam.valueBytes()[p], i + j), true));
                        continue;
                    case "sources": // source name, hlc, sequence
                        int src = workload.sourceOf(i);
                        int nameLen = Math.max(1, len - 28);
                        key[0] = (byte) src;
                        fillRecord(key, 1, nameLen, src);
                        putLong(key, nameLen, i);
                        putLong(key, len - 8, i + 1);
                        break;
                    case "values": // predicate, value, subject
                        key[0] = (byte) p;
                        fillRecord(key, 1, len - 8, p * 1000L + (mixed >>> 1) % 1000);
                        putLong(key, len - 8, Workload.subjectOfPair(pair));
                        break;
                    default: // assertions (random BLAKE3 ids), digests (random buckets) and any family the engine adds
                        putLong(key, 0, mixed);
                        fillRandom(key, 8, len, mixed);
                        break;
                }
                entries.add(new Entry(f, key, value(fam.valueBytes()[p], i + j), false));
            }
        }
    }

    /** The 16-byte fact key of {@code pair}, a hash as StemeDB's. */
    static byte[] factKey(long pair) {
        byte[] key = new byte[16];
        factKey(key, pair);
        return key;
    }

    private static void factKey(byte[] key, long pair) {
        long h = Workload.mix64(pair ^ 0x7ac7L);
        putLong(key, 0, h);
        if (key.length > 8) {
            putLong(key, 8, Workload.mix64(h));
        }
    }

    /**
     * {@link Mode#SAME_KEYS}: the point get of one (subject, predicate) pair's fact key, StemeDB's
     * read of a fact; {@link Mode#ONE_KEY}: a point get of claim {@code index}.
     *
     * @return the entries read: the claims in the fact's value (its operands are of one size)
     */
    public int read(long pair, long index) throws RocksDBException {
        if (mode == Mode.ONE_KEY) {
            byte[] v = db.get(oneKey(index));
            sink += v == null ? 0 : v.length;
            return v == null ? 0 : 1;
        }
        byte[] key = new byte[shape.factKeyBytes()];
        factKey(key, pair);
        byte[] v = db.get(facts, readOptions, key);
        if (v == null) {
            return 0;
        }
        sink += v.length;
        return v.length / shape.factEntryBytes(Workload.predicateOfPair(pair));
    }

    /** Waits until the indexer thread has written every batch handed to it. */
    void drainIndexer() {
        if (indexer != null) {
            lag.acquireUninterruptibly(MAX_LAG);
            lag.release(MAX_LAG);
        }
    }

    long sink() {
        return sink;
    }

    /** RocksDB's own figures, aggregated over the column families. */
    Map<String, Long> properties() throws RocksDBException {
        Map<String, Long> props = new HashMap<>();
        props.put("total-sst-files-size", db.getAggregatedLongProperty("rocksdb.total-sst-files-size"));
        props.put("live-sst-files-size", db.getAggregatedLongProperty("rocksdb.live-sst-files-size"));
        props.put("estimate-num-keys", db.getAggregatedLongProperty("rocksdb.estimate-num-keys"));
        return props;
    }

    /** RocksDB's statistics text: the database's, then each column family's compaction stats. */
    String statsText() throws RocksDBException {
        StringBuilder s = new StringBuilder(db.getProperty("rocksdb.stats"));
        for (int i = 1; i < handles.size(); i++) {
            s.append("\n==== column family ").append(names.get(i)).append(" ====\n")
                    .append(db.getProperty(handles.get(i), "rocksdb.cfstats-no-file-histogram"));
        }
        return s.toString();
    }

    @Override
    public void close() throws RocksDBException {
        if (db == null) {
            return;
        }
        if (indexer != null) {
            drainIndexer();
            indexer.shutdown();
            indexer = null;
        }
        if (walSyncer != null) {
            walSyncer.shutdownNow();
            try {
                walSyncer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            walSyncer = null;
            db.flushWal(true);
        }
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        db = null;
        writeOptions.close();
        readOptions.close();
        options.close();
    }
}
