package io.stemedb.bench.jmh;

import io.stemedb.bench.Workload;
import io.stemedb.model.AssertionId;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU cost of one assertion's identity: validating a claim, its canonical encoding, the
 * BLAKE3 hash that makes its id, and decoding it back (what every read does per claim). A claim
 * of the workload's shape: 15-byte subject, "name", a 20-byte text value, 3-byte source.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class CodecBench {
    private static final long NODE = 0x1234_5678_9abcL;
    private String subject;
    private Value value;
    private long tick;
    private byte[] encoded;

    @Setup
    public void setup() {
        subject = Workload.subjectName(4242);
        value = new Workload(1000, 42).valueOf(0, 0);
        encoded = claim().canonicalBytes();
    }

    private Claim claim() {
        return Claim.builder(subject, "name", value).source("crm").hlc(Hlc.of(1_700_000_000_000L + (tick++), 0, NODE)).build();
    }

    /** Building (and validating) a claim, no encoding. */
    @Benchmark
    public Claim build() {
        return claim();
    }

    /** Build + canonical encoding. */
    @Benchmark
    public byte[] buildAndEncode() {
        return CanonicalCodec.encode(claim());
    }

    /** Build + canonical encoding + BLAKE3: a claim's id, as every commit computes it. */
    @Benchmark
    public AssertionId buildEncodeAndHash() {
        return claim().id();
    }

    /** BLAKE3-256 of one ~72-byte canonical record alone. */
    @Benchmark
    public AssertionId blake3() {
        return AssertionId.hashOf(encoded);
    }

    /** Decoding a stored record (trusted: no canonical re-check), as the engine does per claim read. */
    @Benchmark
    public Object decodeTrusted() {
        return CanonicalCodec.decodeTrusted(encoded);
    }

    /** Decode + id: what a read pays per claim today, since Evidence keys claims by id. */
    @Benchmark
    public AssertionId decodeTrustedAndId() {
        return CanonicalCodec.decodeTrusted(encoded).id();
    }
}
