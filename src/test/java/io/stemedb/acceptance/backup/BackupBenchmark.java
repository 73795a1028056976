package io.stemedb.acceptance.backup;

import io.stemedb.Durability;
import io.stemedb.ExportOptions;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Value;
import io.stemedb.BackupInfo;
import io.stemedb.VerifyReport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Backup, restore, export and import at scale: run by hand, never by the test build (surefire
 * runs only *Test, *Tests and *Properties classes).
 *
 * <pre>
 * mvn -B -q -pl src/test -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
 *     -Dmdep.outputFile=target/bench.classpath
 * java -Xmx2g -cp "src/test/target/test-classes:$(cat src/test/target/bench.classpath)" \
 *     io.stemedb.acceptance.backup.BackupBenchmark --n 1000000
 * </pre>
 *
 * The reactor build (from the repository root) puts each module's {@code target/classes} on the
 * class path, so nothing is installed into the shared Maven repository.
 *
 * Options: {@code --n} assertions to load (default 1,000,000); {@code --dir} where to work (default
 * a new temporary directory, deleted at the end unless {@code --keep}); {@code --batch} assertions
 * per load commit (default 1000); {@code --verify-cache-mib} the block cache of the restored
 * database that is opened and verified (default 64, the default of every database).
 *
 * <p>The load phase uses {@link Durability#syncEvery} (one fsync a second) to save time; it is
 * setup, not what is measured. Imports run with the same setting. It prints each step's wall time
 * and the process's CPU time (all threads, RocksDB's included), so that runs on a shared machine
 * can be compared. Figures and the machine they were measured on: docs/operations.md, "Figures:
 * 1,000,000 assertions".
 */
public final class BackupBenchmark {
    private static final String[] SOURCES = {"hr", "crm", "web", "registry", "audit", "partner-feed", "ml-extractor", "manual"};
    private static final String[] PREDICATES = {"name", "ceo", "employees", "founded", "hq", "revenue", "industry",
        "website", "rating", "parent", "ticker", "status"};

    private final List<String[]> rows = new ArrayList<>();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** Process CPU time (all threads, RocksDB's native ones included) when the current step began. */
    private long cpuStart;

    private long start() {
        cpuStart = OS.getProcessCpuTime();
        return System.nanoTime();
    }

    public static void main(String[] args) throws Exception {
        int n = 1_000_000;
        int batchSize = 1000;
        Path dir = null;
        boolean keep = false;
        long verifyCacheMib = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--verify-cache-mib" -> verifyCacheMib = Long.parseLong(args[++i]);
                case "--n" -> n = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                case "--batch" -> batchSize = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --n N, --batch B, --dir D, --keep, --verify-cache-mib M");
            }
        }
        if (dir == null) {
            dir = Files.createTempDirectory("stemedb-backup-bench");
        } else {
            Files.createDirectories(dir);
        }
        try {
            new BackupBenchmark().run(n, batchSize, dir, verifyCacheMib);
        } finally {
            if (!keep) {
                deleteTree(dir);
            }
        }
    }

    private void run(int n, int batchSize, Path dir, long verifyCacheMib) throws Exception {
        System.out.printf(Locale.ROOT, "StemeDB backup benchmark: %,d assertions, in %s%n", n, dir);
        System.out.printf(Locale.ROOT, "machine: %d processors, %s RAM, Java %s, %s %s; max heap %,d MiB%n",
                Runtime.getRuntime().availableProcessors(), memory(), System.getProperty("java.version"),
                System.getProperty("os.name"), System.getProperty("os.arch"), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf(Locale.ROOT, "load average at the start: %.1f%n", OS.getSystemLoadAverage());
        Path dbDir = dir.resolve("db");
        Path backups = dir.resolve("backups");
        Durability fast = Durability.syncEvery(Duration.ofSeconds(1));
        Random rnd = new Random(42);

        try (StemeDB db = StemeDB.builder().durability(fast).open(dbDir)) {
            long t0 = start();
            load(db, rnd, 0, n, batchSize);
            long loadNs = System.nanoTime() - t0;
            row("load (setup; syncEvery 1 s)", loadNs, n, "");
            t0 = start();
            db.compact();
            row("compact", System.nanoTime() - t0, -1, "");
            long sst = Long.parseLong(db.stats().engineProperties().get("total-sst-files-size"));
            info("database size (total-sst-files-size after compact)", sst);

            t0 = start();
            BackupInfo full = db.backup(backups, 2);
            long fullNs = System.nanoTime() - t0;
            long fullBytes = sizeOf(backups);
            row("full backup", fullNs, n, mib(fullBytes) + " in the backup directory, " + full.files() + " files");

            int more = Math.max(1, n / 100);
            t0 = start();
            load(db, rnd, n, n + more, batchSize);
            row("1% more writes (setup)", System.nanoTime() - t0, more, "");
            t0 = start();
            BackupInfo incremental = db.backup(backups, 2);
            long incNs = System.nanoTime() - t0;
            long grew = sizeOf(backups) - fullBytes;
            row("incremental backup after 1% more", incNs, more, mib(grew) + " added to the backup directory ("
                    + String.format(Locale.ROOT, "%.1f%%", 100.0 * grew / fullBytes) + " of the first backup), backup "
                    + incremental.id());

            for (boolean compress : new boolean[] {true, false}) {
                Path file = dir.resolve(compress ? "all.stma.z" : "all.stma");
                t0 = start();
                ArchiveSummary s = db.exportArchive(file, ExportOptions.ALL.compressed(compress), ProgressListener.NONE);
                row("export " + (compress ? "compressed" : "uncompressed"), System.nanoTime() - t0, s.count(),
                        mib(s.bytes()) + String.format(Locale.ROOT, " archive, %.2f x the database size", (double) s.bytes() / sst));
                t0 = start();
                StemeDB.verifyArchive(file, ProgressListener.NONE);
                row("verify archive " + (compress ? "compressed" : "uncompressed"), System.nanoTime() - t0, s.count(), "");
            }
        }

        Path restored = dir.resolve("restored");
        long t0 = start();
        StemeDB.restoreBackup(backups, null, restored);
        long restoreNs = System.nanoTime() - t0;
        row("restore newest backup", restoreNs, n + n / 100, "");
        t0 = start();
        try (StemeDB db = StemeDB.builder().blockCacheBytes(verifyCacheMib << 20).open(restored)) {
            long openNs = System.nanoTime() - t0;
            row("open restored database", openNs, -1, db.stats().assertions() + " assertions, block cache "
                    + verifyCacheMib + " MiB");
            long t1 = start();
            VerifyReport report = db.verify();
            long verifyNs = System.nanoTime() - t1;
            row("verify restored database", verifyNs, report.assertionsChecked(), report.ok() ? "ok" : "PROBLEMS: " + report.problems());
            cpuStart = -1;
            row("restore + open (the RTO)", restoreNs + openNs, -1, "");
            cpuStart = -1;
            row("restore + open + verify", restoreNs + openNs + verifyNs, -1, "");
            if (!report.ok() || db.stats().assertions() != n + n / 100) {
                throw new IllegalStateException("the restored database is not right: " + db.stats() + " " + report);
            }
        }
        deleteTree(restored);

        for (boolean compress : new boolean[] {true, false}) {
            Path file = dir.resolve(compress ? "all.stma.z" : "all.stma");
            Path target = dir.resolve("imported-" + compress);
            try (StemeDB db = StemeDB.builder().durability(Durability.syncEvery(Duration.ofSeconds(1))).open(target)) {
                t0 = start();
                MergeResult r = db.importArchive(file, ProgressListener.NONE);
                row("import " + (compress ? "compressed" : "uncompressed") + " into an empty database", System.nanoTime() - t0,
                        r.added(), r.rejected().isEmpty() ? "" : r.rejected().size() + " rejected");
            }
            deleteTree(target);
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "load average at the end: %.1f on %d processors%n", OS.getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        System.out.println("| step | wall time | process CPU | assertions/s (wall) | notes |");
        System.out.println("|---|---:|---:|---:|---|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static void load(StemeDB db, Random rnd, int from, int to, int batchSize) {
        Instant validBase = Instant.parse("2020-01-01T00:00:00Z");
        for (int start = from; start < to; start += batchSize) {
            int end = Math.min(to, start + batchSize);
            int first = start;
            db.write(batch -> {
                for (int i = first; i < end; i++) {
                    String subject = "company-" + (i / 7);
                    String predicate = PREDICATES[i % PREDICATES.length];
                    Value v = switch (i % 5) {
                        case 0 -> Value.integer(rnd.nextInt(1_000_000));
                        case 1 -> Value.text("a text value of moderate length, number " + rnd.nextInt(100_000));
                        case 2 -> Value.real(rnd.nextInt(100_000) / 100.0);
                        case 3 -> Value.ref("company-" + rnd.nextInt(Math.max(1, i / 7 + 1)));
                        default -> Value.bool(rnd.nextBoolean());
                    };
                    var draft = batch.assertion(subject, predicate, v).source(SOURCES[rnd.nextInt(SOURCES.length)]);
                    if (i % 3 == 0) {
                        draft.confidence(rnd.nextInt(101) / 100.0);
                    }
                    if (i % 11 == 0) {
                        draft.validFrom(validBase.plusSeconds(rnd.nextInt(100_000_000)));
                    }
                    if (i % 13 == 0) {
                        draft.metadata("ingest", "run-" + (i / 100_000));
                    }
                }
            });
        }
    }

    private void row(String step, long nanos, long items, String notes) {
        double s = nanos / 1e9;
        String rate = items > 0 ? String.format(Locale.ROOT, "%,.0f", items / s) : "";
        String time = String.format(Locale.ROOT, "%.2f s", s);
        String cpu = cpuStart < 0 ? "" : String.format(Locale.ROOT, "%.2f s", (OS.getProcessCpuTime() - cpuStart) / 1e9);
        cpuStart = -1;
        rows.add(new String[] {step, time, cpu, rate, notes});
        System.out.printf(Locale.ROOT, "%-50s %10s %10s %14s  %s  (load average %.1f)%n", step, time, cpu, rate, notes,
                OS.getSystemLoadAverage());
    }

    private void info(String what, long bytes) {
        rows.add(new String[] {what, "", "", "", mib(bytes)});
        System.out.printf(Locale.ROOT, "%-50s %s%n", what, mib(bytes));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String memory() {
        try {
            long bytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            return String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
        } catch (RuntimeException | LinkageError e) {
            return "unknown";
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
