package io.stemedb.bench.compare;

import io.stemedb.bench.Directories;
import io.stemedb.bench.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Runs the workloads against one system, in the JVM that the {@code compare} command started
 * for it, and writes the figures as JSON. One invocation is one run of W1-W4
 * ({@code --phase core}), of W5 ({@code --phase scale}) or of both ({@code --phase core,scale}).
 *
 * <pre>
 * --system NAME --phase core|scale|core,scale --dir DIR --out FILE.json [--n 200000] [--conflict-n 200000]
 * [--ops 100000] [--timed-seconds 2] [--warmup 200000] [--warmup-window 20000] [--warmup-tolerance 0.05] [--warmup-max-seconds 600]
 * [--cold-ops 10000] [--drop-page-cache true] [--threads 2] [--ingest-warmups 8] [--batch 1000] [--seed 42] [--scale-n 1000000] [--samples 10]
 * </pre>
 *
 * The reads of W2-W4 pick (subject, predicate) pairs from a random sequence seeded by
 * {@code --seed} alone (uniformly, or for W2z with {@link ZipfPairs}), so every system answers the same questions, and the runner records a hash
 * of the answers that the command compares across systems.
 *
 * <p><b>Method.</b> W1 is timed after a warm-up too: ingests of the same claims into scratch
 * databases until two in a row agree within {@code --warmup-tolerance} (at most
 * {@code --ingest-warmups}); the first of them, a fresh process's first ingest, is reported
 * apart as W1 cold. Every timed read workload first warms up until the system's throughput has
 * settled: at least {@code --warmup} reads, and until two successive windows of
 * {@code --warmup-window} reads (or as many reads as the workload has pairs, if more) agree within {@code --warmup-tolerance}, whichever comes later
 * (cut at {@code --warmup-max-seconds}, which the JSON then says); the JSON records how many reads
 * that took. Then reads are timed one by one: at least {@code --ops} of them, and for at least
 * {@code --timed-seconds} (a system that reads a million times a second reads 100,000 times in a
 * tenth of a second, which one garbage collection can double); the answers of the first
 * {@code --ops} are hashed, so that every system's hash covers the same questions. Besides: W2 cold, the first
 * {@code --cold-ops} reads after a close and reopen of a durable system, with the OS page cache
 * dropped first when the process may (as root, unless {@code --drop-page-cache false}; the JSON
 * says whether it was); W2-mt, W2 on
 * {@code --threads} threads at once (each warmed up as above, then timed together), for systems
 * whose reads may run concurrently ({@link Peer.Concurrent}); and in the scale phase, W2 on the
 * W5 database. Not thread-safe; one per JVM.
 */
public final class PeerRunner {
    /**
     * No scratch ingest of W1's warm-up starts after this many seconds: a system that ingests a
     * few thousand claims a second (XTDB, Datomic) has run its ingest path long enough by then,
     * and eight of its ingests would add an hour to a comparison.
     */
    public static final double INGEST_WARMUP_SECONDS = 120;

    private final Map<String, String> args;
    private final Function<String, Peer> peers;
    private final String system;

    private PeerRunner(Map<String, String> args, Function<String, Peer> peers) {
        this.args = args;
        this.peers = peers;
        this.system = required("--system");
    }

    /**
     * The main method of every peer JVM: parses {@code argv}, runs, writes {@code --out}.
     *
     * @param peers makes a fresh, unopened system by name; it throws IllegalArgumentException for a name it does not know
     */
    public static void main(String[] argv, Function<String, Peer> peers) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("peer runner arguments are --name value pairs, got " + Arrays.toString(argv));
            }
            args.put(argv[i], argv[++i]);
        }
        new PeerRunner(args, peers).run();
    }

    private String required(String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the peer runner needs " + name);
        }
        return v;
    }

    private long number(String name, long otherwise) {
        String v = args.get(name);
        return v == null ? otherwise : Long.parseLong(v);
    }

    private void run() throws Exception {
        Path dir = Path.of(required("--dir"));
        Path out = Path.of(required("--out"));
        String phases = required("--phase");
        long seed = number("--seed", 42);
        int batch = (int) number("--batch", 1000);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("system", system);
        result.put("phases", phases);
        result.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        result.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        Map<String, Object> workloads = new LinkedHashMap<>();
        result.put("workloads", workloads);
        Files.createDirectories(dir);
        for (String phase : phases.split(",")) {
            if (phase.equals("core")) {
                Workload w = new Workload(number("--n", 200_000), seed);
                Path w1 = dir.resolve("w1");
                Map<String, Object> cold = warmUpIngest(dir, w.n(), batch, (b, from, to) -> b.fill(w, from, to), workloads);
                if (cold != null) {
                    workloads.put("W1cold", cold);
                }
                try (Peer peer = peers.apply(system)) {
                    peer.open(w1);
                    result.put("describe", peer.describe());
                    result.put("durable", peer.durable());
                    result.put("answersValues", peer.answersValues());
                    workloads.put("W1", ingest(peer, w.n(), batch, 10, (b, from, to) -> b.fill(w, from, to)));
                    Pairs uniform = Pairs.uniform(w.pairs());
                    workloads.put("W2", reads(uniform, seed, 0, pair -> answer(peer.current(subject(pair), predicate(pair)))));
                    workloads.put("W3", reads(uniform, seed, 1, pair -> {
                        int claims = peer.history(subject(pair), predicate(pair));
                        return claims == 0 ? Long.MIN_VALUE : claims;
                    }));
                    workloads.put("W2z", reads(new Pairs(w.pairs(), new ZipfPairs(w.pairs())::next), seed, 2,
                            pair -> answer(peer.current(subject(pair), predicate(pair)))));
                    // W2-mt on the store W2 read, before the cold reads reopen it: after a reopen the
                    // engine's compactions and a refilling cache ran beside the two readers, and
                    // W2-mt measured those (p99 2-47 us against W2's 1.4) more than the threads
                    workloads.put("W2mt", concurrentReads(peer, uniform, seed));
                    workloads.put("W2cold", coldReads(peer, w1, uniform, seed));
                }
                ConflictWorkload c = new ConflictWorkload(number("--conflict-n", 200_000), seed);
                try (Peer peer = peers.apply(system)) {
                    Map<String, Object> w4 = new LinkedHashMap<>();
                    if (peer instanceof Peer.Resolving resolving) {
                        peer.open(dir.resolve("w4"));
                        w4.put("ingest", ingest(peer, c.n(), batch, 10, (b, from, to) -> b.fill(c, from, to)));
                        Pairs conflicts = Pairs.uniform(c.pairs());
                        w4.put("trust", reads(conflicts, seed, 0,
                                pair -> answer(resolving.trusted(c.subjectOf(pair), c.predicateOf(pair), ConflictWorkload.SOURCES))));
                        w4.put("majority", reads(conflicts, seed, 1,
                                pair -> answer(resolving.majority(c.subjectOf(pair), c.predicateOf(pair)))));
                    } else {
                        w4.put("unsupported", peer.whyNotResolving());
                    }
                    workloads.put("W4", w4);
                }
            } else if (phase.equals("scale")) {
                Workload w = new Workload(number("--scale-n", 1_000_000), seed);
                try (Peer peer = peers.apply(system)) {
                    peer.open(dir.resolve("w5"));
                    result.put("describe", peer.describe());
                    result.put("durable", peer.durable());
                    Map<String, Object> w5 = ingest(peer, w.n(), batch, (int) number("--samples", 10), (b, from, to) -> b.fill(w, from, to));
                    if (peer.durable()) {
                        long c0 = System.nanoTime();
                        peer.close();
                        w5.put("closeMs", (System.nanoTime() - c0) / 1e6);
                        long pair = new SplittableRandom(seed + 5).nextLong(w.pairs());
                        long r0 = System.nanoTime();
                        peer.open(dir.resolve("w5"));
                        String first = peer.current(subject(pair), predicate(pair));
                        w5.put("reopenToFirstReadMs", (System.nanoTime() - r0) / 1e6);
                        w5.put("firstReadFound", first != null);
                    }
                    w5.put("W2", reads(Pairs.uniform(w.pairs()), seed, 4, pair -> answer(peer.current(subject(pair), predicate(pair)))));
                    workloads.put("W5", w5);
                }
            } else {
                throw new IllegalArgumentException("--phase lists core and/or scale, got " + phases);
            }
        }
        result.put("loadAverageAtEnd", loadAverage());
        Files.writeString(out, Json.write(result), StandardCharsets.UTF_8);
    }

    private static String subject(long pair) {
        return Workload.subjectName(Workload.subjectOfPair(pair));
    }

    private static String predicate(long pair) {
        return Workload.PREDICATES[Workload.predicateOfPair(pair)];
    }

    /** The hash contribution of one text answer; a missing answer counts apart. */
    private static long answer(String value) {
        return value == null ? Long.MIN_VALUE : value.hashCode();
    }

    private interface Filler {
        void fill(ClaimBatch batch, long from, long to);
    }

    private interface Read {
        long apply(long pair) throws Exception;
    }

    /** Which pair a read asks about (uniformly random, or {@link ZipfPairs}), among {@code space} pairs. */
    private record Pairs(long space, ToLongFunction<SplittableRandom> pick) {
        static Pairs uniform(long space) {
            return new Pairs(space, r -> r.nextLong(space));
        }

        long next(SplittableRandom random) {
            return pick.applyAsLong(random);
        }
    }

    /** Ingests {@code n} claims in batches, sampling the throughput {@code samples} times (every n / samples claims). */
    private static Map<String, Object> ingest(Peer peer, long n, int batchSize, int samples, Filler filler) throws Exception {
        ClaimBatch batch = new ClaimBatch(batchSize);
        List<Map<String, Object>> windows = new ArrayList<>();
        String loadBefore = loadAverage();
        long step = Math.max(1, n / samples);
        long nextSample = step;
        long start = System.nanoTime();
        long lastT = start;
        long lastDone = 0;
        for (long done = 0; done < n; ) {
            long to = Math.min(n, done + batchSize);
            peer.ingest(fill(filler, batch, done, to));
            done = to;
            if (done >= nextSample || done == n) {
                long now = System.nanoTime();
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("claims", done);
                s.put("seconds", (now - start) / 1e9);
                s.put("windowClaimsPerSec", (done - lastDone) / ((now - lastT) / 1e9));
                windows.add(s);
                lastT = now;
                lastDone = done;
                while (nextSample <= done) {
                    nextSample += step;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("claims", n);
        r.put("seconds", seconds);
        r.put("claimsPerSec", n / seconds);
        r.put("loadAverageBefore", loadBefore);
        r.put("loadAverageAfter", loadAverage());
        r.put("samples", windows);
        return r;
    }

    /**
     * W1's warm-up: ingests of the same {@code n} claims into scratch databases, each opened fresh,
     * closed and deleted, until two in a row agree within {@code --warmup-tolerance} (at most
     * {@code --ingest-warmups} of them, none started after {@link #INGEST_WARMUP_SECONDS} or
     * {@code --warmup-max-seconds}), so that W1 is timed
     * with the JIT warmed, as a process that has ingested for a while runs. Records what it took in
     * {@code workloads} ("W1warmup"); returns the first ingest, the cold one (a fresh process's
     * first), or null when {@code --ingest-warmups} is 0 (W1 is then that first ingest).
     */
    private Map<String, Object> warmUpIngest(Path dir, long n, int batch, Filler filler, Map<String, Object> workloads) throws Exception {
        int most = (int) number("--ingest-warmups", 8);
        WarmupRule rule = warmupRule();
        long start = System.nanoTime();
        Map<String, Object> first = null;
        List<Double> rates = new ArrayList<>();
        boolean settled = false;
        double limit = Math.min(rule.maxSeconds(), INGEST_WARMUP_SECONDS);
        while (rates.size() < most && !settled && (System.nanoTime() - start) / 1e9 < limit) {
            Path scratch = dir.resolve("w1-warmup-" + rates.size());
            Map<String, Object> r;
            try (Peer peer = peers.apply(system)) {
                peer.open(scratch);
                r = ingest(peer, n, batch, 10, filler);
            }
            Directories.deleteTree(scratch);
            if (first == null) {
                first = r;
            }
            double rate = (double) r.get("claimsPerSec");
            double previous = rates.isEmpty() ? -1 : rates.get(rates.size() - 1);
            rates.add(rate);
            settled = rule.agree(previous, rate);
        }
        if (first != null) {
            Map<String, Object> warm = new LinkedHashMap<>();
            warm.put("ingests", rates.size());
            warm.put("claimsPerSec", rates);
            warm.put("settled", settled);
            warm.put("seconds", (System.nanoTime() - start) / 1e9);
            workloads.put("W1warmup", warm);
        }
        return first;
    }

    private static ClaimBatch fill(Filler filler, ClaimBatch batch, long from, long to) {
        filler.fill(batch, from, to);
        return batch;
    }

    /** When a warm-up ends: see the class comment. */
    private record WarmupRule(long minReads, int windowReads, double tolerance, double maxSeconds) {
        /** Whether two successive throughputs agree within the tolerance; a negative {@code previous} is none yet. */
        boolean agree(double previous, double last) {
            return previous > 0 && Math.abs(last - previous) <= tolerance * Math.max(last, previous);
        }
    }

    private WarmupRule warmupRule() {
        return new WarmupRule(number("--warmup", 200_000), (int) number("--warmup-window", 20_000),
                Double.parseDouble(args.getOrDefault("--warmup-tolerance", "0.05")),
                Double.parseDouble(args.getOrDefault("--warmup-max-seconds", "600")));
    }

    /**
     * Reads until {@code rule} says the throughput has settled; returns what it took: the reads,
     * whether the last two windows agreed, the seconds, and the last windows' reads per second.
     */
    private static Map<String, Object> warmUp(WarmupRule rule, Pairs pairs, SplittableRandom random, Read read) throws Exception {
        long start = System.nanoTime();
        long reads = 0;
        double previous = -1;
        double last = -1;
        boolean settled = false;
        boolean cut = false;
        // A window reads at least as often as there are pairs: a cache still filling then reads
        // faster in each window than in the one before, instead of looking settled window to window.
        long window = Math.max(rule.windowReads(), pairs.space());
        while (!(reads >= rule.minReads() && settled)) {
            if ((System.nanoTime() - start) / 1e9 >= rule.maxSeconds()) {
                cut = true;
                break;
            }
            long w0 = System.nanoTime();
            for (long i = 0; i < window; i++) {
                read.apply(pairs.next(random));
            }
            reads += window;
            previous = last;
            last = window / Math.max(1e-9, (System.nanoTime() - w0) / 1e9);
            settled = rule.agree(previous, last);
        }
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("warmupOps", reads);
        w.put("warmupWindowReads", window);
        w.put("warmupSettled", settled);
        w.put("warmupCutByTimeLimit", cut);
        w.put("warmupSeconds", (System.nanoTime() - start) / 1e9);
        w.put("warmupLastWindowsOpsPerSec", List.of(previous, last));
        return w;
    }

    /**
     * Warm-up by {@link #warmupRule}, then {@code --ops} timed reads, each on a pair that
     * {@code pairs} picks; one thread. Each read workload on a data set draws its own sequence
     * ({@code stream}), so that a workload does not re-read the pairs the one before it just read:
     * what a system cached for one workload helps the next only as much as their pairs overlap by chance.
     */
    private Map<String, Object> reads(Pairs pairs, long seed, int stream, Read read) throws Exception {
        Map<String, Object> warm = warmUp(warmupRule(), pairs, new SplittableRandom(seed + 1 + 2L * stream), read);
        Map<String, Object> r = timed(pairs, (int) number("--ops", 100_000), timedNanos(), new SplittableRandom(seed + 2 + 2L * stream),
                read);
        r.putAll(warm);
        return r;
    }

    /** The least time the timed reads of a workload last ({@code --timed-seconds}), in nanoseconds. */
    private long timedNanos() {
        double seconds = Double.parseDouble(args.getOrDefault("--timed-seconds", "0"));
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("--timed-seconds must be 0 or more, got " + seconds);
        }
        return (long) (seconds * 1e9);
    }

    /**
     * At least {@code ops} reads, each timed, and for at least {@code nanos}, from the reads' own
     * random sequence; their throughput, latencies and answers.
     */
    private static Map<String, Object> timed(Pairs pairs, int ops, long nanos, SplittableRandom random, Read read) throws Exception {
        String loadBefore = loadAverage();
        long start = System.nanoTime();
        Timed t = timedLoop(pairs, random, read, ops, start + nanos);
        double took = (t.end() - start) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ops", t.count());
        r.put("opsPerSec", t.count() / took);
        latencies(r, Arrays.copyOf(t.nanos(), t.count()));
        r.put("answersHash", Long.toHexString(t.hash()));
        r.put("emptyAnswers", t.missing());
        r.put("loadAverageBefore", loadBefore);
        r.put("loadAverageAfter", loadAverage());
        return r;
    }

    /**
     * Timed reads: {@code nanos} holds the first {@code count} reads' times; {@code hash} and
     * {@code missing} cover the first {@code ops} reads only; {@code end} is when the last ended.
     */
    private record Timed(long[] nanos, int count, long hash, long missing, long end) {}

    /** Reads, each timed, until at least {@code ops} were and {@code deadline} (a nanoTime) has passed. */
    private static Timed timedLoop(Pairs pairs, SplittableRandom random, Read read, int ops, long deadline) throws Exception {
        long[] nanos = new long[ops];
        long hash = 17;
        long missing = 0;
        int i = 0;
        while (true) {
            if (i == nanos.length) {
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
                nanos = Arrays.copyOf(nanos, nanos.length + ops);
            }
            long pair = pairs.next(random);
            long t0 = System.nanoTime();
            long a = read.apply(pair);
            nanos[i] = System.nanoTime() - t0;
            if (i < ops) {
                if (a == Long.MIN_VALUE) {
                    missing++;
                }
                hash = hash * 31 + a;
            }
            i++;
        }
        return new Timed(nanos, i, hash, missing, System.nanoTime());
    }

    private static void latencies(Map<String, Object> r, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        r.put("p50Us", sorted[(int) Math.min(sorted.length - 1, Math.round(0.50 * (sorted.length - 1)))] / 1e3);
        r.put("p99Us", sorted[(int) Math.min(sorted.length - 1, Math.round(0.99 * (sorted.length - 1)))] / 1e3);
    }

    /**
     * W2 cold: closes the store, drops the OS page cache if this process may, reopens it and times
     * the first {@code --cold-ops} reads, with no warm-up (the JVM's code is warm from the
     * workloads before; the system's caches and the page cache are not).
     */
    private Map<String, Object> coldReads(Peer peer, Path dir, Pairs pairs, long seed) throws Exception {
        if (!peer.durable()) {
            return Map.of("unsupported", "it keeps its data in memory: closing it loses the data, so there is no reopen to read cold after");
        }
        peer.close();
        String dropped = Boolean.parseBoolean(args.getOrDefault("--drop-page-cache", "true")) ? dropPageCache()
                : "--drop-page-cache false (a quick run does not empty the machine's cache)";
        peer.open(dir);
        Map<String, Object> r = timed(pairs, (int) number("--cold-ops", 10_000), 0, new SplittableRandom(seed + 11), pair ->
                answer(peer.current(subject(pair), predicate(pair))));
        r.put("pageCacheDropped", dropped == null);
        r.put("pageCache", dropped == null ? "dropped (sync; echo 3 > /proc/sys/vm/drop_caches)" : "not dropped: " + dropped);
        return r;
    }

    /** Writes dirty pages out and drops the page cache; null if done, else why not. */
    private static String dropPageCache() {
        try {
            Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
            sync.getInputStream().readAllBytes();
            sync.waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n", StandardCharsets.US_ASCII);
            return null;
        } catch (IOException | RuntimeException e) {
            return "this process may not write /proc/sys/vm/drop_caches (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); it takes root";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * W2-mt: {@code --threads} threads read at once, each with its own reader and random sequence;
     * each warms up by {@link #warmupRule}, then all start the timed reads together (each at least
     * {@code --ops}, for at least {@code --timed-seconds} from its start). Throughput is every
     * thread's reads over the time from that start until the last finished.
     */
    private Map<String, Object> concurrentReads(Peer peer, Pairs pairs, long seed) throws Exception {
        if (!(peer instanceof Peer.Concurrent concurrent)) {
            return Map.of("unsupported", peer.getClass().getSimpleName() + " reads on one thread only");
        }
        int threads = (int) number("--threads", 2);
        int ops = (int) number("--ops", 100_000);
        List<Peer.Reader> readers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                readers.add(concurrent.reader());
            }
            CyclicBarrier ready = new CyclicBarrier(threads);
            long[] starts = new long[threads];
            long[][] nanos = new long[threads][];
            long timedNanos = timedNanos();
            List<Future<Map<String, Object>>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Peer.Reader reader = readers.get(t);
                Read read = pair -> answer(reader.current(subject(pair), predicate(pair)));
                done.add(pool.submit(() -> {
                    Map<String, Object> warm = warmUp(warmupRule(), pairs, new SplittableRandom(seed + 101 + 2L * thread), read);
                    ready.await();
                    starts[thread] = System.nanoTime();
                    Timed timed = timedLoop(pairs, new SplittableRandom(seed + 102 + 2L * thread), read, ops, starts[thread] + timedNanos);
                    nanos[thread] = Arrays.copyOf(timed.nanos(), timed.count());
                    warm.put("endNanos", timed.end());
                    warm.put("answersHash", timed.hash());
                    warm.put("emptyAnswers", timed.missing());
                    return warm;
                }));
            }
            String loadBefore = loadAverage();
            long hash = 17;
            long missing = 0;
            long end = Long.MIN_VALUE;
            List<Object> warmups = new ArrayList<>();
            for (Future<Map<String, Object>> f : done) {
                Map<String, Object> t = f.get();
                hash = hash * 31 + (long) t.remove("answersHash");
                missing += (long) t.remove("emptyAnswers");
                end = Math.max(end, (long) t.remove("endNanos"));
                warmups.add(t);
            }
            long start = Arrays.stream(starts).min().orElseThrow();
            long count = Arrays.stream(nanos).mapToLong(n -> n.length).sum();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("threads", threads);
            r.put("ops", count);
            r.put("opsPerSec", count / ((end - start) / 1e9));
            latencies(r, Arrays.stream(nanos).flatMapToLong(Arrays::stream).toArray());
            r.put("answersHash", Long.toHexString(hash));
            r.put("emptyAnswers", missing);
            r.put("warmups", warmups);
            r.put("loadAverageBefore", loadBefore);
            r.put("loadAverageAfter", loadAverage());
            return r;
        } finally {
            pool.shutdownNow();
            for (Peer.Reader reader : readers) {
                reader.close();
            }
        }
    }

    /** The 1, 5 and 15 minute load averages. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
