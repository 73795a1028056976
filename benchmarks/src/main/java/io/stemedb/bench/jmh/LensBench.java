package io.stemedb.bench.jmh;

import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import java.util.ArrayList;
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
 * {@code resolve} under each built-in lens on the {@linkplain Fixture#loadConflicting conflicting
 * data set} (2,000 subjects x 2 predicates, each fact claimed twice by each of 5 sources that
 * disagree among 3 values, with confidences; 40,000 claims, compacted), at random facts, one
 * thread: {@link #resolve} reads the 10 claims and applies the lens, in memory and on RocksDB;
 * {@link #apply} applies the lens alone to evidence read beforehand (so the two differ by the
 * read). Both measure a fact read again: the built-in lenses keep their answer on the evidence an
 * engine shares ({@link Evidence#remember}). What a lens costs the first time it sees a fact is
 * {@link #firstResolve} (the lens on evidence built for the operation) less {@link #evidenceOnly}
 * (building that evidence). The lenses, built-in and composed, are set up as {@link Fixture#lens}
 * describes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class LensBench {
    private static final int EVIDENCE_SAMPLE = 1024;

    @Param({"latest", "trust", "trustOnly", "weighted", "majority", "quorum", "confident", "all",
            "orElse", "validAt", "onlySources", "minConfidence", "asOf"})
    public String lens;

    private final SplittableRandom random = new SplittableRandom(7);
    private Lens theLens;

    @Setup(Level.Trial)
    public void pickLens() {
        theLens = Fixture.lens(lens);
    }

    /** The conflicting data set on one engine, for {@link #resolve}. */
    @State(Scope.Thread)
    public static class Store {
        @Param({"memory", "rocksdb"})
        public String engine;

        private Fixture fixture;

        @Setup(Level.Trial)
        public void load() {
            fixture = Fixture.conflicting(engine);
        }

        @TearDown(Level.Trial)
        public void close() {
            fixture.close();
        }
    }

    /** The evidence of 1,024 random facts of the conflicting data set, read once, for {@link #apply}. */
    @State(Scope.Thread)
    public static class Sample {
        private final Evidence[] evidence = new Evidence[EVIDENCE_SAMPLE];
        /** The same facts' claims and retractions, in record order, to build evidence that remembers nothing. */
        private final List<List<Assertion>> assertions = new ArrayList<>();

        @Setup(Level.Trial)
        public void read() {
            SplittableRandom random = new SplittableRandom(11);
            try (Fixture fixture = Fixture.conflicting("memory")) {
                for (int i = 0; i < EVIDENCE_SAMPLE; i++) {
                    int pair = random.nextInt(Fixture.conflictPairs());
                    evidence[i] = fixture.db().history(Fixture.conflictSubject(pair), Fixture.conflictPredicate(pair));
                    List<Assertion> ordered = new ArrayList<>(evidence[i].claims());
                    ordered.addAll(evidence[i].retractions());
                    assertions.add(List.copyOf(ordered));
                }
            }
        }
    }

    /** db.resolve(s, p, lens) of a random fact: read its 10 claims, resolve. */
    @Benchmark
    public Resolution resolve(Store store) {
        int pair = random.nextInt(Fixture.conflictPairs());
        return store.fixture.db().resolve(Fixture.conflictSubject(pair), Fixture.conflictPredicate(pair), theLens);
    }

    /** lens.resolve(evidence) on one of the sample's facts, no read: after the first pass, the answer the evidence kept. */
    @Benchmark
    public Resolution apply(Sample sample) {
        return theLens.resolve(sample.evidence[random.nextInt(EVIDENCE_SAMPLE)]);
    }

    /** lens.resolve on new evidence of one of the sample's facts: the lens's whole work, plus {@link #evidenceOnly}. */
    @Benchmark
    public Resolution firstResolve(Sample sample) {
        return theLens.resolve(build(sample, random.nextInt(EVIDENCE_SAMPLE)));
    }

    /** New evidence of one of the sample's facts, as {@link #firstResolve} builds it. */
    @Benchmark
    public Evidence evidenceOnly(Sample sample) {
        return build(sample, random.nextInt(EVIDENCE_SAMPLE));
    }

    private static Evidence build(Sample sample, int i) {
        Evidence e = sample.evidence[i];
        return Evidence.ofOrdered(e.subject(), e.predicate(), sample.assertions.get(i));
    }
}
