package io.stemedb.bench.compare;

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
import java.util.function.Function;

/**
 * Runs the workloads against one system, in the JVM that the {@code compare} command started
 * for it, and writes the figures as JSON. One invocation is one run of W1-W4
 * ({@code --phase core}), of W5 ({@code --phase scale}) or of both ({@code --phase core,scale}).
 *
 * <pre>
 * --system NAME --phase core|scale|core,scale --dir DIR --out FILE.json [--n 200000] [--conflict-n 200000]
 * [--ops 20000] [--warmup 2000] [--batch 1000] [--seed 42] [--scale-n 1000000] [--samples 10]
 * </pre>
 *
 * The reads of W2-W4 pick (subject, predicate) pairs from a random sequence seeded by
 * {@code --seed} alone (uniformly, or for W2z with {@link ZipfPairs}), so every system answers the same questions, and the runner records a hash
 * of the answers that the command compares across systems. Not thread-safe; one per JVM.
 */
public final class PeerRunner {
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
                int ops = (int) number("--ops", 20_000);
                int warmup = (int) number("--warmup", 2_000);
                try (Peer peer = peers.apply(system)) {
                    peer.open(dir.resolve("w1"));
                    result.put("describe", peer.describe());
                    result.put("durable", peer.durable());
                    result.put("answersValues", peer.answersValues());
                    workloads.put("W1", ingest(peer, w.n(), batch, 10, (b, from, to) -> b.fill(w, from, to)));
                    Pairs uniform = r -> r.nextLong(w.pairs());
                    workloads.put("W2", reads(uniform, ops, warmup, seed, 0, pair -> answer(peer.current(subject(pair), predicate(pair)))));
                    workloads.put("W3", reads(uniform, ops, warmup, seed, 1, pair -> {
                        int claims = peer.history(subject(pair), predicate(pair));
                        return claims == 0 ? Long.MIN_VALUE : claims;
                    }));
                    workloads.put("W2z", reads(new ZipfPairs(w.pairs())::next, ops, warmup, seed, 2,
                            pair -> answer(peer.current(subject(pair), predicate(pair)))));
                }
                ConflictWorkload c = new ConflictWorkload(number("--conflict-n", 200_000), seed);
                try (Peer peer = peers.apply(system)) {
                    Map<String, Object> w4 = new LinkedHashMap<>();
                    if (peer instanceof Peer.Resolving resolving) {
                        peer.open(dir.resolve("w4"));
                        w4.put("ingest", ingest(peer, c.n(), batch, 10, (b, from, to) -> b.fill(c, from, to)));
                        Pairs conflicts = r -> r.nextLong(c.pairs());
                        w4.put("trust", reads(conflicts, ops, warmup, seed, 0,
                                pair -> answer(resolving.trusted(c.subjectOf(pair), c.predicateOf(pair), ConflictWorkload.SOURCES))));
                        w4.put("majority", reads(conflicts, ops, warmup, seed, 1,
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

    /** Which pair a read asks about: uniformly random, or {@link ZipfPairs}. */
    private interface Pairs {
        long next(SplittableRandom random);
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

    private static ClaimBatch fill(Filler filler, ClaimBatch batch, long from, long to) {
        filler.fill(batch, from, to);
        return batch;
    }

    /**
     * {@code warmup} untimed reads, then {@code ops} timed ones, each on a pair that {@code pairs}
     * picks; one thread. Each read workload on a data set draws its own sequence ({@code stream}),
     * so that a workload does not re-read the pairs the one before it just read: what a system
     * cached for one workload helps the next only as much as their pairs overlap by chance.
     */
    private static Map<String, Object> reads(Pairs pairs, int ops, int warmup, long seed, int stream, Read read) throws Exception {
        SplittableRandom warm = new SplittableRandom(seed + 1 + 2L * stream);
        for (int i = 0; i < warmup; i++) {
            read.apply(pairs.next(warm));
        }
        SplittableRandom random = new SplittableRandom(seed + 2 + 2L * stream);
        long[] nanos = new long[ops];
        long hash = 17;
        long missing = 0;
        String loadBefore = loadAverage();
        long start = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            long pair = pairs.next(random);
            long t0 = System.nanoTime();
            long a = read.apply(pair);
            nanos[i] = System.nanoTime() - t0;
            if (a == Long.MIN_VALUE) {
                missing++;
            }
            hash = hash * 31 + a;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(nanos);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ops", ops);
        r.put("warmupOps", warmup);
        r.put("opsPerSec", ops / seconds);
        r.put("p50Us", nanos[(int) Math.min(ops - 1, Math.round(0.50 * (ops - 1)))] / 1e3);
        r.put("p99Us", nanos[(int) Math.min(ops - 1, Math.round(0.99 * (ops - 1)))] / 1e3);
        r.put("answersHash", Long.toHexString(hash));
        r.put("emptyAnswers", missing);
        r.put("loadAverageBefore", loadBefore);
        r.put("loadAverageAfter", loadAverage());
        return r;
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
