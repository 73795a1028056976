package io.stemedb.bench.jmh;

import io.stemedb.StemeDB;
import io.stemedb.bench.Workload;
import io.stemedb.model.AssertionId;
import java.util.List;
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
 * Commit throughput in assertions per second: one claim per commit, and batches of 1,000 through
 * {@code db.write}, on an empty {@link Fixture} database in memory and on RocksDB (periodic sync, so
 * the CPU path is measured, not the disk's fsync latency). A fresh database every iteration, so
 * the heap of the in-memory one stays bounded.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class CommitBench {
    @Param({"memory", "rocksdb"})
    public String engine;

    private final Workload workload = new Workload(1_000_000_000L, Fixture.SEED);
    private Fixture fixture;
    private StemeDB db;
    private long next;

    @Setup(Level.Iteration)
    public void open() {
        fixture = Fixture.open(engine);
        db = fixture.db();
    }

    @TearDown(Level.Iteration)
    public void close() {
        fixture.close();
    }

    /** One claim, one commit. */
    @Benchmark
    public AssertionId commitOne() {
        return Fixture.commitClaim(db, workload, next++);
    }

    /** A batch of 1,000 claims in one db.write; the score is claims per second. */
    @Benchmark
    @OperationsPerInvocation(1000)
    public List<AssertionId> commitBatch1000() {
        long from = next;
        next += 1000;
        return db.write(batch -> workload.fill(batch, from, from + 1000));
    }

}
