package io.stemedb.bench.jmh;

import io.stemedb.StemeDB;
import io.stemedb.bench.Workload;
import io.stemedb.model.AssertionId;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-claim commits from 1, 2 and 8 threads sharing one database: how the write path (stamping,
 * validation, hashing, the group commit) scales with concurrent writers. Each thread commits one
 * claim per call with {@code db.assertion(...).commit()}; the score of a method is the commits per
 * second of all its threads together. Engines as in {@link Fixture}: in memory, and RocksDB on a
 * temporary directory with {@code Durability.syncEvery(1 s)}, so the CPU path and the lock are
 * measured, not the disk's fsync latency. A fresh database every iteration. Only the public API is
 * used, so the benchmark runs unchanged against any version of the write path.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class ConcurrentCommitBench {
    @Param({"memory", "rocksdb"})
    public String engine;

    private final Workload workload = new Workload(1_000_000_000L, Fixture.SEED);
    /** The next workload index; shared, so that no two threads write the same claim. */
    private final AtomicLong next = new AtomicLong();
    private Fixture fixture;
    private StemeDB db;

    @Setup(Level.Iteration)
    public void open() {
        fixture = Fixture.open(engine);
        db = fixture.db();
    }

    @TearDown(Level.Iteration)
    public void close() {
        fixture.close();
    }

    private AssertionId commitOne() {
        return Fixture.commitClaim(db, workload, next.getAndIncrement());
    }

    /** One writer thread. */
    @Benchmark
    @Threads(1)
    public AssertionId writers1() {
        return commitOne();
    }

    /** Two writer threads. */
    @Benchmark
    @Threads(2)
    public AssertionId writers2() {
        return commitOne();
    }

    /** Eight writer threads. */
    @Benchmark
    @Threads(8)
    public AssertionId writers8() {
        return commitOne();
    }
}
