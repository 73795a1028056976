package io.stemedb.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code docs/benchmarks.md} from the compare command's summary: the machine, the systems
 * and data shapes, the figures (median and min-max of the runs), ratios to raw RocksDB and between
 * StemeDB and each peer, W5 over time, the answer checks, the systems or workloads that could not
 * run and why, and the headline ratios. The file is shared: everything from {@link #MARKER} on is
 * kept verbatim, and the marker is written at the end of the generated part if the file had none
 * (any earlier content then follows it, so nothing is lost). Stateless and thread-safe.
 */
final class CompareReport {
    static final String MARKER = "<!-- Sections below are written by hand or by other benchmark commands; the compare command keeps them -->";

    /** The throughput figures, in column order: key, column title. */
    static final List<String[]> THROUGHPUT = List.of(
            new String[] {"W1.claimsPerSec", "W1 ingest (warmed up), claims/s"},
            new String[] {"W1cold.claimsPerSec", "W1 cold (a fresh process's first ingest), claims/s"},
            new String[] {"W2.opsPerSec", "W2 current value, reads/s"},
            new String[] {"W2z.opsPerSec", "W2z current value, Zipfian, reads/s"},
            new String[] {"W3.opsPerSec", "W3 history, reads/s"},
            new String[] {"W4.trust.opsPerSec", "W4 trust, reads/s"},
            new String[] {"W4.majority.opsPerSec", "W4 majority, reads/s"},
            new String[] {"W2cold.opsPerSec", "W2 cold (first reads after reopen), reads/s"},
            new String[] {"W2mt.opsPerSec", "W2-mt (threads at once), reads/s"},
            new String[] {"W5.claimsPerSec", "W5 ingest at scale, claims/s"},
            new String[] {"W5.W2.opsPerSec", "W2 on W5's database, reads/s"});
    static final List<String> PEERS = List.of("sqlite", "sqlite-indexed", "h2", "xtdb", "datomic");
    static final String CEILING = "raw-rocksdb";

    private CompareReport() {}

    static void write(Map<String, Object> summary, List<Path> charts, Path report) throws IOException {
        String kept = null;
        if (Files.exists(report)) {
            String old = Files.readString(report, StandardCharsets.UTF_8);
            int at = old.indexOf(MARKER);
            kept = at >= 0 ? old.substring(at) : MARKER + "\n\n" + old;
        }
        String text = generate(summary, charts, report) + "\n" + (kept == null ? MARKER + "\n" : kept);
        Path parent = report.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(report, text, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Double median(Map<String, Object> system, String key) {
        Object f = ((Map<String, Object>) system.get("figures")).get(key);
        return f == null ? null : ((Number) ((Map<String, Object>) f).get("median")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static String cell(Map<String, Object> system, String key) {
        Object f = ((Map<String, Object>) system.get("figures")).get(key);
        if (f == null) {
            return "–";
        }
        Map<String, Object> m = (Map<String, Object>) f;
        List<Object> values = (List<Object>) m.get("values");
        String med = num(((Number) m.get("median")).doubleValue());
        return values.size() < 2 ? med : med + " (" + num(((Number) m.get("min")).doubleValue()) + "–"
                + num(((Number) m.get("max")).doubleValue()) + ")";
    }

    /** "at least 100,000 reads, for at least 2 s", as the settings of a run had it (older runs: a number of reads). */
    private static String timedReads(Map<String, Object> settings) {
        String reads = String.format("%,d", ((Number) settings.get("ops")).longValue()) + " reads";
        Object seconds = settings.get("timedSeconds");
        return seconds == null || ((Number) seconds).doubleValue() == 0 ? reads
                : "at least " + reads + ", for at least " + num(((Number) seconds).doubleValue()) + " s,";
    }

    static String num(double v) {
        double a = Math.abs(v);
        return a >= 100 ? String.format("%,.0f", v) : a >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }

    private static String ratio(Double a, Double b) {
        if (a == null || b == null || b == 0) {
            return "–";
        }
        double r = a / b;
        return r >= 10 ? String.format("%,.0fx", r) : String.format("%.2fx", r);
    }

    private static String percent(Double a, Double b) {
        return a == null || b == null || b == 0 ? "–" : String.format("%.0f%%", 100 * a / b);
    }

    @SuppressWarnings("unchecked")
    static String generate(Map<String, Object> summary, List<Path> charts, Path report) {
        Map<String, Object> machine = (Map<String, Object>) summary.get("machine");
        Map<String, Object> settings = (Map<String, Object>) summary.get("settings");
        Map<String, Object> systems = (Map<String, Object>) summary.get("systems");
        StringBuilder s = new StringBuilder();
        s.append("# Benchmarks: StemeDB against raw RocksDB, SQLite, H2, XTDB and Datomic\n\n");
        s.append("Generated by the `compare` command of the benchmarks jar (`benchmarks/src/main/java/io/stemedb/bench/compare/`); ")
                .append("do not edit above the marker line: the next run replaces it. Every system runs in a JVM of its own, one JVM per ")
                .append("run; each figure is the median of the runs with the spread (min–max) in brackets. Per-run JSON: `")
                .append(summary.getOrDefault("aggregatedFrom", settings.getOrDefault("results", "benchmarks/results/compare"))).append("`.\n\n");
        s.append("```\n").append(settings.get("command")).append("\n```\n\n");
        if (settings.get("note") != null) {
            s.append("**Note on this run:** ").append(settings.get("note")).append("\n\n");
        }
        s.append(String.format("Run %s → %s%s.%n%n", summary.get("started"), summary.get("finished"),
                Boolean.TRUE.equals(settings.get("quick")) ? " (**--quick**: tiny sizes, for the test; not a measurement)" : ""));

        s.append("## Machine\n\n| | |\n|---|---|\n");
        s.append("| processors (`nproc`) | ").append(machine.get("availableProcessors")).append(" (").append(machine.get("cpu")).append(") |\n");
        s.append("| memory | ").append(machine.get("memTotal")).append(" |\n");
        s.append("| OS | ").append(machine.get("os")).append(" |\n");
        s.append("| Java | ").append(machine.get("jvm")).append(", each peer JVM -Xmx").append(settings.get("heap"))
                .append(" (unless --quick: -Xms the same and -XX:+AlwaysPreTouch, the heap touched before the first workload)").append(" |\n");
        s.append("| disk | ").append(machine.get("disk")).append(" |\n");
        s.append("| load average (1, 5, 15 min) | at start ").append(machine.get("loadAverageAtStart")).append("; at end ")
                .append(machine.get("loadAverageAtEnd")).append(" (each run's JSON has it before and after every workload) |\n\n");
        s.append("The machine is shared: other work running at the same time slows every system, not equally, so compare ")
                .append("figures within one run of this report, not across reports.");
        int parallel = ((Number) settings.getOrDefault("parallel", 1)).intValue();
        if (parallel > 1) {
            s.append(" This run started ").append(parallel).append(" peer JVMs at a time (`--parallel ").append(parallel)
                    .append("`), so each system shared the machine with another one as well; W5 ran after every W1–W4 run.");
        }
        s.append("\n\n");

        s.append("## Systems\n\n| system | storage, durability and the query behind each workload | runs |\n|---|---|---|\n");
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            Map<String, Object> sys = (Map<String, Object>) e.getValue();
            s.append("| ").append(e.getKey()).append(" | ").append(String.valueOf(sys.getOrDefault("describe", "did not run")).replace("|", "\\|"))
                    .append(" | ").append(sys.get("runs")).append(" |\n");
        }
        s.append('\n');

        s.append("## Workloads and data shapes\n\n");
        s.append("- **W1 batched ingest**: ").append(settings.get("w1to3Data")).append("; batches of 1,000 claims, one atomic commit ")
                .append("each; claims/s over the whole ingest. Every system is given plain values (text or integer), subject, predicate, ")
                .append("source and the claim's index as its time (the SQL and Datalog systems store it; StemeDB stamps its own HLC, ")
                .append("in the same order).\n");
        s.append("- **W2 current-value point reads** on W1's data: ").append(timedReads(settings))
                .append(" of random (subject, predicate) pairs after a warm-up (see Method), one thread, each ")
                .append("timed (p50/p99 in µs); StemeDB's latest lens, the peers' obvious query (table above).\n");
        s.append("- **W2z current-value reads, Zipfian**: as W2, but the pairs are drawn with Zipfian popularity (theta 0.99, ")
                .append("YCSB's default request distribution; the most popular of the 100,000 pairs gets about 8% of the reads), the ")
                .append("popular pairs scattered over the key space by a hash. W2 measures reads of facts not read before; W2z, the ")
                .append("usual case of an application that reads some facts far more often than others. Run after W3. Each read workload ")
                .append("(and W4's trust and majority reads) draws its own random sequence, so none re-reads the pairs the one before it ")
                .append("just read.\n");
        s.append("- **W3 history** of a (subject, predicate) on W1's data (2 claims each), read like W2 but other random pairs.\n");
        s.append("- **W4 conflict-heavy**: ").append(settings.get("w4Data")).append(". Resolved by trust ranking and by majority ")
                .append("(StemeDB: `Lenses.trust(...)`, `Lenses.majority()`; SQLite/H2 in SQL; XTDB/Datomic in Java on their query), ")
                .append("read like W2 (trust and majority reads each draw their own pairs).\n");
        s.append("- **W5 scale**: ").append(settings.get("w5Data")).append("; StemeDB and raw RocksDB to n = ")
                .append(String.format("%,d", ((Number) settings.get("w5n")).longValue())).append(", the other systems to n = ")
                .append(String.format("%,d", ((Number) settings.get("w5PeerN")).longValue())).append(" (what fits the time); ")
                .append(settings.get("w5Runs")).append(" run(s).\n");
        s.append("- **W2 cold**: the first ").append(settings.get("coldOps")).append(" W2 reads (their own random pairs) right after the ")
                .append("durable systems close and reopen their W1 store, with no warm-up.\n");
        s.append("- **W2-mt**: W2 on ").append(settings.get("threads")).append(" threads at once, each system in its best configuration for ")
                .append("concurrent reads (StemeDB: the one database shared; SQLite and H2: a connection per thread, SQLite in WAL mode; ")
                .append("XTDB and Datomic: the one node or connection, whose database values are immutable), on the store W2 read, ")
                .append("before the cold reads reopen it.\n\n");
        s.append(method(settings, systems));

        s.append("## Throughput (median of the runs, min–max)\n\n| system |");
        THROUGHPUT.forEach(c -> s.append(' ').append(c[1]).append(" |"));
        s.append("\n|---|");
        THROUGHPUT.forEach(c -> s.append("---:|"));
        s.append('\n');
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            s.append("| ").append(e.getKey()).append(" |");
            for (String[] c : THROUGHPUT) {
                s.append(' ').append(cell((Map<String, Object>) e.getValue(), c[0])).append(" |");
            }
            s.append('\n');
        }
        s.append('\n');

        s.append("## Latency (median of the runs' p50 / p99, µs)\n\n| system |");
        for (String op : Compare.READS) {
            s.append(' ').append(op.replace('.', ' ')).append(" p50 | ").append(op.replace('.', ' ')).append(" p99 |");
        }
        s.append("\n|---|").append("---:|---:|".repeat(Compare.READS.size())).append('\n');
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            Map<String, Object> sys = (Map<String, Object>) e.getValue();
            s.append("| ").append(e.getKey()).append(" |");
            for (String op : Compare.READS) {
                for (String p : new String[] {"p50Us", "p99Us"}) {
                    Double v = median(sys, op + "." + p);
                    s.append(' ').append(v == null ? "–" : num(v)).append(" |");
                }
            }
            s.append('\n');
        }
        s.append('\n');

        Map<String, Object> ceiling = (Map<String, Object>) systems.get(CEILING);
        if (ceiling != null) {
            s.append("## Each system as a percentage of raw RocksDB (the ceiling)\n\n")
                    .append("Raw RocksDB writes the same entries, key and value sizes as StemeDB's engine with no hashing, encoding or ")
                    .append("logic, and reads a fact with a point get. It has no values, so W4 does not apply to it.\n\n| system |");
            THROUGHPUT.forEach(c -> s.append(' ').append(c[1]).append(" |"));
            s.append("\n|---|");
            THROUGHPUT.forEach(c -> s.append("---:|"));
            s.append('\n');
            for (Map.Entry<String, Object> e : systems.entrySet()) {
                if (e.getKey().equals(CEILING)) {
                    continue;
                }
                s.append("| ").append(e.getKey()).append(" |");
                for (String[] c : THROUGHPUT) {
                    s.append(' ').append(percent(median((Map<String, Object>) e.getValue(), c[0]), median(ceiling, c[0]))).append(" |");
                }
                s.append('\n');
            }
            s.append('\n');
        }

        for (String steme : new String[] {"stemedb", "stemedb-memory"}) {
            Map<String, Object> st = (Map<String, Object>) systems.get(steme);
            if (st == null) {
                continue;
            }
            s.append("## ").append(steme).append(" throughput as a multiple of each system's\n\n")
                    .append("Above 1 means ").append(steme).append(" is faster.\n\n| versus |");
            THROUGHPUT.forEach(c -> s.append(' ').append(c[1]).append(" |"));
            s.append("\n|---|");
            THROUGHPUT.forEach(c -> s.append("---:|"));
            s.append('\n');
            for (Map.Entry<String, Object> e : systems.entrySet()) {
                if (e.getKey().equals(steme)) {
                    continue;
                }
                s.append("| ").append(e.getKey()).append(" |");
                for (String[] c : THROUGHPUT) {
                    s.append(' ').append(ratio(median(st, c[0]), median((Map<String, Object>) e.getValue(), c[0]))).append(" |");
                }
                s.append('\n');
            }
            s.append('\n');
        }

        s.append(scaling(systems));

        s.append("## W5: ingest throughput over time and reopen\n\n")
                .append("Claims/s in each 10% of n (first W5 run); reopen = close, then open and the first W2 read; then W2 on that ")
                .append("database.\n\n")
                .append("| system | n | ingest s | claims/s overall | claims/s per 10% of n | close ms | reopen to first read ms ")
                .append("| W2 reads/s | W2 p50 µs |\n")
                .append("|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            List<Map<String, Object>> w5 = (List<Map<String, Object>>) ((Map<String, Object>) e.getValue()).get("w5Runs");
            if (w5 == null || w5.isEmpty()) {
                continue;
            }
            Map<String, Object> first = w5.get(0);
            List<String> windows = new ArrayList<>();
            for (Map<String, Object> sample : (List<Map<String, Object>>) first.get("samples")) {
                windows.add(num(((Number) sample.get("windowClaimsPerSec")).doubleValue()));
            }
            Map<String, Object> reads = (Map<String, Object>) first.get("W2");
            s.append("| ").append(e.getKey()).append(" | ").append(String.format("%,d", ((Number) first.get("claims")).longValue()))
                    .append(" | ").append(num(((Number) first.get("seconds")).doubleValue()))
                    .append(" | ").append(num(((Number) first.get("claimsPerSec")).doubleValue())).append(" | ")
                    .append(String.join(", ", windows)).append(" | ")
                    .append(first.containsKey("closeMs") ? num(((Number) first.get("closeMs")).doubleValue()) : "in memory").append(" | ")
                    .append(first.containsKey("reopenToFirstReadMs") ? num(((Number) first.get("reopenToFirstReadMs")).doubleValue())
                            : "in memory").append(" | ")
                    .append(reads == null ? "–" : num(((Number) reads.get("opsPerSec")).doubleValue())).append(" | ")
                    .append(reads == null ? "–" : num(((Number) reads.get("p50Us")).doubleValue())).append(" |\n");
        }
        s.append('\n');

        s.append("## Charts\n\n");
        Path base = report.toAbsolutePath().getParent();
        for (Path chart : charts) {
            String rel = base == null ? chart.toString() : base.relativize(chart.toAbsolutePath()).toString().replace('\\', '/');
            s.append("![").append(chart.getFileName()).append("](").append(rel).append(")\n\n");
        }

        s.append("## Answer checks\n\n")
                .append("Every run hashes the answers to its reads (the same pairs in the same order on every system). Systems that ")
                .append("answer with values must agree with StemeDB; raw RocksDB answers with entry counts, so only its W3 is compared; ")
                .append("W2 on W5's database is compared among the systems loaded to StemeDB's n.\n\n");
        s.append(answerChecks(systems)).append('\n');

        s.append("## Systems or workloads that did not run\n\n");
        boolean none = true;
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            Map<String, Object> sys = (Map<String, Object>) e.getValue();
            for (Map.Entry<String, Object> u : ((Map<String, Object>) sys.get("unsupported")).entrySet()) {
                s.append("- ").append(e.getKey()).append(", ").append(u.getKey()).append(": ").append(u.getValue()).append('\n');
                none = false;
            }
            if (((Number) sys.get("runs")).intValue() == 0 && ((List<Object>) sys.get("failures")).isEmpty()) {
                s.append("- ").append(e.getKey()).append(": no results in this run's files\n");
                none = false;
            }
            for (Object f : (List<Object>) sys.get("failures")) {
                s.append("- ").append(e.getKey()).append(" unavailable: ").append(String.valueOf(f).replace("|", "\\|")).append('\n');
                none = false;
            }
        }
        if (none) {
            s.append("None: every system ran every workload.\n");
        }
        s.append('\n');

        s.append("## Headline\n\n").append(headline(systems)).append('\n');
        return s.toString();
    }

    /** How the reads were measured: the warm-up rule and what it took, the cold reads, the threads. */
    @SuppressWarnings("unchecked")
    static String method(Map<String, Object> settings, Map<String, Object> systems) {
        StringBuilder s = new StringBuilder("## Method\n\n");
        if (settings.get("ingestWarmups") != null) {
            s.append("W1 is timed warmed up too: first the same claims are ingested into scratch databases (each opened, filled, ")
                    .append("closed and deleted) until two ingests in a row agree within ")
                    .append(Math.round(100 * ((Number) settings.get("warmupTolerance")).doubleValue()))
                    .append("% (at most ").append(settings.get("ingestWarmups")).append(", none started after ")
                    .append(Math.round(PeerRunner.INGEST_WARMUP_SECONDS)).append(" s), then W1 is timed on the database the ")
                    .append("reads use. The first of those ingests, a fresh process's first, is the **W1 cold** column: a JVM ")
                    .append("compiles the ingest path while it runs. ");
        }
        s.append("Every timed read workload warms up first, until the system's throughput has settled: at least ")
                .append(String.format("%,d", ((Number) settings.get("warmupOps")).longValue())).append(" reads, and until two successive ")
                .append("windows of ").append(String.format("%,d", ((Number) settings.get("warmupWindow")).longValue()))
                .append(" reads (or as many reads as the workload has pairs, if more, so that a cache still filling shows as a ")
                .append("trend from window to window) agree within ").append(Math.round(100 * ((Number) settings.get("warmupTolerance")).doubleValue()))
                .append("%, whichever comes later (a warm-up still unsettled after ").append(settings.get("warmupMaxSeconds"))
                .append(" s stops there and is marked \"not settled\" below). Then ").append(timedReads(settings))
                .append(" are timed one by one (one thread; W2-mt: as many per thread, all threads started together after each ")
                .append("warmed up, throughput over the time until the last one finished; a timed window of a fixed least duration, ")
                .append("because a system reading a million times a second reads 100,000 times in a tenth of a second, which one ")
                .append("garbage collection can double). **Cold** is measured apart: the first ")
                .append(settings.get("coldOps")).append(" reads after a close and reopen, with no warm-up; the JVM's code is warm by then, ")
                .append("the system's own caches are not, and the OS page cache was ");
        Map<String, List<String>> cache = new LinkedHashMap<>();
        systems.forEach((name, sys) -> {
            Object c = ((Map<String, Object>) sys).get("coldPageCache");
            if (c != null) {
                cache.computeIfAbsent(String.valueOf(c), k -> new ArrayList<>()).add(name);
            }
        });
        if (cache.isEmpty()) {
            s.append("not involved (no system read cold).");
        } else {
            List<String> parts = new ArrayList<>();
            cache.forEach((how, names) -> parts.add(how + " (" + String.join(", ", names) + ")"));
            s.append(String.join("; ", parts)).append('.');
        }
        s.append("\n\nWarm-up each run took (W1: scratch ingests; reads: per read workload):\n\n| system | warm-up per run |\n|---|---|\n");
        systems.forEach((name, sys) -> {
            List<Map<String, Object>> runs = (List<Map<String, Object>>) ((Map<String, Object>) sys).get("warmups");
            List<String> cells = new ArrayList<>();
            if (runs != null) {
                for (Map<String, Object> run : runs) {
                    if (!run.isEmpty()) {
                        List<String> items = new ArrayList<>();
                        run.forEach((read, ops) -> items.add(read + " " + ops));
                        cells.add(String.join(", ", items));
                    }
                }
            }
            s.append("| ").append(name).append(" | ").append(cells.isEmpty() ? "–" : String.join("; ", cells)).append(" |\n");
        });
        return s.append('\n').toString();
    }

    /** W2-mt against W2 on one thread, per system: how reads scale on threads. */
    @SuppressWarnings("unchecked")
    static String scaling(Map<String, Object> systems) {
        StringBuilder s = new StringBuilder("## Reads on several threads\n\nW2-mt throughput as a multiple of the same system's W2 on ")
                .append("one thread (the number of threads would be perfect scaling; the machine's cores bound it).\n\n")
                .append("| system | W2, reads/s | W2-mt, reads/s | W2-mt ÷ W2 |\n|---|---:|---:|---:|\n");
        systems.forEach((name, sys) -> {
            Map<String, Object> m = (Map<String, Object>) sys;
            Double one = median(m, "W2.opsPerSec");
            Double many = median(m, "W2mt.opsPerSec");
            s.append("| ").append(name).append(" | ").append(one == null ? "–" : num(one)).append(" | ")
                    .append(many == null ? "–" : num(many)).append(" | ").append(ratio(many, one)).append(" |\n");
        });
        return s.append('\n').toString();
    }

    /** One line per read: which systems' answer hashes agree with StemeDB's (or with the first system's). */
    @SuppressWarnings("unchecked")
    static String answerChecks(Map<String, Object> systems) {
        StringBuilder s = new StringBuilder("| read | agree | differ |\n|---|---|---|\n");
        Object stemedbN = systems.containsKey("stemedb") ? ((Map<String, Object>) systems.get("stemedb")).get("w5n") : null;
        for (String op : Compare.READS) {
            Map<String, List<String>> byHash = new TreeMap<>();
            String reference = null;
            for (Map.Entry<String, Object> e : systems.entrySet()) {
                Map<String, Object> sys = (Map<String, Object>) e.getValue();
                Object h = ((Map<String, Object>) sys.get("answers")).get(op);
                boolean values = !Boolean.FALSE.equals(sys.get("answersValues"));
                // W2 on W5's database compares only systems loaded to StemeDB's size: the others hold other data
                boolean sameData = !op.equals("W5.W2") || stemedbN == null || String.valueOf(stemedbN).equals(String.valueOf(sys.get("w5n")));
                if (h == null || (!values && !op.equals("W3")) || !sameData) {
                    continue;
                }
                long empty = ((Number) ((Map<String, Object>) sys.get("answers")).getOrDefault(op + ".emptyAnswers", 0)).longValue();
                String label = e.getKey() + (empty > 0 ? " (" + empty + " empty answers)" : "");
                byHash.computeIfAbsent(String.valueOf(h), k -> new ArrayList<>()).add(label);
                if (reference == null || e.getKey().equals("stemedb")) {
                    reference = String.valueOf(h);
                }
            }
            List<String> differ = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : byHash.entrySet()) {
                if (!e.getKey().equals(reference)) {
                    differ.addAll(e.getValue());
                }
            }
            s.append("| ").append(op).append(" | ").append(reference == null ? "–" : String.join(", ", byHash.get(reference)))
                    .append(" | ").append(differ.isEmpty() ? "none" : String.join(", ", differ)).append(" |\n");
        }
        return s.toString();
    }

    /** StemeDB (RocksDB) as % of the ceiling and as a multiple of the best peer, per workload. */
    @SuppressWarnings("unchecked")
    static String headline(Map<String, Object> systems) {
        Map<String, Object> st = (Map<String, Object>) systems.get("stemedb");
        if (st == null) {
            return "StemeDB did not run.\n";
        }
        Map<String, Object> ceiling = (Map<String, Object>) systems.get(CEILING);
        StringBuilder s = new StringBuilder("| workload | stemedb | % of raw RocksDB | best peer | stemedb ÷ best peer |\n")
                .append("|---|---:|---:|---|---:|\n");
        Map<String, String> bestNames = new LinkedHashMap<>();
        for (String[] c : THROUGHPUT) {
            Double mine = median(st, c[0]);
            String best = null;
            Double bestValue = null;
            for (String peer : PEERS) {
                Map<String, Object> p = (Map<String, Object>) systems.get(peer);
                Double v = p == null ? null : median(p, c[0]);
                if (v != null && (bestValue == null || v > bestValue)) {
                    best = peer;
                    bestValue = v;
                }
            }
            bestNames.put(c[0], best);
            s.append("| ").append(c[1]).append(" | ").append(mine == null ? "–" : num(mine)).append(" | ")
                    .append(ceiling == null ? "–" : percent(mine, median(ceiling, c[0]))).append(" | ")
                    .append(best == null ? "–" : best + " " + num(bestValue)).append(" | ").append(ratio(mine, bestValue)).append(" |\n");
        }
        s.append("\nPeers are SQLite, H2, XTDB and Datomic (Datomic runs in memory: compare it with stemedb-memory too). W5 compares ")
                .append("different n when the peers stop short of StemeDB's n (see the W5 table).\n");
        return s.toString();
    }
}
