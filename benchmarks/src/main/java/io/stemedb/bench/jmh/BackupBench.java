package io.stemedb.bench.jmh;

import io.stemedb.ExportOptions;
import io.stemedb.MergeResult;
import io.stemedb.bench.Workload;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.BackupInfo;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Backup and archive costs.
 * <ul>
 *   <li>{@link #backupIncremental}: {@code db.backup(dir, 2)} of the RocksDB
 *       {@linkplain Fixture#loadStandard standard data set} (100,000 claims, compacted, fully
 *       backed up once in setup) after 10 new claims committed before each backup: RocksDB's
 *       BackupEngine copies the files not already in the backup directory (the WAL, new table
 *       files) and drops the oldest backup beyond two. Milliseconds per backup.</li>
 *   <li>{@link #exportArchive} and {@link #importArchive}: a portable archive (compressed) of a
 *       small database, the first {@value #ARCHIVE_N} claims of the {@link Workload}: export
 *       (including the archive's fsync and read-back checksum) and import into an empty database
 *       (verification, re-hashing, merge). Claims per second.</li>
 * </ul>
 */
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class BackupBench {
    static final int ARCHIVE_N = 10_000;
    private static final int WRITES_PER_BACKUP = 10;

    /** The RocksDB standard data set and a backup directory that already holds one full backup. */
    @State(Scope.Thread)
    public static class Backups {
        private final Workload workload = Fixture.standardWorkload();
        private Fixture fixture;
        private Path backupDir;
        private long next = Fixture.STANDARD_N;

        @Setup(Level.Trial)
        public void load() {
            fixture = Fixture.standard("rocksdb");
            backupDir = Fixture.tempDir("backups");
            fixture.db().backup(backupDir, 2);
        }

        @Setup(Level.Invocation)
        public void writeAFew() {
            fixture.write(workload, next, next + WRITES_PER_BACKUP);
            next += WRITES_PER_BACKUP;
        }

        @TearDown(Level.Trial)
        public void close() {
            fixture.close();
            Fixture.deleteTree(backupDir);
        }
    }

    /** A small database on one engine, its archive, and an empty database per import. */
    @State(Scope.Thread)
    public static class Archives {
        @Param({"memory", "rocksdb"})
        public String engine;

        private Fixture source;
        private Path dir;
        private Path archive;
        private Path exported;

        @Setup(Level.Trial)
        public void load() {
            source = Fixture.open(engine);
            source.write(new Workload(ARCHIVE_N, Fixture.SEED), 0, ARCHIVE_N);
            dir = Fixture.tempDir("archives");
            archive = dir.resolve("small.stemedb-archive");
            exported = dir.resolve("exported.stemedb-archive");
            source.db().exportArchive(archive, ExportOptions.ALL, ProgressListener.NONE);
        }

        @TearDown(Level.Trial)
        public void close() {
            source.close();
            Fixture.deleteTree(dir);
        }
    }

    /** An empty database per invocation, for {@link #importArchive}. */
    @State(Scope.Thread)
    public static class ImportTarget {
        private Fixture target;

        @Setup(Level.Invocation)
        public void open(Archives archives) {
            target = Fixture.open(archives.engine);
        }

        @TearDown(Level.Invocation)
        public void close() {
            target.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public BackupInfo backupIncremental(Backups b) {
        return b.fixture.db().backup(b.backupDir, 2);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(ARCHIVE_N)
    public ArchiveSummary exportArchive(Archives a) {
        return a.source.db().exportArchive(a.exported, ExportOptions.ALL, ProgressListener.NONE);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(ARCHIVE_N)
    public MergeResult importArchive(Archives a, ImportTarget t) {
        return t.target.db().importArchive(a.archive, ProgressListener.NONE);
    }
}
