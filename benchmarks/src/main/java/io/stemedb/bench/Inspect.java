package io.stemedb.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A diagnostic for a closed database directory (StemeDB's or a raw baseline's, kept with
 * {@code scale --keep}): opens it read-only with rocksdbjni and prints each column family's LSM
 * shape (files per level, size, keys), then times raw prefix seeks of the workload's
 * (subject, predicate) pairs directly on its {@code facts} family, so that the cost of RocksDB's
 * seek on that data can be told apart from the cost of StemeDB's code above it.
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
                    // StemeDB's key names were varint-length-prefixed, then u16-length-prefixed: use whichever finds data.
                    boolean u16 = steme && seek(db, fh, stemePrefix(0, true), false) > 0;
                    out.printf("  facts key names: %s%n", !steme ? "raw 4-byte pair prefix" : u16 ? "u16 length + UTF-8" : "varint length + UTF-8");
                    for (boolean bounded : new boolean[] {false, true}) {
                        SplittableRandom rnd = new SplittableRandom(seed * 31 + 1);
                        long entries = 0;
                        long[] lat = new long[ops];
                        for (int k = -ops / 5; k < ops; k++) {
                            long pair = rnd.nextLong(w.pairs());
                            byte[] prefix = steme ? stemePrefix(pair, u16) : rawPrefix(pair);
                            long t0 = System.nanoTime();
                            int found = seek(db, fh, prefix, bounded);
                            if (k >= 0) {
                                lat[k] = System.nanoTime() - t0;
                                entries += found;
                            }
                        }
                        Arrays.sort(lat);
                        long sum = Arrays.stream(lat).sum();
                        out.printf("  raw prefix seek on facts (%s): %,.0f ops/s, p50 %.1f us, p99 %.1f us, %.2f entries/op%n",
                                bounded ? "new ReadOptions + Slice upper bound per op, as RocksStore.scan" : "shared ReadOptions, prefix check in Java",
                                ops / (sum / 1e9), lat[ops / 2] / 1e3, lat[(int) (ops * 0.99)] / 1e3, (double) entries / ops);
                    }
                } finally {
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
        }
    }

    /** StemeDB's facts prefix: name(subject) name(predicate), each a length (varint, or u16) and UTF-8 (short ASCII here). */
    private static byte[] stemePrefix(long pair, boolean u16) {
        byte[] s = Workload.subjectName(Workload.subjectOfPair(pair)).getBytes(StandardCharsets.UTF_8);
        byte[] p = Workload.PREDICATES[Workload.predicateOfPair(pair)].getBytes(StandardCharsets.UTF_8);
        int l = u16 ? 2 : 1;
        byte[] prefix = new byte[2 * l + s.length + p.length];
        prefix[l - 1] = (byte) s.length;
        System.arraycopy(s, 0, prefix, l, s.length);
        prefix[2 * l - 1 + s.length] = (byte) p.length;
        System.arraycopy(p, 0, prefix, 2 * l + s.length, p.length);
        return prefix;
    }

    private static byte[] rawPrefix(long pair) {
        return new byte[] {(byte) (pair >>> 24), (byte) (pair >>> 16), (byte) (pair >>> 8), (byte) pair};
    }

    /** The smallest key above every key that starts with {@code prefix} (RocksStore's upper bound); null if none. */
    private static byte[] successor(byte[] prefix) {
        byte[] s = prefix.clone();
        for (int i = s.length - 1; i >= 0; i--) {
            if (s[i] != (byte) 0xff) {
                s[i]++;
                return Arrays.copyOf(s, i + 1);
            }
        }
        return null;
    }

    private static int seek(RocksDB db, ColumnFamilyHandle h, byte[] prefix, boolean bounded) throws Exception {
        int found = 0;
        if (bounded) {
            byte[] upper = successor(prefix);
            try (Slice slice = upper == null ? null : new Slice(upper);
                    ReadOptions ro = new ReadOptions().setIterateUpperBound(slice);
                    RocksIterator it = db.newIterator(h, ro)) {
                for (it.seek(prefix); it.isValid(); it.next()) {
                    it.key();
                    it.value();
                    found++;
                }
                it.status();
            }
            return found;
        }
        try (RocksIterator it = db.newIterator(h)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (key.length < prefix.length || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
                    break;
                }
                it.value();
                found++;
            }
            it.status();
        }
        return found;
    }
}
