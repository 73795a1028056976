package io.stemedb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpServer;
import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.HttpSyncTransport;
import io.stemedb.merkle.SyncHttpHandler;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Change;
import io.stemedb.model.EncodedAssertion;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Merkle sync benchmark: two durable (RocksDB) replicas that share n assertions, then for each
 * d, d fresh assertions that one side lacks (split half and half between the sides, or all on the
 * responder's side), and one {@link StemeDB#syncWith} session from the first replica. Reports the
 * session's reconciliation rounds and round trips, the bytes on the wire both ways (counted on the
 * encoded messages by a wrapping transport), those bytes divided by the bytes of the d assertions
 * that had to move, the protocol overhead (wire bytes minus those assertions' bytes) and the time.
 * Every session is checked by a second one, which must find the replicas equal in one round; its
 * time is that of an anti-entropy session between equal replicas with warm bucket digests.
 *
 * <p>The shared set is built once per n and reused for every d: after a session the two replicas
 * are equal again, so the next d is just more fresh assertions (the shared set grows by the
 * previous differences; each row states the shared size it ran at). Optionally one more session
 * over HTTP on loopback with HMAC authentication, for d = 1,000 at the largest n.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar sync [--n 10k --n 100k --n 1M] [--d 0,10,1000,100000]
 *     [--dir /tmp/x] [--out sync.json] [--md sync.md] [--no-http] [--seed 42]
 * </pre>
 * Not thread-safe; one run per process.
 */
public final class SyncBench {
    static final String USAGE = "usage: benchmarks.jar sync [--n 10k --n 100k --n 1M] [--d 0,10,1000,100000]"
            + " [--dir DIR] [--out FILE.json] [--md FILE.md] [--no-http] [--seed 42]";
    private static final int BATCH = 1000;
    private static final int PAGE = 10_000;
    private static final long FRESH_SPACE = 1L << 40;

    private final PrintStream log;
    private final long seed;
    /** The source of fresh assertions: a workload far larger than any run, read from an advancing offset. */
    private final Workload fresh;
    private long freshNext;

    private SyncBench(PrintStream log, long seed) {
        this.log = log;
        this.seed = seed;
        this.fresh = new Workload(FRESH_SPACE, seed + 1);
    }

    /** One replica with a cursor into its change feed, so that the bytes of new assertions can be summed. */
    private static final class Replica implements AutoCloseable {
        final StemeDB db;
        long cursor;

        Replica(StemeDB db) {
            this.db = db;
        }

        /** The total encoded size of the assertions that arrived since the last call. */
        long drainBytes() {
            long bytes = 0;
            while (true) {
                List<Change> page = db.changesSince(cursor, PAGE);
                if (page.isEmpty()) {
                    return bytes;
                }
                for (Change c : page) {
                    bytes += c.assertion().canonicalBytes().length;
                }
                cursor = page.get(page.size() - 1).sequence();
            }
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /** Counts the round trips and the bytes of the encoded messages that pass through. */
    static final class MeteredTransport implements SyncTransport {
        private final SyncTransport inner;
        int exchanges;
        long sent;
        long received;

        MeteredTransport(SyncTransport inner) {
            this.inner = inner;
        }

        @Override
        public byte[] exchange(byte[] request) {
            exchanges++;
            sent += request.length;
            byte[] reply = inner.exchange(request);
            received += reply.length;
            return reply;
        }
    }

    public static void run(String[] args, PrintStream out) throws Exception {
        List<Long> ns = new ArrayList<>();
        List<Long> ds = new ArrayList<>();
        Path dir = null;
        Path json = Path.of("sync-bench.json");
        Path md = Path.of("sync-bench.md");
        boolean http = true;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--n":
                    ns.add(Harness.Options.parseCount(Harness.Options.value(args, ++i, a)));
                    break;
                case "--d":
                    for (String d : Harness.Options.value(args, ++i, a).split(",")) {
                        ds.add(Harness.Options.parseCount(d));
                    }
                    break;
                case "--dir":
                    dir = Path.of(Harness.Options.value(args, ++i, a));
                    break;
                case "--out":
                    json = Path.of(Harness.Options.value(args, ++i, a));
                    break;
                case "--md":
                    md = Path.of(Harness.Options.value(args, ++i, a));
                    break;
                case "--no-http":
                    http = false;
                    break;
                case "--seed":
                    seed = Long.parseLong(Harness.Options.value(args, ++i, a));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (ns.isEmpty()) {
            ns = List.of(10_000L, 100_000L, 1_000_000L);
        }
        if (ds.isEmpty()) {
            ds = List.of(0L, 10L, 1000L, 100_000L);
        }
        // The JDK HttpServer leaves Nagle's algorithm on unless told before its first use; with the
        // client's delayed ACKs that would add ~40 ms to every HTTP round trip (docs/operations.md).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path root = dir == null ? Files.createTempDirectory("stemedb-sync-bench") : Files.createDirectories(dir);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("started", Instant.now().toString());
        result.put("machine", Harness.machine(root));
        result.put("loadAverageAtStart", Harness.loadAverage());
        result.put("transport", "in-process (SyncTransport.inProcess), bytes counted on the encoded messages");
        result.put("limits", SyncLimits.DEFAULT.toString());
        List<Map<String, Object>> rows = new ArrayList<>();
        SyncBench bench = new SyncBench(out, seed);
        long maxN = ns.stream().mapToLong(Long::longValue).max().orElseThrow();
        for (long n : ns) {
            Path runDir = root.resolve("n" + n);
            try {
                rows.addAll(bench.runOne(n, ds, runDir, http && n == maxN));
            } finally {
                Directories.deleteTree(runDir);
            }
        }
        if (dir == null) {
            Directories.deleteTree(root);
        }
        result.put("loadAverageAtEnd", Harness.loadAverage());
        result.put("rows", rows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), result);
        String table = table(rows);
        Files.writeString(md, table, StandardCharsets.UTF_8);
        out.println();
        out.print(table);
        out.println("JSON: " + json.toAbsolutePath() + "; markdown: " + md.toAbsolutePath());
    }

    private static StemeDB open(Path dir, long nodeId) {
        return StemeDB.builder().nodeId(nodeId).durability(Durability.syncEvery(Duration.ofSeconds(1))).open(dir);
    }

    private List<Map<String, Object>> runOne(long n, List<Long> ds, Path dir, boolean http) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Replica a = new Replica(open(dir.resolve("a"), 1)); Replica b = new Replica(open(dir.resolve("b"), 2))) {
            long start = System.nanoTime();
            Workload base = new Workload(Math.max(10, n), seed);
            for (long from = 0; from < n; from += BATCH) {
                long f = from;
                a.db.write(batch -> base.fill(batch, f, Math.min(n, f + BATCH)));
            }
            long written = System.nanoTime();
            // The peer gets the very same assertions, as encoded records through the change feed.
            while (true) {
                List<Change> page = a.db.changesSince(a.cursor, PAGE);
                if (page.isEmpty()) {
                    break;
                }
                List<EncodedAssertion> records = new ArrayList<>(page.size());
                for (Change c : page) {
                    records.add(EncodedAssertion.of(c.assertion()));
                }
                b.db.mergeEncoded(records);
                a.cursor = page.get(page.size() - 1).sequence();
            }
            b.drainBytes();
            log.printf("n=%,d: wrote %,d in %.1f s, copied to the peer in %.1f s (load %s)%n", n, n,
                    (written - start) / 1e9, (System.nanoTime() - written) / 1e9, Harness.loadAverage());
            for (long d : ds) {
                for (String split : List.of("split", "one-sided")) {
                    if (d == 0 && split.equals("one-sided")) {
                        continue;
                    }
                    rows.add(session(a, b, n, d, split, "in-process", null));
                }
            }
            if (http && ds.contains(1000L)) {
                rows.add(session(a, b, n, 1000, "split", "http", dir));
            }
        }
        return rows;
    }

    private void addFresh(Replica r, long count) {
        for (long done = 0; done < count; done += BATCH) {
            long from = freshNext + done;
            long to = freshNext + Math.min(count, done + BATCH);
            r.db.write(batch -> fresh.fill(batch, from, to));
        }
        freshNext += count;
    }

    private Map<String, Object> session(Replica a, Replica b, long n, long d, String split, String transport, Path dir)
            throws IOException {
        long shared = a.db.stats().assertions();
        long onA = split.equals("split") ? d / 2 : 0;
        addFresh(a, onA);
        addFresh(b, d - onA);
        long moved = a.drainBytes() + b.drainBytes();
        MeteredTransport t;
        HttpServer server = null;
        ExecutorService executor = null;
        SyncReport report;
        SyncReport check;
        String load;
        try {
            if (transport.equals("http")) {
                ClusterAuth auth = ClusterAuth.withSecret("sync-benchmark-cluster-secret".getBytes(StandardCharsets.UTF_8),
                        Clock.systemUTC());
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                int frame = SyncLimits.DEFAULT.maxFrameBytes() * 2;
                server.createContext("/sync", new SyncHttpHandler(b.db.syncResponder(), auth, frame));
                executor = Executors.newFixedThreadPool(2);
                server.setExecutor(executor);
                server.start();
                URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/sync");
                t = new MeteredTransport(new HttpSyncTransport(uri, auth, Duration.ofSeconds(60), frame));
            } else {
                t = new MeteredTransport(SyncTransport.inProcess(b.db.syncResponder()));
            }
            load = Harness.loadAverage();
            long start = System.nanoTime();
            report = a.db.syncWith(t);
            long nanos = System.nanoTime() - start;
            MeteredTransport again = new MeteredTransport(SyncTransport.inProcess(b.db.syncResponder()));
            long checkStart = System.nanoTime();
            check = a.db.syncWith(again);
            long checkNanos = System.nanoTime() - checkStart;
            if (!check.wasInSync() || check.reconcileRounds() != 1 || a.db.stats().assertions() != b.db.stats().assertions()) {
                throw new IllegalStateException("the replicas did not converge at n=" + n + ", d=" + d + ": " + report
                        + " then " + check);
            }
            a.drainBytes();
            b.drainBytes();
            long wire = t.sent + t.received;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("n", n);
            row.put("shared", shared);
            row.put("d", d);
            row.put("split", split);
            row.put("transport", transport);
            row.put("reconcileRounds", report.reconcileRounds());
            row.put("roundTrips", t.exchanges);
            row.put("bytesSent", t.sent);
            row.put("bytesReceived", t.received);
            row.put("wireBytes", wire);
            row.put("assertionBytes", moved);
            row.put("wireOverAssertionBytes", moved == 0 ? null : (double) wire / moved);
            row.put("overheadBytes", wire - moved);
            row.put("overheadBytesPerDifference", d == 0 ? null : (double) (wire - moved) / d);
            long bound = targetBytes(moved, d, shared);
            row.put("targetBytes", bound);
            row.put("withinTarget", wire <= bound);
            row.put("fetched", report.fetched());
            row.put("pushed", report.pushed());
            row.put("millis", nanos / 1e6);
            row.put("loadAverage", load);
            row.put("checkSessionBytes", again.sent + again.received);
            row.put("checkSessionMillis", checkNanos / 1e6);
            log.printf("n=%,d shared=%,d d=%,d %s %s: %d rounds, %d round trips, %,d B wire (%,d B assertions), %.1f ms%n",
                    n, shared, d, split, transport, report.reconcileRounds(), t.exchanges, wire, moved, nanos / 1e6);
            return row;
        } finally {
            if (server != null) {
                server.stop(0);
            }
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    /**
     * The byte target read literally: twice the bytes of the d assertions that moved, plus
     * O(d log n) for the fingerprints, its constant taken as one message of 16 fingerprints (16
     * bytes and a count each, 20 bytes with its framing) per difference per level of the 16-ary
     * tree, plus the 16 fingerprints of the opening request.
     */
    static long targetBytes(long assertionBytes, long d, long n) {
        int levels = (int) Math.ceil(Math.log(Math.max(2, n)) / Math.log(16));
        return 2 * assertionBytes + (d * levels + 1) * 16 * 20;
    }

    /** The rows as a markdown table (the one in docs/benchmarks.md, "Merkle sync"). */
    static String table(List<Map<String, Object>> rows) {
        StringBuilder s = new StringBuilder();
        s.append("| n | shared | d | split | transport | rounds | round trips | bytes sent | bytes received | "
                + "d assertions' bytes | wire / assertions | overhead per difference | within target | time (ms) | "
                + "equal-check (ms) | load (1/5/15 min) |\n");
        s.append("|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n");
        for (Map<String, Object> r : rows) {
            Object ratio = r.get("wireOverAssertionBytes");
            Object per = r.get("overheadBytesPerDifference");
            s.append(String.format("| %,d | %,d | %,d | %s | %s | %d | %d | %,d | %,d | %,d | %s | %s | %s | %,.1f | %,.1f | %s |%n",
                    (Long) r.get("n"), (Long) r.get("shared"), (Long) r.get("d"), r.get("split"), r.get("transport"),
                    (Integer) r.get("reconcileRounds"), (Integer) r.get("roundTrips"), (Long) r.get("bytesSent"),
                    (Long) r.get("bytesReceived"), (Long) r.get("assertionBytes"),
                    ratio == null ? "-" : String.format("%.2f", (Double) ratio),
                    per == null ? "-" : String.format("%,.0f B", (Double) per),
                    Boolean.TRUE.equals(r.get("withinTarget")) ? "yes" : "no", (Double) r.get("millis"),
                    (Double) r.get("checkSessionMillis"), r.get("loadAverage")));
        }
        return s.toString();
    }
}
