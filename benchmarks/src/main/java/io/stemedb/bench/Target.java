package io.stemedb.bench;

import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** One system under test in the scale harness: StemeDB or a raw RocksDB baseline, on one directory. */
interface Target {
    String name();

    /** What a "resolve" and a "history" op are for this system. */
    String readShape();

    /** Opens the database on its directory (creating it on the first call). */
    void open() throws Exception;

    /** Writes claims {@code from} to {@code to} of the workload as one atomic batch. */
    void ingest(long from, long to) throws Exception;

    /** One point resolve; returns the entries it read (for a sanity check). */
    int resolve(long pair, long index) throws Exception;

    /** One history read; returns the entries it read. */
    int history(long pair, long index) throws Exception;

    /** RocksDB's figures: total-sst-files-size, live-sst-files-size, estimate-num-keys. */
    Map<String, Long> properties() throws Exception;

    /** RocksDB's statistics text, for the record. */
    String statsText() throws Exception;

    void close() throws Exception;

    /** StemeDB through its public API only. */
    final class Steme implements Target {
        private final Path dir;
        private final Workload workload;
        private final boolean syncEach;
        private StemeDB db;
        private long sink;

        Steme(Path dir, Workload workload, boolean syncEach) {
            this.dir = dir;
            this.workload = workload;
            this.syncEach = syncEach;
        }

        @Override
        public String name() {
            return "stemedb";
        }

        @Override
        public String readShape() {
            return "resolve = db.resolve(subject, predicate, Lenses.latest()); history = db.history(subject, predicate)";
        }

        @Override
        public void open() {
            db = StemeDB.builder()
                    .durability(syncEach ? Durability.syncEachCommit() : Durability.syncEvery(Duration.ofSeconds(1)))
                    .open(dir);
        }

        @Override
        public void ingest(long from, long to) {
            db.write(batch -> workload.fill(batch, from, to));
        }

        @Override
        public int resolve(long pair, long index) {
            Resolution r = db.resolve(Workload.subjectName(Workload.subjectOfPair(pair)),
                    Workload.PREDICATES[Workload.predicateOfPair(pair)], Lenses.latest());
            sink += r.value().map(Object::hashCode).orElse(0);
            return r.evidence().claims().size();
        }

        @Override
        public int history(long pair, long index) {
            return db.history(Workload.subjectName(Workload.subjectOfPair(pair)),
                    Workload.PREDICATES[Workload.predicateOfPair(pair)]).claims().size();
        }

        @Override
        public Map<String, Long> properties() {
            Map<String, String> p = db.stats().engineProperties();
            Map<String, Long> out = new LinkedHashMap<>();
            for (String k : new String[] {"total-sst-files-size", "live-sst-files-size", "estimate-num-keys"}) {
                out.put(k, Long.parseLong(p.getOrDefault(k, "-1")));
            }
            return out;
        }

        @Override
        public String statsText() {
            StringBuilder text = new StringBuilder();
            new java.util.TreeMap<>(db.stats().engineProperties()).forEach((key, value) -> {
                if (key.equals("stats") || key.startsWith("stats.")) {
                    text.append(value).append('\n');
                }
            });
            return text.toString();
        }

        @Override
        public void close() {
            if (db != null) {
                db.close();
                db = null;
            }
        }

        long sink() {
            return sink;
        }
    }

    /** A raw RocksDB baseline. */
    final class Raw implements Target {
        private final Path dir;
        private final RawRocks.Mode mode;
        private final boolean syncEach;
        private final StoreShape shape;
        private final Workload workload;
        private RawRocks raw;

        Raw(Path dir, RawRocks.Mode mode, boolean syncEach, StoreShape shape, Workload workload) {
            this.dir = dir;
            this.mode = mode;
            this.syncEach = syncEach;
            this.shape = shape;
            this.workload = workload;
        }

        @Override
        public String name() {
            return mode.label;
        }

        @Override
        public String readShape() {
            return mode == RawRocks.Mode.SAME_KEYS
                    ? "resolve = history = point get of the pair's 16-byte fact key in 'facts' (its value: every claim's entry)"
                    : "resolve = history = point get of one 32-byte key";
        }

        @Override
        public void open() throws Exception {
            if (raw == null) {
                raw = new RawRocks(dir, mode, syncEach, shape, workload);
            }
            raw.open();
        }

        @Override
        public void ingest(long from, long to) throws Exception {
            raw.ingest(from, to);
        }

        @Override
        public int resolve(long pair, long index) throws Exception {
            return raw.read(pair, index);
        }

        @Override
        public int history(long pair, long index) throws Exception {
            return raw.read(pair, index);
        }

        @Override
        public Map<String, Long> properties() throws Exception {
            Map<String, Long> p = raw.properties();
            Map<String, Long> out = new LinkedHashMap<>();
            for (String k : new String[] {"total-sst-files-size", "live-sst-files-size", "estimate-num-keys"}) {
                out.put(k, p.get(k));
            }
            return out;
        }

        @Override
        public String statsText() throws Exception {
            return raw.statsText();
        }

        @Override
        public void close() throws Exception {
            if (raw != null) {
                raw.close();
            }
        }
    }
}
