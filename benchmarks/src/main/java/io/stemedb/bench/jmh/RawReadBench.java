package io.stemedb.bench.jmh;

import io.stemedb.bench.RawRocks;
import io.stemedb.bench.StoreShape;
import io.stemedb.bench.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The raw RocksDB counterpart of {@link ReadBench}'s RocksDB resolve: the same 100,000 claims of
 * the standard data set written as StemeDB's keys and value sizes
 * ({@link RawRocks.Mode#SAME_KEYS}), then a point get of one (subject, predicate)'s fact key
 * reading its ~2 entries; and a point get in the one-key baseline. Read as ingested, not compacted as the
 * {@link Fixture}'s stores are: the harness's out-of-band compaction is not reachable from this
 * package, so the ratio to ReadBench mixes code and LSM shape.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class RawReadBench {
    private final Workload workload = Fixture.standardWorkload();
    private final SplittableRandom random = new SplittableRandom(7);
    private Path dir;
    private RawRocks sameKeys;
    private RawRocks oneKey;

    @Setup(Level.Trial)
    public void load() throws Exception {
        dir = Files.createTempDirectory("stemedb-jmh-raw");
        StoreShape shape = StoreShape.calibrate(workload, dir);
        sameKeys = new RawRocks(dir.resolve("same"), RawRocks.Mode.SAME_KEYS, false, shape, workload);
        oneKey = new RawRocks(dir.resolve("one"), RawRocks.Mode.ONE_KEY, false, shape, workload);
        for (RawRocks r : new RawRocks[] {sameKeys, oneKey}) {
            r.open();
            for (long from = 0; from < Fixture.STANDARD_N; from += 1000) {
                r.ingest(from, Math.min(Fixture.STANDARD_N, from + 1000));
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        sameKeys.close();
        oneKey.close();
        Fixture.deleteTree(dir);
    }

    /** Seek to a (subject, predicate) prefix in 'facts' and read its ~2 values. */
    @Benchmark
    public int rawPrefixSeek() throws Exception {
        return sameKeys.read(random.nextLong(workload.pairs()), 0);
    }

    /** A point get of one 32-byte key. */
    @Benchmark
    public int rawPointGet() throws Exception {
        return oneKey.read(0, random.nextLong(workload.n()));
    }
}
