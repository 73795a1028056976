package io.stemedb.bench;

import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
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
 *       measured), plus the one meta record per batch. Keys keep the engine's ordering and
 *       entropy shape (docs/format.md's layouts, with slices of real records where the engine has
 *       text or timestamps and random bytes where it has a BLAKE3 id): random ids in
 *       {@code assertions}; a counter in {@code log}; in {@code facts} a per-pair prefix as long
 *       as name(subject) name(predicate), a kind byte, a counter and zeros where the HLC is, and a
 *       random 32-byte id; in {@code sources} a per-source prefix, a counter, zeros, a random id; in
 *       {@code values} a predicate byte, one of 1,000 record slices per predicate, the subject
 *       number. Reads are a prefix seek in {@code facts}, the shape of StemeDB's evidence scan:
 *       new iterator, seek, read the ~2 entries' values, stop at the first key past the prefix.</li>
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
    private final Map<Integer, byte[]> valueBuffers = new HashMap<>();
    private final byte[] stateKey = StoreShape.STATE_KEY.getBytes(StandardCharsets.US_ASCII);
    private final byte[] stateValue;
    private final byte[] prefix = new byte[4];
    /** How each family's keys are shaped, by its index in {@link StoreShape#families()}. */
    private final int[] kinds;
    private RocksOptions options;
    private RocksDB db;
    private List<ColumnFamilyHandle> handles;
    private List<String> names;
    private WriteOptions writeOptions;
    private ReadOptions readOptions;
    private ScheduledExecutorService walSyncer;
    private ColumnFamilyHandle facts;
    private long sink;

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
        List<StoreShape.Family> fams = shape.families();
        this.kinds = new int[fams.size()];
        for (int f = 0; f < kinds.length; f++) {
            kinds[f] = List.of("log", "facts", "sources", "values").indexOf(fams.get(f).name());
        }
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

    private byte[] valueBuffer(int size) {
        return valueBuffers.computeIfAbsent(size, byte[]::new);
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
        byte[] v = valueBuffer(size);
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

    /** Writes claims {@code from} to {@code to} as one atomic batch. */
    public void ingest(long from, long to) throws RocksDBException {
        try (WriteBatch wb = new WriteBatch()) {
            for (long i = from; i < to; i++) {
                long pair = workload.pairOf(i);
                int p = Workload.predicateOfPair(pair);
                if (mode == Mode.ONE_KEY) {
                    wb.put(oneKey(i), value(shape.recordBytes(p), i));
                    continue;
                }
                List<StoreShape.Family> fams = shape.families();
                for (int f = 0; f < fams.size(); f++) {
                    StoreShape.Family fam = fams.get(f);
                    int count = fam.entries()[p];
                    if (count == 0) {
                        continue;
                    }
                    ColumnFamilyHandle h = handles.get(f + 1);
                    for (int j = 0; j < count; j++) {
                        byte[] key = keyBuffer(fam.keyBytes()[p]);
                        long mixed = Workload.mix64(i * 31 + f * 7 + j);
                        int len = key.length;
                        switch (kinds[f]) {
                            case 0: // log: the sequence number
                                putLong(key, 0, i + 1);
                                fillRandom(key, 8, len, mixed);
                                break;
                            case 1: // facts: (subject, predicate) prefix, kind, hlc, id
                                if (len >= 57) {
                                    int prefixLen = len - 53;
                                    putInt(key, 0, (int) pair);
                                    fillRecord(key, 4, prefixLen, Workload.mix64(pair));
                                    key[prefixLen] = 1;
                                    putLong(key, prefixLen + 1, i);
                                    java.util.Arrays.fill(key, prefixLen + 9, len - 32, (byte) 0);
                                    fillRandom(key, len - 32, len, mixed);
                                } else {
                                    putInt(key, 0, (int) pair);
                                    fillRandom(key, 4, len, mixed);
                                }
                                break;
                            case 2: // sources: source name, hlc, id
                                int src = workload.sourceOf(i);
                                int nameLen = Math.max(1, len - 52);
                                key[0] = (byte) src;
                                fillRecord(key, 1, nameLen, src);
                                putLong(key, nameLen, i);
                                java.util.Arrays.fill(key, Math.min(len, nameLen + 8), Math.max(nameLen + 8, len - 32), (byte) 0);
                                fillRandom(key, Math.max(nameLen + 8, len - 32), len, mixed);
                                break;
                            case 3: // values: predicate, value, subject
                                key[0] = (byte) p;
                                fillRecord(key, 1, len - 8, p * 1000L + (mixed >>> 1) % 1000);
                                putLong(key, len - 8, Workload.subjectOfPair(pair));
                                break;
                            default: // assertions (random BLAKE3-like ids) and any family the engine adds
                                putLong(key, 0, mixed);
                                fillRandom(key, 8, len, mixed);
                                break;
                        }
                        wb.put(h, key, value(fam.valueBytes()[p], i + j));
                    }
                }
            }
            if (mode == Mode.SAME_KEYS) {
                wb.put(handles.get(0), stateKey, stateValue);
            }
            db.write(writeOptions, wb);
        }
    }

    /**
     * {@link Mode#SAME_KEYS}: the prefix seek of one (subject, predicate) pair, reading every
     * entry's value; {@link Mode#ONE_KEY}: a point get of claim {@code index}.
     *
     * @return the entries read
     */
    public int read(long pair, long index) throws RocksDBException {
        if (mode == Mode.ONE_KEY) {
            byte[] v = db.get(oneKey(index));
            sink += v == null ? 0 : v.length;
            return v == null ? 0 : 1;
        }
        putInt(prefix, 0, (int) pair);
        int found = 0;
        try (RocksIterator it = db.newIterator(facts, readOptions)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (key[0] != prefix[0] || key[1] != prefix[1] || key[2] != prefix[2] || key[3] != prefix[3]) {
                    break;
                }
                sink += it.value().length;
                found++;
            }
            it.status();
        }
        return found;
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
