package io.stemedb.bench.jmh;

import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.bench.Workload;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads on a database pre-loaded with 100,000 claims of the {@link Workload} (10,000 subjects x 5
 * predicates x 2 claims), in memory and on RocksDB: a point resolve with the latest lens, a
 * history read, and a find-by-value ({@code owner}, one of 1,000 values: ~20 candidate subjects,
 * each resolved). Random keys, one thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class ReadBench {
    static final int N = 100_000;

    @Param({"memory", "rocksdb"})
    public String engine;

    private final Workload workload = new Workload(N, 42);
    private final SplittableRandom random = new SplittableRandom(7);
    private StemeDB db;
    private Path dir;

    @Setup(Level.Trial)
    public void load() throws IOException {
        if (engine.equals("memory")) {
            db = StemeDB.inMemory();
        } else {
            dir = Files.createTempDirectory("stemedb-jmh-read");
            db = StemeDB.builder().durability(Durability.syncEvery(Duration.ofSeconds(1))).open(dir);
        }
        for (long from = 0; from < N; from += 1000) {
            final long f = from;
            db.write(batch -> workload.fill(batch, f, Math.min(N, f + 1000)));
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        db.close();
        if (dir != null) {
            CommitBench.deleteTree(dir);
        }
    }

    @Benchmark
    public Resolution resolveLatest() {
        long pair = random.nextLong(workload.pairs());
        return db.resolve(Workload.subjectName(Workload.subjectOfPair(pair)), Workload.PREDICATES[Workload.predicateOfPair(pair)],
                Lenses.latest());
    }

    @Benchmark
    public Evidence history() {
        long pair = random.nextLong(workload.pairs());
        return db.history(Workload.subjectName(Workload.subjectOfPair(pair)), Workload.PREDICATES[Workload.predicateOfPair(pair)]);
    }

    @Benchmark
    public List<String> findByValue() {
        return db.find("owner", Value.text(Workload.ownerText(random.nextInt(1000))), Lenses.latest());
    }
}
