package io.stemedb.bench.jmh;

import io.stemedb.MergeResult;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.SigningKey;
import io.stemedb.model.Value;
import java.util.ArrayList;
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
 * Ingest of signed claims against unsigned ones, in claims per second: local writes of
 * {@value #BATCH} claims per {@code db.write} (a signed claim is signed there), and merges of
 * {@value #BATCH} claims from another replica (a signed claim comes with its attestation, whose
 * signature the merge verifies). Each merge gets new claims, signed by the replica that made them
 * in the invocation's setup (not measured). A fresh database every iteration; RocksDB with
 * periodic sync, as in {@link CommitBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SignedIngestBench {
    static final int BATCH = 100;
    static final SigningKey KEY = SigningKey.fromSeed(SignatureBench.seed(2));

    @Param({"memory", "rocksdb"})
    public String engine;

    private Fixture fixture;
    private long next;

    @Setup(Level.Iteration)
    public void open() {
        fixture = Fixture.open(engine);
    }

    @TearDown(Level.Iteration)
    public void close() {
        fixture.close();
    }

    /** What another replica sends: before each merge, its next {@value #BATCH} claims, unsigned and signed. */
    @State(Scope.Thread)
    public static class Arrivals {
        private long next;
        List<Assertion> unsigned;
        /** The same claims, then their attestations. */
        List<Assertion> signed;

        @Setup(Level.Invocation)
        public void arrive() {
            unsigned = new ArrayList<>(BATCH);
            signed = new ArrayList<>(2 * BATCH);
            List<Assertion> attestations = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                long n = next++;
                Claim c = Claim.builder("company:" + n, "ceo", Value.text("Alice " + n)).source("hr")
                        .hlc(Hlc.of(1_700_000_000_000L + n, 0, 9)).build();
                unsigned.add(c);
                signed.add(c);
                attestations.add(Attestation.sign(c, KEY, c.hlc()));
            }
            signed.addAll(attestations);
        }
    }

    private List<AssertionId> write(boolean sign) {
        long first = next;
        next += BATCH;
        return fixture.db().write(batch -> {
            for (int i = 0; i < BATCH; i++) {
                long n = first + i;
                var draft = batch.assertion("local:" + n, "ceo", Value.text("Bob " + n)).source("hr");
                if (sign) {
                    draft.signedWith(KEY);
                }
            }
        });
    }

    /** {@value #BATCH} unsigned claims in one local write. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<AssertionId> writeUnsigned() {
        return write(false);
    }

    /** {@value #BATCH} claims in one local write, each signed there. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<AssertionId> writeSigned() {
        return write(true);
    }

    /** A merge of {@value #BATCH} unsigned claims. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public MergeResult mergeUnsigned(Arrivals arrivals) {
        return fixture.db().merge(arrivals.unsigned);
    }

    /** A merge of {@value #BATCH} signed claims: the claims and their attestations, each attestation verified. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public MergeResult mergeSigned(Arrivals arrivals) {
        return fixture.db().merge(arrivals.signed);
    }
}
