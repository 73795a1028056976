package io.stemedb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stemedb.StemeDB;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The scale harness: for each n and each system (StemeDB, raw RocksDB with StemeDB's keys, raw
 * RocksDB with one key per claim), a fresh directory, a batched ingest sampled every 5%, close,
 * reopen to first read, disk size, point reads and history reads with per-op latencies, then an
 * out-of-band full compaction, reopen, size and reads again. Prints a table and writes JSON.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar scale --n 1000000 [--n 10000000] [--sync each|periodic]
 *     [--dir /tmp/x] [--out results.json] [--systems stemedb,raw-same-keys,raw-one-key]
 *     [--read-ops 100000] [--warmup-ops 20000] [--seed 42] [--keep] [--no-cpu-path]
 * </pre>
 */
public final class Harness {
    static final List<String> ALL_SYSTEMS = List.of("stemedb", "raw-same-keys", "raw-one-key");

    /** The command line, parsed. */
    record Options(List<Long> ns, boolean syncEach, Path dir, Path out, List<String> systems, long seed, int readOps,
            int warmupOps, int batch, double samplePercent, boolean keep, boolean cpuPath, boolean compact) {

        static Options parse(String[] args) {
            List<Long> ns = new ArrayList<>();
            boolean syncEach = true;
            Path dir = null;
            Path out = null;
            List<String> systems = ALL_SYSTEMS;
            long seed = 42;
            int readOps = 100_000;
            int warmupOps = 20_000;
            int batch = 1000;
            double samplePercent = 5;
            boolean keep = false;
            boolean cpuPath = true;
            boolean compact = true;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--n":
                        ns.add(parseCount(value(args, ++i, a)));
                        break;
                    case "--sync":
                        String s = value(args, ++i, a);
                        if (s.equals("each")) {
                            syncEach = true;
                        } else if (s.equals("periodic")) {
                            syncEach = false;
                        } else {
                            throw new IllegalArgumentException("--sync is 'each' or 'periodic', got " + s);
                        }
                        break;
                    case "--dir":
                        dir = Path.of(value(args, ++i, a));
                        break;
                    case "--out":
                        out = Path.of(value(args, ++i, a));
                        break;
                    case "--systems":
                        systems = List.of(value(args, ++i, a).split(","));
                        for (String sys : systems) {
                            if (!ALL_SYSTEMS.contains(sys)) {
                                throw new IllegalArgumentException("unknown system " + sys + "; known: " + ALL_SYSTEMS);
                            }
                        }
                        break;
                    case "--seed":
                        seed = Long.parseLong(value(args, ++i, a));
                        break;
                    case "--read-ops":
                        readOps = (int) parseCount(value(args, ++i, a));
                        break;
                    case "--warmup-ops":
                        warmupOps = (int) parseCount(value(args, ++i, a));
                        break;
                    case "--batch":
                        batch = (int) parseCount(value(args, ++i, a));
                        break;
                    case "--sample-percent":
                        samplePercent = Double.parseDouble(value(args, ++i, a));
                        break;
                    case "--keep":
                        keep = true;
                        break;
                    case "--no-cpu-path":
                        cpuPath = false;
                        break;
                    case "--no-compact":
                        compact = false;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            }
            if (ns.isEmpty()) {
                ns.add(1_000_000L);
            }
            if (dir == null) {
                dir = Path.of(System.getProperty("java.io.tmpdir"), "stemedb-bench");
            }
            if (readOps < 1 || batch < 1 || warmupOps < 0) {
                throw new IllegalArgumentException("--read-ops and --batch must be positive, --warmup-ops not negative");
            }
            return new Options(List.copyOf(ns), syncEach, dir, out, systems, seed, readOps, warmupOps, batch, samplePercent,
                    keep, cpuPath, compact);
        }

        static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        /** 1000000, 1_000_000, 1e6, 1M, 10m, 20k. */
        static long parseCount(String s) {
            String t = s.replace("_", "").replace(",", "").trim().toLowerCase();
            long mult = 1;
            if (t.endsWith("k")) {
                mult = 1000;
                t = t.substring(0, t.length() - 1);
            } else if (t.endsWith("m")) {
                mult = 1_000_000;
                t = t.substring(0, t.length() - 1);
            }
            return (long) (Double.parseDouble(t) * mult);
        }
    }

    static final String USAGE = "usage: scale --n 1000000 [--n 10000000] [--sync each|periodic] [--dir DIR] [--out results.json]\n"
            + "             [--systems stemedb,raw-same-keys,raw-one-key] [--read-ops 100000] [--warmup-ops 20000]\n"
            + "             [--seed 42] [--batch 1000] [--keep] [--no-cpu-path] [--no-compact]";

    private final Options options;
    private final PrintStream out;

    private Harness(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the harness; returns the result tree that it also writes as JSON to {@code --out}. */
    public static Map<String, Object> run(String[] args, PrintStream out) throws Exception {
        return new Harness(Options.parse(args), out).run();
    }

    public static void main(String[] args) throws Exception {
        run(args, System.out);
    }

    private Map<String, Object> run() throws Exception {
        Files.createDirectories(options.dir());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tool", "stemedb-benchmarks scale");
        result.put("started", Instant.now().toString());
        result.put("machine", machine(options.dir()));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sync", options.syncEach() ? "each" : "periodic");
        settings.put("syncMeaning", options.syncEach()
                ? "every batch write fsyncs the WAL before returning (StemeDB Durability.syncEachCommit(), raw WriteOptions.sync=true)"
                : "writes are not fsynced; a background thread fsyncs the WAL every 1 s (StemeDB Durability.syncEvery(1s), raw: the same thread)");
        settings.put("batch", options.batch());
        settings.put("readOps", options.readOps());
        settings.put("warmupOps", options.warmupOps());
        settings.put("seed", options.seed());
        settings.put("systems", options.systems());
        settings.put("rocksdbOptions", "StemeDB's RocksStore options for every system: a clock block cache of StemeDB's default size ("
                + RocksOptions.BLOCK_CACHE_BYTES / (1 << 20) + " MiB here), 32 MiB memtables "
                + "via WriteBufferManager, 16 KiB blocks, LZ4 + ZSTD bottommost, bloom filter on 'assertions', WAL on");
        settings.put("compaction", "StemeDB's public API has no compaction call: after close, the harness opens each "
                + "directory with rocksdbjni and the same options, flushes and runs compactRange on every column family "
                + "(the same for every system)");
        result.put("settings", settings);
        List<Map<String, Object>> runs = new ArrayList<>();
        result.put("runs", runs);
        StringBuilder text = new StringBuilder();

        long calibrationN = Math.max(options.ns().get(0), 20_000);
        StoreShape shape = StoreShape.calibrate(new Workload(calibrationN, options.seed()), options.dir());
        result.put("storeShape", shape.describe());
        print(text, shape.describeText());

        if (options.cpuPath()) {
            Map<String, Object> cpu = cpuPath(Math.min(options.ns().get(0), 1_000_000L));
            result.put("cpuPath", cpu);
        }

        for (long n : options.ns()) {
            Workload w = new Workload(n, options.seed());
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("n", n);
            run.put("workload", w.describe());
            print(text, String.format("%n=== n = %,d, sync %s ===%nworkload: %s%n", n, options.syncEach() ? "each commit" : "periodic (1 s)",
                    w.describeLine()));
            Map<String, Object> systems = new LinkedHashMap<>();
            run.put("systems", systems);
            for (String system : options.systems()) {
                Path d = options.dir().resolve(system + "-" + n);
                Directories.deleteTree(d);
                Target t = switch (system) {
                    case "stemedb" -> new Target.Steme(d, w, options.syncEach());
                    case "raw-same-keys" -> new Target.Raw(d, RawRocks.Mode.SAME_KEYS, options.syncEach(), shape, w);
                    default -> new Target.Raw(d, RawRocks.Mode.ONE_KEY, options.syncEach(), shape, w);
                };
                print(text, String.format("%s: ingesting %,d claims into %s%n", system, n, d));
                Map<String, Object> r = runSystem(t, w, d);
                systems.put(system, r);
                writeJson(result);
            }
            run.put("goals", goals(systems));
            runs.add(run);
            print(text, table(n, systems));
            writeJson(result);
        }
        if (options.ns().size() > 1) {
            result.put("scaling", scaling(runs));
        }
        print(text, goalsText(result));
        result.put("finished", Instant.now().toString());
        writeJson(result);
        if (options.out() != null) {
            Files.writeString(textPath(), text.toString(), StandardCharsets.UTF_8);
        }
        return result;
    }

    private Path textPath() {
        String name = options.out().getFileName().toString();
        name = name.endsWith(".json") ? name.substring(0, name.length() - 5) + ".txt" : name + ".txt";
        return options.out().resolveSibling(name);
    }

    private void print(StringBuilder text, String s) {
        out.print(s);
        out.flush();
        text.append(s);
    }

    private void writeJson(Map<String, Object> result) throws IOException {
        if (options.out() == null) {
            return;
        }
        Path parent = options.out().toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.out().toFile(), result);
    }

    // ---------------------------------------------------------------------------------------
    // One system at one n

    private Map<String, Object> runSystem(Target t, Workload w, Path d) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("readShape", t.readShape());
        long n = w.n();

        // Ingest, sampled every samplePercent.
        t.open();
        List<Map<String, Object>> samples = new ArrayList<>();
        long step = Math.max(1, (long) (n * options.samplePercent() / 100));
        long nextSample = step;
        String loadBefore = loadAverage();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long lastT = start;
        long lastDone = 0;
        long done = 0;
        while (done < n) {
            long to = Math.min(n, done + options.batch());
            t.ingest(done, to);
            done = to;
            if (done >= nextSample || done == n) {
                long now = System.nanoTime();
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("assertions", done);
                s.put("percent", Math.round(1000.0 * done / n) / 10.0);
                s.put("seconds", (now - start) / 1e9);
                s.put("windowAssertionsPerSec", (done - lastDone) / ((now - lastT) / 1e9));
                s.put("cumulativeAssertionsPerSec", done / ((now - start) / 1e9));
                samples.add(s);
                lastT = now;
                lastDone = done;
                while (nextSample <= done) {
                    nextSample += step;
                }
            }
        }
        double ingestSec = (System.nanoTime() - start) / 1e9;
        long cpuNanos = processCpuNanos() - cpu0;
        Map<String, Object> ingest = new LinkedHashMap<>();
        ingest.put("assertions", n);
        ingest.put("seconds", ingestSec);
        ingest.put("assertionsPerSec", n / ingestSec);
        ingest.put("processCpuUsPerAssertion", cpuNanos / 1e3 / n);
        ingest.put("loadAverageBefore", loadBefore);
        ingest.put("loadAverageAfter", loadAverage());
        ingest.put("samples", samples);
        Map<String, Long> propsAtEnd = t.properties();
        ingest.put("sstBytesAtEnd", propsAtEnd.get("total-sst-files-size"));
        r.put("ingest", ingest);
        saveStats(t, w, "after-ingest");
        out.printf("  ingest %,.0f claims/s in %.1f s%n", n / ingestSec, ingestSec);

        // Close, reopen to the first read.
        long c0 = System.nanoTime();
        t.close();
        r.put("closeMs", (System.nanoTime() - c0) / 1e6);
        r.put("walBytesAtClose", walBytes(d));
        SplittableRandom firstRead = new SplittableRandom(options.seed() + 7);
        Map<String, Object> reopen = reopen(t, w, firstRead);
        r.put("reopen", reopen);
        Map<String, Long> props = t.properties();
        Map<String, Object> disk = new LinkedHashMap<>();
        disk.put("sstBytesAfterReopen", props.get("total-sst-files-size"));
        disk.put("bytesPerAssertionAfterReopen", (double) props.get("total-sst-files-size") / n);
        disk.put("estimateNumKeysAfterReopen", props.get("estimate-num-keys"));
        disk.put("dirBytesAfterReopen", dirBytes(d));
        out.printf("  close %.0f ms (WAL files %,d bytes); reopen %.1f ms, %,d SST bytes (%.1f B/claim)%n",
                (double) r.get("closeMs"), (long) r.get("walBytesAtClose"), (double) reopen.get("toFirstReadMs"),
                props.get("total-sst-files-size"), (double) props.get("total-sst-files-size") / n);

        // Reads as ingested.
        Map<String, Map<String, Object>> reads = measureReads(t, w);
        r.put("resolve", reads.get("resolve"));
        r.put("history", reads.get("history"));
        out.printf("  resolve %,.0f ops/s, history %,.0f ops/s%n", ((Map<?, ?>) r.get("resolve")).get("opsPerSec"),
                ((Map<?, ?>) r.get("history")).get("opsPerSec"));
        t.close();
        if (!options.compact()) {
            r.put("disk", disk);
            if (!options.keep()) {
                Directories.deleteTree(d);
            }
            return r;
        }

        // Out-of-band full compaction (StemeDB's API has none), reopen, size, reads again.
        long compactMs = RocksOptions.compactDirectory(d);
        disk.put("compactMs", compactMs);
        Map<String, Object> reopenCompacted = reopen(t, w, firstRead);
        r.put("reopenAfterCompaction", reopenCompacted);
        Map<String, Long> cprops = t.properties();
        disk.put("sstBytesAfterCompaction", cprops.get("total-sst-files-size"));
        disk.put("bytesPerAssertionAfterCompaction", (double) cprops.get("total-sst-files-size") / n);
        disk.put("estimateNumKeysAfterCompaction", cprops.get("estimate-num-keys"));
        r.put("disk", disk);
        Map<String, Map<String, Object>> compactedReads = measureReads(t, w);
        r.put("resolveCompacted", compactedReads.get("resolve"));
        r.put("historyCompacted", compactedReads.get("history"));
        saveStats(t, w, "after-compaction");
        t.close();
        disk.put("dirBytesAfterCompaction", dirBytes(d));
        out.printf("  compacted in %,d ms: %.1f B/claim; reopen %.1f ms; resolve %,.0f ops/s%n", compactMs,
                (double) cprops.get("total-sst-files-size") / n, (double) reopenCompacted.get("toFirstReadMs"),
                ((Map<?, ?>) r.get("resolveCompacted")).get("opsPerSec"));
        if (!options.keep()) {
            Directories.deleteTree(d);
        }
        return r;
    }

    private void saveStats(Target t, Workload w, String when) throws Exception {
        if (options.out() == null) {
            return;
        }
        String base = options.out().getFileName().toString().replace(".json", "");
        Path statsDir = options.out().resolveSibling(base + "-rocksdb-stats");
        Files.createDirectories(statsDir);
        Files.writeString(statsDir.resolve(t.name() + "-" + w.n() + "-" + when + ".txt"), t.statsText(), StandardCharsets.UTF_8);
    }

    private Map<String, Object> reopen(Target t, Workload w, SplittableRandom rnd) throws Exception {
        long t0 = System.nanoTime();
        t.open();
        long t1 = System.nanoTime();
        int found = t.resolve(rnd.nextLong(w.pairs()), rnd.nextLong(w.n()));
        long t2 = System.nanoTime();
        if (found == 0) {
            throw new IllegalStateException(t.name() + " found nothing at its first read after reopening");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("openMs", (t1 - t0) / 1e6);
        m.put("toFirstReadMs", (t2 - t0) / 1e6);
        return m;
    }

    /**
     * Point resolves and history reads, interleaved (one of each per step, on independent random
     * pairs) so that both see the same conditions (cache warmth, background compactions): a
     * warm-up, then each op timed with System.nanoTime.
     *
     * @return {"resolve": ..., "history": ...}
     */
    private Map<String, Map<String, Object>> measureReads(Target t, Workload w) throws Exception {
        SplittableRandom rnd = new SplittableRandom(options.seed() * 31 + 1);
        for (int k = 0; k < options.warmupOps(); k++) {
            t.resolve(rnd.nextLong(w.pairs()), rnd.nextLong(w.n()));
            t.history(rnd.nextLong(w.pairs()), rnd.nextLong(w.n()));
        }
        int ops = options.readOps();
        long[][] lat = new long[2][ops];
        long[] entries = new long[2];
        long[] empty = new long[2];
        String loadBefore = loadAverage();
        long cpu0 = processCpuNanos();
        for (int k = 0; k < ops; k++) {
            for (int op = 0; op < 2; op++) {
                long pair = rnd.nextLong(w.pairs());
                long index = rnd.nextLong(w.n());
                long t0 = System.nanoTime();
                int found = op == 0 ? t.resolve(pair, index) : t.history(pair, index);
                lat[op][k] = System.nanoTime() - t0;
                entries[op] += found;
                if (found == 0) {
                    empty[op]++;
                }
            }
        }
        long cpuNanos = processCpuNanos() - cpu0;
        long[] sums = new long[2];
        for (int op = 0; op < 2; op++) {
            for (long l : lat[op]) {
                sums[op] += l;
            }
        }
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        for (int op = 0; op < 2; op++) {
            long[] l = lat[op];
            Arrays.sort(l);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ops", ops);
            // Throughput of a single thread doing only this op: ops over the summed op latencies.
            m.put("opsPerSec", ops / (sums[op] / 1e9));
            // The process CPU time of the interleaved loop, split in proportion to the op's wall time.
            m.put("processCpuUsPerOp", cpuNanos * ((double) sums[op] / (sums[0] + sums[1])) / 1e3 / ops);
            m.put("meanUs", sums[op] / 1e3 / ops);
            m.put("p50Us", pct(l, 0.50) / 1e3);
            m.put("p90Us", pct(l, 0.90) / 1e3);
            m.put("p99Us", pct(l, 0.99) / 1e3);
            m.put("p999Us", pct(l, 0.999) / 1e3);
            m.put("maxUs", l[l.length - 1] / 1e3);
            m.put("entriesPerOp", (double) entries[op] / ops);
            m.put("emptyOps", empty[op]);
            m.put("loadAverageBefore", loadBefore);
            result.put(op == 0 ? "resolve" : "history", m);
        }
        return result;
    }

    private static long pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    // ---------------------------------------------------------------------------------------
    // Where StemeDB's ingest CPU goes, without RocksDB

    private Map<String, Object> cpuPath(long m) {
        Workload w = new Workload(Math.max(10, m), options.seed());
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("assertions", w.n());
        // Four cumulative loops, each timed in this thread's CPU time (robust to other load on the
        // machine): generate; + build (validate) a Claim; + canonical encoding; + BLAKE3 id.
        // Each is run twice and the second run is kept (the first warms the JIT).
        double[] stage = new double[4];
        for (int round = 0; round < 2; round++) {
            for (int depth = 0; depth < 4; depth++) {
                long t0 = threadCpuNanos();
                long sink = cpuLoop(w, depth);
                stage[depth] = (threadCpuNanos() - t0) / 1e3 / w.n();
                if (sink == 42) {
                    out.print("");
                }
            }
        }
        // The whole in-memory StemeDB commit path (stamp, validate, encode, hash, group commit,
        // heap indexes), in process CPU time (GC included) and wall time.
        long cpu0 = processCpuNanos();
        long memStart = System.nanoTime();
        long stored;
        try (StemeDB db = StemeDB.inMemory()) {
            for (long done = 0; done < w.n(); ) {
                long to = Math.min(w.n(), done + options.batch());
                final long from = done;
                db.write(batch -> w.fill(batch, from, to));
                done = to;
            }
            stored = db.stats().assertions();
        }
        long mem = System.nanoTime() - memStart;
        long memCpu = processCpuNanos() - cpu0;
        double n = w.n();
        cpu.put("generateUsPerAssertion", stage[0]);
        cpu.put("buildClaimUsPerAssertion", stage[1] - stage[0]);
        cpu.put("encodeUsPerAssertion", stage[2] - stage[1]);
        cpu.put("blake3UsPerAssertion", stage[3] - stage[2]);
        cpu.put("inMemoryIngestCpuUsPerAssertion", memCpu / 1e3 / n);
        cpu.put("inMemoryIngestWallUsPerAssertion", mem / 1e3 / n);
        cpu.put("inMemoryIngestAssertionsPerSec", n / (mem / 1e9));
        cpu.put("note", "generate/build/encode/blake3: differences of cumulative loops in thread CPU time; in-memory ingest: "
                + "StemeDB.inMemory() with batches of " + options.batch() + " (" + stored + " stored), process CPU time");
        out.printf("cpu path (%,d claims, CPU time per claim): generate %.2f us, build %.2f us, encode %.2f us, BLAKE3 %.2f us; "
                + "in-memory StemeDB ingest %.2f us CPU (%.2f us wall, %,.0f claims/s)%n", w.n(), stage[0], stage[1] - stage[0],
                stage[2] - stage[1], stage[3] - stage[2], memCpu / 1e3 / n, mem / 1e3 / n, n / (mem / 1e9));
        return cpu;
    }

    private static long cpuLoop(Workload w, int depth) {
        long node = 0x1234_5678_9abcL;
        long sink = 0;
        for (long i = 0; i < w.n(); i++) {
            long pair = w.pairOf(i);
            int p = Workload.predicateOfPair(pair);
            String subject = Workload.subjectName(Workload.subjectOfPair(pair));
            Value v = w.valueOf(i, p);
            String source = Workload.SOURCES[w.sourceOf(i)];
            if (depth == 0) {
                sink += subject.length() + v.hashCode() + source.length();
                continue;
            }
            Claim c = Claim.builder(subject, Workload.PREDICATES[p], v).source(source)
                    .hlc(Hlc.of(1_700_000_000_000L + i, 0, node)).build();
            if (depth == 1) {
                sink += c.hlc().logical() + 1;
            } else if (depth == 2) {
                sink += c.canonicalBytes().length;
            } else {
                sink += c.id().hashCode();
            }
        }
        return sink;
    }

    static long threadCpuNanos() {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : System.nanoTime();
    }

    // ---------------------------------------------------------------------------------------
    // Goals, tables

    @SuppressWarnings("unchecked")
    private static double num(Map<String, Object> system, String section, String key) {
        Object s = system.get(section);
        if (!(s instanceof Map)) {
            return Double.NaN;
        }
        Object v = ((Map<String, Object>) s).get(key);
        return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> goals(Map<String, Object> systems) {
        Map<String, Object> g = new LinkedHashMap<>();
        Map<String, Object> steme = (Map<String, Object>) systems.get("stemedb");
        Map<String, Object> raw = (Map<String, Object>) systems.get("raw-same-keys");
        Map<String, Object> one = (Map<String, Object>) systems.get("raw-one-key");
        if (steme == null) {
            return g;
        }
        if (raw != null) {
            g.put("ingestVsRawSameKeys", goal(num(steme, "ingest", "assertionsPerSec") / num(raw, "ingest", "assertionsPerSec"), 0.60, true));
            g.put("ingestCpuEfficiencyVsRawSameKeys", ratio(num(raw, "ingest", "processCpuUsPerAssertion")
                    / num(steme, "ingest", "processCpuUsPerAssertion")));
            g.put("resolveVsRawPrefixSeek", goal(num(steme, "resolve", "opsPerSec") / num(raw, "resolve", "opsPerSec"), 0.50, true));
            g.put("resolveVsRawPrefixSeekCompacted",
                    goal(num(steme, "resolveCompacted", "opsPerSec") / num(raw, "resolveCompacted", "opsPerSec"), 0.50, true));
            g.put("resolveP50VsRawPrefixSeek", ratio(num(raw, "resolve", "p50Us") / num(steme, "resolve", "p50Us")));
            g.put("resolveP50VsRawPrefixSeekCompacted", ratio(num(raw, "resolveCompacted", "p50Us")
                    / num(steme, "resolveCompacted", "p50Us")));
            g.put("resolveCpuEfficiencyVsRawPrefixSeek", ratio(num(raw, "resolve", "processCpuUsPerOp")
                    / num(steme, "resolve", "processCpuUsPerOp")));
            g.put("historyVsRawPrefixSeek", ratio(num(steme, "history", "opsPerSec") / num(raw, "history", "opsPerSec")));
            g.put("diskVsRawSameKeysAfterCompaction", ratio(num(steme, "disk", "sstBytesAfterCompaction")
                    / num(raw, "disk", "sstBytesAfterCompaction")));
        }
        if (one != null) {
            g.put("ingestVsRawOneKey", ratio(num(steme, "ingest", "assertionsPerSec") / num(one, "ingest", "assertionsPerSec")));
        }
        g.put("reopenUnder1s", goal(num(steme, "reopen", "toFirstReadMs"), 1000, false));
        return g;
    }

    private static Map<String, Object> goal(double value, double target, boolean atLeast) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", value);
        m.put("target", (atLeast ? ">= " : "< ") + target);
        m.put("met", atLeast ? value >= target : value < target);
        return m;
    }

    private static Map<String, Object> ratio(double value) {
        return Map.of("value", value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> scaling(List<Map<String, Object>> runs) {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Object> first = runs.get(0);
        Map<String, Object> last = runs.get(runs.size() - 1);
        s.put("fromN", first.get("n"));
        s.put("toN", last.get("n"));
        Map<String, Object> firstSystems = (Map<String, Object>) first.get("systems");
        Map<String, Object> lastSystems = (Map<String, Object>) last.get("systems");
        for (String sys : lastSystems.keySet()) {
            if (!firstSystems.containsKey(sys)) {
                continue;
            }
            Map<String, Object> a = (Map<String, Object>) firstSystems.get(sys);
            Map<String, Object> b = (Map<String, Object>) lastSystems.get(sys);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ingest", goal(num(b, "ingest", "assertionsPerSec") / num(a, "ingest", "assertionsPerSec"), 0.70, true));
            m.put("resolve", ratio(num(b, "resolve", "opsPerSec") / num(a, "resolve", "opsPerSec")));
            m.put("history", ratio(num(b, "history", "opsPerSec") / num(a, "history", "opsPerSec")));
            s.put(sys, m);
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private String table(long n, Map<String, Object> systems) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nn = %,d, sync %s, batches of %,d; reads: %,d random ops after %,d warm-up, one thread%n", n,
                options.syncEach() ? "each commit" : "periodic (1 s)", options.batch(), options.readOps(), options.warmupOps()));
        s.append(String.format("%-14s %12s %7s %8s | %11s %8s %8s | %11s %8s %8s | %9s %9s | %9s %9s%n",
                "system", "ingest/s", "xraw", "cpu us/a", "resolve/s", "p50 us", "p99 us", "history/s", "p50 us", "p99 us",
                "B/a reopn", "B/a compt", "reopen ms", "compt ms"));
        double rawIngest = systems.containsKey("raw-same-keys")
                ? num((Map<String, Object>) systems.get("raw-same-keys"), "ingest", "assertionsPerSec") : Double.NaN;
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            Map<String, Object> r = (Map<String, Object>) e.getValue();
            double ingest = num(r, "ingest", "assertionsPerSec");
            s.append(String.format("%-14s %,12.0f %7.2f %8.2f | %,11.0f %8.1f %8.1f | %,11.0f %8.1f %8.1f | %9.1f %9.1f | %9.1f %9.1f%n",
                    e.getKey(), ingest, ingest / rawIngest, num(r, "ingest", "processCpuUsPerAssertion"),
                    num(r, "resolve", "opsPerSec"), num(r, "resolve", "p50Us"), num(r, "resolve", "p99Us"),
                    num(r, "history", "opsPerSec"), num(r, "history", "p50Us"), num(r, "history", "p99Us"),
                    num(r, "disk", "bytesPerAssertionAfterReopen"), num(r, "disk", "bytesPerAssertionAfterCompaction"),
                    num(r, "reopen", "toFirstReadMs"), num(r, "reopenAfterCompaction", "toFirstReadMs")));
        }
        s.append("after compaction: ");
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            Map<String, Object> r = (Map<String, Object>) e.getValue();
            s.append(String.format("%s resolve %,.0f/s (p50 %.1f, p99 %.1f us), history %,.0f/s; ", e.getKey(),
                    num(r, "resolveCompacted", "opsPerSec"), num(r, "resolveCompacted", "p50Us"), num(r, "resolveCompacted", "p99Us"),
                    num(r, "historyCompacted", "opsPerSec")));
        }
        s.append('\n');
        s.append("ingest throughput every 5% (claims/s in each window):\n");
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            Map<String, Object> ingest = (Map<String, Object>) ((Map<String, Object>) e.getValue()).get("ingest");
            s.append(String.format("  %-14s", e.getKey()));
            for (Map<String, Object> sample : (List<Map<String, Object>>) ingest.get("samples")) {
                s.append(String.format(" %,.0f", ((Number) sample.get("windowAssertionsPerSec")).doubleValue()));
            }
            s.append('\n');
        }
        return s.toString();
    }

    @SuppressWarnings("unchecked")
    private static String goalsText(Map<String, Object> result) {
        StringBuilder s = new StringBuilder("\nGoals (StemeDB vs the raw RocksDB baselines):\n");
        for (Map<String, Object> run : (List<Map<String, Object>>) result.get("runs")) {
            Map<String, Object> goals = (Map<String, Object>) run.get("goals");
            for (Map.Entry<String, Object> e : goals.entrySet()) {
                Map<String, Object> g = (Map<String, Object>) e.getValue();
                s.append(String.format("  n=%,-12d %-36s %10.3f %s%n", ((Number) run.get("n")).longValue(), e.getKey(),
                        ((Number) g.get("value")).doubleValue(),
                        g.containsKey("met") ? g.get("target") + (Boolean.TRUE.equals(g.get("met")) ? "  MET" : "  NOT MET") : ""));
            }
        }
        Object scaling = result.get("scaling");
        if (scaling instanceof Map) {
            Map<String, Object> sc = (Map<String, Object>) scaling;
            for (Map.Entry<String, Object> e : sc.entrySet()) {
                if (e.getValue() instanceof Map) {
                    Map<String, Object> m = (Map<String, Object>) e.getValue();
                    Map<String, Object> ingest = (Map<String, Object>) m.get("ingest");
                    s.append(String.format("  scaling %s %,d -> %,d: ingest %.3f (%s%s), resolve %.3f, history %.3f%n", e.getKey(),
                            ((Number) sc.get("fromN")).longValue(), ((Number) sc.get("toN")).longValue(),
                            ((Number) ingest.get("value")).doubleValue(), ingest.get("target"),
                            Boolean.TRUE.equals(ingest.get("met")) ? " MET" : " NOT MET",
                            ((Number) ((Map<String, Object>) m.get("resolve")).get("value")).doubleValue(),
                            ((Number) ((Map<String, Object>) m.get("history")).get("value")).doubleValue()));
                }
            }
        }
        return s.toString();
    }

    // ---------------------------------------------------------------------------------------
    // Machine and files

    public static Map<String, Object> machine(Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        m.put("cpu", firstLine(Path.of("/proc/cpuinfo"), "model name"));
        m.put("memTotal", firstLine(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        try {
            FileStore fs = Files.getFileStore(dir);
            m.put("disk", fs.name() + " (" + fs.type() + ")");
            m.put("diskTotalBytes", fs.getTotalSpace());
            m.put("diskUsableBytes", fs.getUsableSpace());
        } catch (IOException e) {
            m.put("disk", "unknown: " + e.getMessage());
        }
        m.put("rocksdbjni", org.rocksdb.RocksDB.class.getPackage().getImplementationVersion());
        return m;
    }

    private static String firstLine(Path file, String prefix) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(prefix)).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** CPU time of this whole process (every thread, Java and native), in nanoseconds; -1 if unknown. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    /** The 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
    static String loadAverage() {
        return io.stemedb.bench.compare.PeerRunner.loadAverage();
    }

    /** The size of the write-ahead log files (*.log) in {@code dir}: what a reopen replays at most. */
    static long walBytes(Path dir) throws IOException {
        return sizeOf(dir, name -> name.endsWith(".log"));
    }

    static long dirBytes(Path dir) throws IOException {
        return sizeOf(dir, name -> true);
    }

    /** The total size of the files under {@code dir} whose names pass; files that vanish meanwhile (compaction) are skipped. */
    private static long sizeOf(Path dir, java.util.function.Predicate<String> names) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        long[] total = {0};
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<Path>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && names.test(file.getFileName().toString())) {
                    total[0] += attrs.size();
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

}
