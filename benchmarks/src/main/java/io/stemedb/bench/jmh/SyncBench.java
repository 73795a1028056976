package io.stemedb.bench.jmh;

import io.stemedb.bench.Workload;
import io.stemedb.merkle.SyncReport;
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
 * One Merkle sync session ({@code local.syncWith(peer)}, in-process transport) between two
 * replicas on the same engine that share the {@linkplain Fixture#loadStandard standard data set}
 * (100,000 claims; the peer received it by merge) and differ by {@code d} assertions: before each
 * session, {@code d/2} new claims are committed on each side, so the session fetches d/2 and
 * pushes d/2. The set grows by d per session. Average milliseconds per session.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class SyncBench {
    @Param({"memory", "rocksdb"})
    public String engine;

    @Param({"10", "1000"})
    public int d;

    private final Workload workload = Fixture.standardWorkload();
    private Fixture local;
    private Fixture peer;
    private long next = Fixture.STANDARD_N;

    @Setup(Level.Trial)
    public void load() {
        local = Fixture.standard(engine);
        peer = Fixture.open(engine);
        local.copyInto(peer.db());
        peer.db().compact();
    }

    @TearDown(Level.Trial)
    public void close() {
        local.close();
        peer.close();
    }

    @Setup(Level.Invocation)
    public void diverge() {
        local.write(workload, next, next + d / 2);
        peer.write(workload, next + d / 2, next + d);
        next += d;
    }

    @Benchmark
    public SyncReport sync() {
        return local.db().syncWith(peer.db());
    }
}
