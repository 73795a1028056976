package io.stemedb.bench.jmh;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.storage.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Merkle fingerprint arithmetic of sync ({@link IdDigest}: a sum of ids modulo 2^256 and a
 * count), which every commit keeps up to date: the whole set's digest and one digest per id bucket
 * (the first two bytes of an id, {@link Engine#BUCKETS} buckets). Ids are 4,096 BLAKE3 hashes made
 * in setup. Average nanoseconds per operation; the 1,000-id benchmarks report per id.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class DigestBench {
    private static final int IDS = 4096;
    private static final int BATCH = 1000;

    private final AssertionId[] ids = new AssertionId[IDS];
    private IdDigest total;
    private IdDigest other;
    private int next;

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(Fixture.SEED);
        byte[] seed = new byte[64];
        for (int i = 0; i < IDS; i++) {
            random.nextBytes(seed);
            ids[i] = AssertionId.hashOf(seed);
        }
        total = IdDigest.of(List.of(ids));
        other = IdDigest.of(ids[0]).plus(ids[1]);
    }

    private AssertionId nextId() {
        return ids[next++ & (IDS - 1)];
    }

    private List<AssertionId> nextBatch() {
        List<AssertionId> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
            batch.add(nextId());
        }
        return batch;
    }

    /** IdDigest.of(id): the digest of one id. */
    @Benchmark
    public IdDigest ofOne() {
        return IdDigest.of(nextId());
    }

    /** digest.plus(id): one id added to a set's digest (a 256-bit add and a copy). */
    @Benchmark
    public IdDigest plusId() {
        return total.plus(nextId());
    }

    /** digest.plus(digest): the union of two disjoint sets' digests. */
    @Benchmark
    public IdDigest plusDigest() {
        return total.plus(other);
    }

    /** IdDigest.of(1,000 ids), per id. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public IdDigest ofThousand() {
        return IdDigest.of(nextBatch());
    }

    /** fingerprint(): BLAKE3 of the 40-byte sum and count, what peers compare per range. */
    @Benchmark
    public byte[] fingerprint() {
        return total.fingerprint();
    }
}
