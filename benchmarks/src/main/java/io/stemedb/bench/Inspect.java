package io.stemedb.bench;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.codec.digest.MurmurHash3;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;

/**
 * A diagnostic for a closed database directory (StemeDB's or a raw baseline's, kept with
 * {@code scale --keep}): opens it read-only with rocksdbjni and prints each column family's LSM
 * shape (files per level, size, keys), then times raw point gets of the workload's
 * (subject, predicate) fact keys directly on its {@code facts} family, so that the cost of
 * RocksDB's read on that data can be told apart from the cost of StemeDB's code above it.
 *
 * <pre>java -jar benchmarks.jar inspect --dir DIR --n N [--ops 100000] [--seed 42]</pre>
 */
final class Inspect {
    private Inspect() {}

    static void run(String[] args, PrintStream out) throws Exception {
        Path dir = null;
        long n = 0;
        int ops = 100_000;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--n" -> n = Long.parseLong(args[++i].replace("_", ""));
                case "--ops" -> ops = Integer.parseInt(args[++i].replace("_", ""));
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("usage: inspect --dir DIR --n N [--ops 100000] [--seed 42]");
            }
        }
        if (dir == null || n < 10) {
            throw new IllegalArgumentException("usage: inspect --dir DIR --n N [--ops 100000] [--seed 42]");
        }
        boolean steme = Files.exists(dir.resolve("stemedb.lock"));
        Workload w = new Workload(n, seed);
        try (RocksOptions options = new RocksOptions(false)) {
            List<String> names = RocksOptions.familiesOf(dir);
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB db = RocksDB.openReadOnly(options.dbOptions, dir.toString(), options.descriptors(names), handles)) {
                try {
                    out.printf("%s (%s), read-only; WAL replayed into memtables, not flushed%n", dir, steme ? "StemeDB" : "raw");
                    for (int f = 0; f < names.size(); f++) {
                        ColumnFamilyHandle h = handles.get(f);
                        StringBuilder levels = new StringBuilder();
                        for (int l = 0; l < 7; l++) {
                            levels.append(' ').append(db.getProperty(h, "rocksdb.num-files-at-level" + l));
                        }
                        out.printf("  %-12s files/level%s  sst %,d B  memtables %,d B  keys ~%,d%n", names.get(f), levels,
                                db.getLongProperty(h, "rocksdb.total-sst-files-size"),
                                db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables"),
                                db.getLongProperty(h, "rocksdb.estimate-num-keys"));
                    }
                    int facts = names.indexOf("facts");
                    if (facts < 0) {
                        return;
                    }
                    ColumnFamilyHandle fh = handles.get(facts);
                    SplittableRandom rnd = new SplittableRandom(seed * 31 + 1);
                    long bytes = 0;
                    long[] lat = new long[ops];
                    try (ReadOptions ro = new ReadOptions()) {
                        for (int k = -ops / 5; k < ops; k++) {
                            long pair = rnd.nextLong(w.pairs());
                            byte[] key = steme ? stemeFactKey(pair) : RawRocks.factKey(pair);
                            long t0 = System.nanoTime();
                            byte[] value = db.get(fh, ro, key);
                            if (k >= 0) {
                                lat[k] = System.nanoTime() - t0;
                                bytes += value == null ? 0 : value.length;
                            }
                        }
                    }
                    Arrays.sort(lat);
                    long sum = Arrays.stream(lat).sum();
                    out.printf("  raw point get of fact keys: %,.0f ops/s, p50 %.1f us, p99 %.1f us, %.0f value bytes/op%n",
                            ops / (sum / 1e9), lat[ops / 2] / 1e3, lat[(int) (ops * 0.99)] / 1e3, (double) bytes / ops);
                } finally {
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
        }
    }

    /**
     * StemeDB's fact key of a pair (docs/format.md, "Fact keys"): MurmurHash3 x64 128, seed 0, of
     * name(subject) name(predicate), each a u16 length and UTF-8, as two big-endian longs.
     */
    private static byte[] stemeFactKey(long pair) {
        byte[] s = Workload.subjectName(Workload.subjectOfPair(pair)).getBytes(StandardCharsets.UTF_8);
        byte[] p = Workload.PREDICATES[Workload.predicateOfPair(pair)].getBytes(StandardCharsets.UTF_8);
        ByteBuffer names = ByteBuffer.allocate(4 + s.length + p.length);
        names.putShort((short) s.length).put(s).putShort((short) p.length).put(p);
        long[] h = MurmurHash3.hash128x64(names.array(), 0, names.capacity(), 0);
        return ByteBuffer.allocate(16).putLong(h[0]).putLong(h[1]).array();
    }
}
