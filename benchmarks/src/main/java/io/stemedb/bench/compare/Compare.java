package io.stemedb.bench.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stemedb.bench.Directories;
import io.stemedb.bench.Harness;
import io.stemedb.bench.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The {@code compare} command: runs W1-W5 against every system, each run of each system in a JVM
 * of its own ({@link PeerRunner}), takes the median and spread of the runs, checks that the
 * systems gave the same answers, and writes the JSON results, {@code docs/benchmarks.md}
 * ({@link CompareReport}) and its charts ({@link CompareCharts}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar compare [--quick] [--runs 3] [--n 200000] [--conflict-n 200000]
 *     [--ops 100000] [--timed-seconds 2] [--warmup 200000] [--warmup-window 20000] [--warmup-tolerance 0.05] [--warmup-max-seconds 600]
 *     [--cold-ops 10000] [--drop-page-cache true] [--threads 2] [--w5-n 10000000] [--w5-peer-n 1000000] [--w5-runs 1] [--systems a,b,...]
 *     [--dir /tmp/stemedb-compare] [--results benchmarks/results/compare] [--report docs/benchmarks.md]
 *     [--charts docs/benchmarks] [--parallel 1] [--timeout-minutes 180] [--heap 6g]
 * java -jar benchmarks/target/benchmarks.jar compare --from-results benchmarks/results/compare [--systems ...]
 *     (aggregates the per-run JSON files already there and writes summary, report and charts again, running nothing)
 * </pre>
 * Not thread-safe; one per command.
 */
public final class Compare {
    /** Every system, in report order; XTDB and Datomic run from their own jars. */
    static final List<String> ALL_SYSTEMS = List.of("stemedb", "stemedb-memory", "raw-rocksdb", "sqlite", "h2", "xtdb", "datomic");
    /** Systems the command knows beyond the default set (run on request). */
    /**
     * Systems run only when named: StemeDB with a periodic fsync, and SQLite keeping the lookups
     * StemeDB keeps (by content id, by value, by source), for the cost of that indexing alone.
     */
    static final List<String> OPTIONAL_SYSTEMS = List.of("stemedb-periodic", "sqlite-indexed");
    /** The systems that W5 drives to the full --w5-n: StemeDB, its ceiling, and SQLite for W2 at that size. */
    static final List<String> FULL_SCALE_SYSTEMS = List.of("stemedb", "stemedb-periodic", "stemedb-memory", "raw-rocksdb", "sqlite");
    static final List<String> ISOLATED = List.of("xtdb", "datomic");

    public static final String USAGE = "usage: compare [--quick] [--runs 3] [--n 200000] [--conflict-n 200000] [--ops 100000]\n"
            + "               [--timed-seconds 2] [--warmup 200000] [--warmup-window 20000] [--warmup-tolerance 0.05] [--warmup-max-seconds 600]\n"
            + "               [--cold-ops 10000] [--drop-page-cache true] [--threads 2]\n"
            + "               [--w5-n 10000000] [--w5-peer-n 1000000] [--w5-runs 1] [--systems " + String.join(",", ALL_SYSTEMS) + "]\n"
            + "               [--dir DIR] [--results DIR] [--report docs/benchmarks.md] [--charts docs/benchmarks]\n"
            + "               [--parallel 1] [--timeout-minutes 180] [--heap 6g] [--peers-dir benchmarks] [--note TEXT]\n"
            + "       compare --from-results benchmarks/results/compare [--systems ...] [--report ...] [--charts ...]\n"
            + "               (summary, report and charts again from the per-run JSON files of a run, running nothing)";

    /** The command line, parsed; {@code --quick} changes the defaults, explicit options still win. */
    record Options(boolean quick, int runs, long n, long conflictN, int ops, double timedSeconds, long warmup, int warmupWindow, double warmupTolerance,
            double warmupMaxSeconds, int coldOps, boolean dropPageCache, int threads, long w5n, long w5PeerN, int w5Runs,
            List<String> systems, Path dir, Path results, Path report, Path charts, int parallel, long timeoutMinutes, String heap,
            Path peersDir, Path fromResults, String note) {

        static Options parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            boolean quick = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--quick")) {
                    quick = true;
                } else if (args[i].startsWith("--") && i + 1 < args.length) {
                    given.put(args[i], args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown or incomplete option " + args[i] + "\n" + USAGE);
                }
            }
            List<String> known = List.of("--runs", "--n", "--conflict-n", "--ops", "--timed-seconds", "--warmup", "--warmup-window", "--warmup-tolerance",
                    "--warmup-max-seconds", "--cold-ops", "--drop-page-cache", "--threads", "--w5-n", "--w5-peer-n", "--w5-runs",
                    "--systems", "--dir", "--results", "--report", "--charts", "--parallel", "--timeout-minutes", "--heap", "--peers-dir",
                    "--from-results", "--note");
            for (String k : given.keySet()) {
                if (!known.contains(k)) {
                    throw new IllegalArgumentException("unknown option " + k + "\n" + USAGE);
                }
            }
            List<String> systems = given.containsKey("--systems") ? List.of(given.get("--systems").split(",")) : ALL_SYSTEMS;
            for (String s : systems) {
                if (!ALL_SYSTEMS.contains(s) && !OPTIONAL_SYSTEMS.contains(s)) {
                    throw new IllegalArgumentException("unknown system " + s + "; known: " + ALL_SYSTEMS + " and " + OPTIONAL_SYSTEMS);
                }
            }
            Options o = new Options(quick,
                    (int) count(given, "--runs", quick ? 1 : 3),
                    count(given, "--n", quick ? 1_000 : 200_000),
                    count(given, "--conflict-n", quick ? 1_000 : 200_000),
                    (int) count(given, "--ops", quick ? 200 : 100_000),
                    Double.parseDouble(given.getOrDefault("--timed-seconds", quick ? "0" : "2")),
                    count(given, "--warmup", quick ? 50 : 200_000),
                    (int) count(given, "--warmup-window", quick ? 50 : 20_000),
                    Double.parseDouble(given.getOrDefault("--warmup-tolerance", "0.05")),
                    Double.parseDouble(given.getOrDefault("--warmup-max-seconds", quick ? "1" : "600")),
                    (int) count(given, "--cold-ops", quick ? 100 : 10_000),
                    Boolean.parseBoolean(given.getOrDefault("--drop-page-cache", Boolean.toString(!quick))),
                    (int) count(given, "--threads", 2),
                    count(given, "--w5-n", quick ? 2_000 : 10_000_000),
                    count(given, "--w5-peer-n", quick ? 2_000 : 1_000_000),
                    (int) count(given, "--w5-runs", 1),
                    systems,
                    Path.of(given.getOrDefault("--dir", Path.of(System.getProperty("java.io.tmpdir"), "stemedb-compare").toString())),
                    Path.of(given.getOrDefault("--results", "benchmarks/results/compare")),
                    Path.of(given.getOrDefault("--report", "docs/benchmarks.md")),
                    Path.of(given.getOrDefault("--charts", "docs/benchmarks")),
                    (int) count(given, "--parallel", quick ? 2 : 1),
                    count(given, "--timeout-minutes", quick ? 5 : 180),
                    given.getOrDefault("--heap", quick ? "1g" : "6g"),
                    given.containsKey("--peers-dir") ? Path.of(given.get("--peers-dir")) : defaultPeersDir(),
                    given.containsKey("--from-results") ? Path.of(given.get("--from-results")) : null,
                    given.get("--note"));
            if (o.runs() < 1 || o.w5Runs() < 0 || o.w5Runs() > o.runs() || o.ops() < 1 || o.parallel() < 1 || !(o.timedSeconds() >= 0)) {
                throw new IllegalArgumentException("--runs and --ops and --parallel must be at least 1, --w5-runs between 0 and --runs, "
                        + "--timed-seconds 0 or more");
            }
            if (o.warmup() < 0 || o.warmupWindow() < 1 || !(o.warmupTolerance() >= 0) || !(o.warmupMaxSeconds() > 0) || o.coldOps() < 1
                    || o.threads() < 2) {
                throw new IllegalArgumentException("--warmup must be at least 0, --warmup-window and --cold-ops at least 1, "
                        + "--warmup-tolerance at least 0, --warmup-max-seconds above 0 and --threads at least 2");
            }
            if (o.n() % 10 != 0 || o.n() < 100) {
                throw new IllegalArgumentException("--n must be a multiple of 10, at least 100 (two claims per subject and predicate)");
            }
            return o;
        }

        /**
         * The most scratch ingests W1 warms up with: seen on two cores, StemeDB's ingest of 200,000
         * claims settled by the fourth to sixth (the JIT compiles the commit path over seconds).
         */
        int ingestWarmups() {
            return quick ? 1 : 8;
        }

        private static long count(Map<String, String> given, String option, long otherwise) {
            String s = given.get(option);
            if (s == null) {
                return otherwise;
            }
            String t = s.replace("_", "").replace(",", "").trim().toLowerCase();
            long mult = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
            if (mult > 1) {
                t = t.substring(0, t.length() - 1);
            }
            try {
                return (long) (Double.parseDouble(t) * mult);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a number (1000000, 1e6, 1m, 20k), got " + s, e);
            }
        }

        /** benchmarks/, found from where this class was loaded: benchmarks/target/benchmarks.jar or benchmarks/target/classes. */
        private static Path defaultPeersDir() {
            try {
                Path code = Path.of(Compare.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                return code.getParent().getParent();
            } catch (URISyntaxException | RuntimeException e) {
                return Path.of("benchmarks");
            }
        }
    }

    private final Options options;
    private final PrintStream out;

    private Compare(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the command; returns the summary that it also writes to {@code --results}/summary.json. */
    public static Map<String, Object> run(String[] args, PrintStream out) throws Exception {
        return new Compare(Options.parse(args), out).run();
    }

    /** One JVM to start: one run of one system, one or both phases. */
    private record Job(String system, int run, String phases, long w5n) {
        String name() {
            return system + "-run" + run + "-" + phases.replace(',', '+');
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> run() throws Exception {
        if (options.fromResults() != null) {
            return fromResults(options.fromResults());
        }
        Files.createDirectories(options.dir());
        Files.createDirectories(options.results());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("tool", "stemedb-benchmarks compare");
        summary.put("started", Instant.now().toString());
        Map<String, Object> machine = Harness.machine(options.dir());
        machine.put("loadAverageAtStart", PeerRunner.loadAverage());
        summary.put("machine", machine);
        summary.put("settings", settings());

        List<Job> jobs = new ArrayList<>();
        List<Job> scaleJobs = new ArrayList<>();
        for (int run = 1; run <= options.runs(); run++) {
            for (String system : options.systems()) {
                long w5n = FULL_SCALE_SYSTEMS.contains(system) ? options.w5n() : options.w5PeerN();
                boolean scale = run <= options.w5Runs();
                if (options.quick() && scale) {
                    // One JVM per system: the isolated peers take most of a quick run just to start.
                    jobs.add(new Job(system, run, "core,scale", w5n));
                } else {
                    jobs.add(new Job(system, run, "core", w5n));
                    if (scale) {
                        scaleJobs.add(new Job(system, run, "scale", w5n));
                    }
                }
            }
        }
        // W5 last, so that with --parallel a system's large ingest never shares the machine with its own W1-W4.
        jobs.addAll(scaleJobs);
        Map<Job, Object> outcomes = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.parallel(), r -> {
            Thread t = new Thread(r, "compare-job");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(() -> runJob(job)));
            }
            for (int i = 0; i < jobs.size(); i++) {
                outcomes.put(jobs.get(i), futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
        summary.put("systems", aggregate(outcomes));
        machine.put("loadAverageAtEnd", PeerRunner.loadAverage());
        summary.put("finished", Instant.now().toString());
        writeJson(options.results().resolve("summary.json"), summary);
        List<Path> charts = CompareCharts.write(summary, options.charts());
        CompareReport.write(summary, charts, options.report());
        out.printf("report: %s, charts: %s, JSON: %s%n", options.report(), options.charts(), options.results());
        return summary;
    }

    /**
     * Aggregates the per-run JSON files in {@code dir} ({@code <system>-run<k>-<phases>.json}) as a run
     * would, keeping the machine and settings of the run's summary.json if there is one.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> fromResults(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<Job, Object> outcomes = new LinkedHashMap<>();
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("(.+)-run(\\d+)-(.+)\\.json");
        List<Path> files;
        try (java.util.stream.Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        for (Path f : files) {
            java.util.regex.Matcher m = name.matcher(f.getFileName().toString());
            if (m.matches()) {
                outcomes.put(new Job(m.group(1), Integer.parseInt(m.group(2)), m.group(3).replace('+', ','), 0),
                        json.readValue(f.toFile(), Map.class));
            }
        }
        Path old = dir.resolve("summary.json");
        Map<String, Object> summary = Files.exists(old) ? json.readValue(old.toFile(), Map.class) : new LinkedHashMap<>();
        if (!summary.containsKey("machine")) {
            Map<String, Object> machine = Harness.machine(dir);
            double[] range = {Double.MAX_VALUE, 0};
            outcomes.values().forEach(run -> loadRange(run, range));
            machine.put("loadAverageAtStart", String.format("not recorded (aggregated from per-run files); the 1-minute load "
                    + "average was %.2f to %.2f before and after the workloads of the runs", range[0], range[1]));
            machine.put("loadAverageAtEnd", PeerRunner.loadAverage() + " (when aggregated)");
            summary.put("tool", "stemedb-benchmarks compare");
            summary.put("started", "see the per-run files");
            summary.put("finished", "see the per-run files");
            summary.put("machine", machine);
            summary.put("settings", settings());
        }
        summary.put("aggregatedFrom", dir.toString());
        if (options.note() != null) {
            ((Map<String, Object>) summary.get("settings")).put("note", options.note());
        }
        summary.put("systems", aggregate(outcomes));
        writeJson(old, summary);
        List<Path> charts = CompareCharts.write(summary, options.charts());
        CompareReport.write(summary, charts, options.report());
        out.printf("report: %s, charts: %s, from %s%n", options.report(), options.charts(), dir);
        return summary;
    }

    /** Widens {@code range} (min, max) by every 1-minute load average recorded anywhere in {@code node}. */
    @SuppressWarnings("unchecked")
    private static void loadRange(Object node, double[] range) {
        if (node instanceof Map) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) node).entrySet()) {
                if (e.getKey().startsWith("loadAverage") && e.getValue() instanceof String v) {
                    String first = v.trim().split("\\s+")[0];
                    if (first.matches("\\d+(\\.\\d+)?")) { // not "unknown (...)" from a machine without /proc/loadavg
                        double one = Double.parseDouble(first);
                        range[0] = Math.min(range[0], one);
                        range[1] = Math.max(range[1], one);
                    }
                } else {
                    loadRange(e.getValue(), range);
                }
            }
        } else if (node instanceof List) {
            ((List<Object>) node).forEach(o -> loadRange(o, range));
        }
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("quick", options.quick());
        s.put("runs", options.runs());
        s.put("w5Runs", options.w5Runs());
        s.put("systems", options.systems());
        s.put("batch", 1000);
        s.put("results", options.results().toString());
        s.put("n", options.n());
        s.put("conflictN", options.conflictN());
        s.put("ops", options.ops());
        s.put("timedSeconds", options.timedSeconds());
        s.put("warmupOps", options.warmup());
        s.put("warmupWindow", options.warmupWindow());
        s.put("warmupTolerance", options.warmupTolerance());
        s.put("warmupMaxSeconds", options.warmupMaxSeconds());
        s.put("ingestWarmups", options.ingestWarmups());
        s.put("coldOps", options.coldOps());
        s.put("dropPageCache", options.dropPageCache());
        s.put("threads", options.threads());
        s.put("w5n", options.w5n());
        s.put("w5PeerN", options.w5PeerN());
        s.put("heap", options.heap());
        s.put("parallel", options.parallel());
        if (options.note() != null) {
            s.put("note", options.note());
        }
        s.put("w1to3Data", new Workload(options.n(), 42).describeLine());
        s.put("w4Data", new ConflictWorkload(options.conflictN(), 42).describeLine());
        s.put("w5Data", "the W1 data shape at n = --w5-n (StemeDB, raw RocksDB, SQLite) or --w5-peer-n (the other systems), "
                + "throughput sampled every 10% of n, then close and reopen to the first W2 read (durable systems), then W2 "
                + "(uniform current-value reads) on that database");
        s.put("command", "java -jar benchmarks/target/benchmarks.jar compare" + (options.quick() ? " --quick" : "")
                + " --runs " + options.runs() + " --n " + options.n() + " --conflict-n " + options.conflictN() + " --ops " + options.ops()
                + " --timed-seconds " + options.timedSeconds() + " --warmup " + options.warmup() + " --warmup-window " + options.warmupWindow() + " --warmup-tolerance "
                + options.warmupTolerance() + " --warmup-max-seconds " + options.warmupMaxSeconds() + " --cold-ops " + options.coldOps()
                + " --drop-page-cache " + options.dropPageCache() + " --threads " + options.threads()
                + " --w5-n " + options.w5n() + " --w5-peer-n " + options.w5PeerN()
                + " --w5-runs " + options.w5Runs() + " --parallel " + options.parallel() + " --heap " + options.heap()
                + " --systems " + String.join(",", options.systems()));
        return s;
    }

    /** The command line that starts a job's JVM. */
    private List<String> command(Job job, Path json) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + options.heap());
        cmd.add("-Djava.awt.headless=true");
        if (!options.quick()) {
            // The whole heap committed and touched before the first workload: on this virtual
            // machine, first touches of heap pages as the collector grew the young generation cost
            // about 12 us each and hit 2% of the reads of an in-memory store (p99 11.5 us against
            // 1.6 us pre-touched), a cost of the JVM's first minutes, not of its steady state.
            cmd.add("-Xms" + options.heap());
            cmd.add("-XX:+AlwaysPreTouch");
        }
        if (options.quick()) {
            // A quick run measures nothing; the client compiler starts the Clojure peers in a fraction of the CPU time.
            cmd.add("-XX:TieredStopAtLevel=1");
            cmd.add("-XX:+UseSerialGC");
        }
        if (ISOLATED.contains(job.system())) {
            cmd.add("-jar");
            cmd.add(peerJar(job.system()).toString());
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(LocalPeers.class.getName());
        }
        cmd.addAll(Arrays.asList("--system", job.system(), "--phase", job.phases(),
                "--dir", options.dir().resolve(job.name()).toString(), "--out", json.toString(),
                "--n", Long.toString(options.n()), "--conflict-n", Long.toString(options.conflictN()),
                "--ops", Integer.toString(options.ops()), "--timed-seconds", Double.toString(options.timedSeconds()), "--warmup", Long.toString(options.warmup()),
                "--warmup-window", Integer.toString(options.warmupWindow()), "--warmup-tolerance", Double.toString(options.warmupTolerance()),
                "--warmup-max-seconds", Double.toString(options.warmupMaxSeconds()), "--cold-ops", Integer.toString(options.coldOps()),
                "--drop-page-cache", Boolean.toString(options.dropPageCache()), "--threads", Integer.toString(options.threads()),
                "--ingest-warmups", Integer.toString(options.ingestWarmups()),
                "--scale-n", Long.toString(job.w5n()), "--seed", "42"));
        return cmd;
    }

    Path peerJar(String system) {
        return options.peersDir().resolve("peer-" + system).resolve("target").resolve("peer-" + system + ".jar");
    }

    /** Runs one job; returns its parsed JSON, or the reason it produced none (a String). */
    private Object runJob(Job job) throws IOException, InterruptedException {
        Path json = options.results().resolve(job.name() + ".json");
        Files.deleteIfExists(json);
        if (ISOLATED.contains(job.system()) && !Files.isRegularFile(peerJar(job.system()))) {
            return "its peer jar " + peerJar(job.system()) + " is not built: run mvn -B package (the reactor builds benchmarks/peer-"
                    + job.system() + ")";
        }
        Path work = options.dir().resolve(job.name());
        Directories.deleteTree(work);
        Files.createDirectories(work);
        Path log = options.dir().resolve(job.name() + ".log");
        synchronized (out) {
            out.printf("%s  %s: %s (load %s)%n", Instant.now(), job.system(), job.phases(), PeerRunner.loadAverage());
        }
        Process p = new ProcessBuilder(command(job, json)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(options.timeoutMinutes(), TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                return "it did not finish within " + options.timeoutMinutes() + " minutes (--timeout-minutes); log: " + log;
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        Directories.deleteTree(work);
        if (p.exitValue() != 0 || !Files.isRegularFile(json)) {
            return "its JVM exited with status " + p.exitValue() + ": " + lastLines(log, 6);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = new ObjectMapper().readValue(json.toFile(), Map.class);
        synchronized (out) {
            out.printf("%s  %s: %s done%n", Instant.now(), job.system(), job.phases());
        }
        return parsed;
    }

    private static String lastLines(Path log, int lines) throws IOException {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> interesting = new ArrayList<>();
        for (String l : all) {
            if (!l.startsWith("SLF4J")) {
                interesting.add(l.trim());
            }
        }
        return String.join(" | ", interesting.subList(Math.max(0, interesting.size() - lines), interesting.size()));
    }

    // ---------------------------------------------------------------------------------------
    // Medians, spreads, answer checks

    /** Where each figure sits in a run's JSON: workload, then path. */
    static final List<String[]> METRICS = List.of(
            new String[] {"W1", "claimsPerSec"}, new String[] {"W1cold", "claimsPerSec"},
            new String[] {"W2", "opsPerSec"}, new String[] {"W2", "p50Us"}, new String[] {"W2", "p99Us"},
            new String[] {"W2z", "opsPerSec"}, new String[] {"W2z", "p50Us"}, new String[] {"W2z", "p99Us"},
            new String[] {"W3", "opsPerSec"}, new String[] {"W3", "p50Us"}, new String[] {"W3", "p99Us"},
            new String[] {"W2cold", "opsPerSec"}, new String[] {"W2cold", "p50Us"}, new String[] {"W2cold", "p99Us"},
            new String[] {"W2mt", "opsPerSec"}, new String[] {"W2mt", "p50Us"}, new String[] {"W2mt", "p99Us"},
            new String[] {"W4", "ingest", "claimsPerSec"},
            new String[] {"W4", "trust", "opsPerSec"}, new String[] {"W4", "trust", "p50Us"}, new String[] {"W4", "trust", "p99Us"},
            new String[] {"W4", "majority", "opsPerSec"}, new String[] {"W4", "majority", "p50Us"},
            new String[] {"W4", "majority", "p99Us"},
            new String[] {"W5", "claimsPerSec"}, new String[] {"W5", "seconds"}, new String[] {"W5", "reopenToFirstReadMs"},
            new String[] {"W5", "W2", "opsPerSec"}, new String[] {"W5", "W2", "p50Us"}, new String[] {"W5", "W2", "p99Us"});

    /** The timed reads, as figure keys ("W4.trust" is W4's trust reads), in report order. */
    static final List<String> READS = List.of("W2", "W2z", "W3", "W4.trust", "W4.majority", "W2cold", "W2mt", "W5.W2");

    /** The workloads that may not apply to a system, which then says why ("unsupported" in its JSON). */
    static final List<String> OPTIONAL_WORKLOADS = List.of("W4", "W2cold", "W2mt");

    static String key(String[] path) {
        return String.join(".", path);
    }

    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> runJson, String[] path) {
        Object o = runJson.get("workloads");
        for (String k : path) {
            if (!(o instanceof Map)) {
                return null;
            }
            o = ((Map<String, Object>) o).get(k);
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> aggregate(Map<Job, Object> outcomes) {
        Map<String, Object> systems = new LinkedHashMap<>();
        for (String system : options.systems()) {
            Map<String, Object> s = new LinkedHashMap<>();
            List<Map<String, Object>> runs = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (Map.Entry<Job, Object> e : outcomes.entrySet()) {
                if (!e.getKey().system().equals(system)) {
                    continue;
                }
                if (e.getValue() instanceof Map) {
                    runs.add((Map<String, Object>) e.getValue());
                } else {
                    failures.add(e.getKey().name() + ": " + e.getValue());
                }
            }
            s.put("failures", failures);
            for (Map<String, Object> r : runs) {
                if (r.containsKey("describe")) {
                    s.put("describe", r.get("describe"));
                    s.put("durable", r.get("durable"));
                }
                if (r.containsKey("answersValues")) {
                    s.put("answersValues", r.get("answersValues"));
                }
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            for (String[] m : METRICS) {
                List<Double> values = new ArrayList<>();
                for (Map<String, Object> r : runs) {
                    Object v = at(r, m);
                    if (v instanceof Number) {
                        values.add(((Number) v).doubleValue());
                    }
                }
                if (!values.isEmpty()) {
                    figures.put(key(m), spread(values));
                }
            }
            s.put("figures", figures);
            Map<String, Object> unsupported = new LinkedHashMap<>();
            Map<String, Object> answers = new LinkedHashMap<>();
            List<Map<String, Object>> w5 = new ArrayList<>();
            List<Map<String, Object>> warmups = new ArrayList<>();
            for (Map<String, Object> r : runs) {
                for (String workload : OPTIONAL_WORKLOADS) {
                    Object reason = at(r, new String[] {workload, "unsupported"});
                    if (reason != null) {
                        unsupported.put(workload, reason);
                    }
                }
                for (String read : READS) {
                    String[] op = read.split("\\.");
                    Object h = at(r, append(op, "answersHash"));
                    if (h != null) {
                        answers.put(key(op), h);
                        Object empty = at(r, append(op, "emptyAnswers"));
                        answers.put(key(op) + ".emptyAnswers", empty);
                    }
                }
                Object scale = at(r, new String[] {"W5"});
                if (scale instanceof Map) {
                    w5.add((Map<String, Object>) scale);
                    s.put("w5n", ((Map<String, Object>) scale).get("claims"));
                }
                Map<String, Object> warm = new LinkedHashMap<>();
                if (at(r, new String[] {"W1warmup"}) instanceof Map<?, ?> ingests) {
                    warm.put("W1", ingests.get("ingests") + " ingests" + (Boolean.TRUE.equals(ingests.get("settled")) ? "" : " (not settled)"));
                }
                for (String read : READS) {
                    Object ops = at(r, append(read.split("\\."), "warmupOps"));
                    if (ops != null) {
                        warm.put(read, ops + (Boolean.TRUE.equals(at(r, append(read.split("\\."), "warmupSettled"))) ? "" : " (not settled)"));
                    }
                }
                Object threads = at(r, new String[] {"W2mt", "warmups"});
                if (threads instanceof List<?> perThread) {
                    List<String> each = new ArrayList<>();
                    for (Object t : perThread) {
                        Map<String, Object> m = (Map<String, Object>) t;
                        each.add(m.get("warmupOps") + (Boolean.TRUE.equals(m.get("warmupSettled")) ? "" : " (not settled)"));
                    }
                    warm.put("W2mt", String.join(" + ", each));
                }
                warmups.add(warm);
                Object cache = at(r, new String[] {"W2cold", "pageCache"});
                if (cache != null) {
                    s.put("coldPageCache", cache);
                }
            }
            s.put("unsupported", unsupported);
            s.put("answers", answers);
            s.put("w5Runs", w5);
            s.put("warmups", warmups);
            s.put("runs", runs.size());
            systems.put(system, s);
        }
        return systems;
    }

    private static String[] append(String[] path, String last) {
        String[] p = Arrays.copyOf(path, path.length + 1);
        p[path.length] = last;
        return p;
    }

    /** Median (mean of the middle two for an even count), min, max and the values. */
    static Map<String, Object> spread(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", median);
        m.put("min", sorted.get(0));
        m.put("max", sorted.get(n - 1));
        m.put("values", values);
        return m;
    }

    static void writeJson(Path file, Object value) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
    }
}
