package io.stemedb.bench.jmh;

import io.stemedb.bench.Workload;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.model.Value;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The read path above storage, on facts the engine holds in the heap: through the in-memory
 * engine, and on RocksDB through the fact cache (a hit: the facts were read three times in
 * setup, so the doorkeeper admitted them, and setup checks that reading them again only hits).
 * Each operation reads one of {@link #HOT} random facts: {@link #latest} and {@link #history} on
 * the {@linkplain Fixture#loadStandard standard data set} (2 claims per fact), {@link #trust} and
 * {@link #majority} on the {@linkplain Fixture#loadConflicting conflicting one} (10 claims from 5
 * sources per fact); the lenses resolve and the value is read, as an application does. Scores are
 * nanoseconds per operation; run with {@code -prof gc} for the bytes allocated per operation, and
 * with {@code -t 2} for two readers sharing the database (the state is per benchmark).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class HotReadBench {
    /** How many facts of each data set the benchmark reads. */
    static final int HOT = 1024;

    @Param({"memory", "rocksdb"})
    public String engine;

    private Fixture standard;
    private Fixture conflicting;
    private final String[] hotSubjects = new String[HOT];
    private final String[] hotPredicates = new String[HOT];
    private final String[] conflictSubjects = new String[HOT];
    private final String[] conflictPredicates = new String[HOT];
    private final Lens trust = Fixture.lens("trust");
    private final Lens majority = Fixture.lens("majority");

    /** Each thread's own random sequence of facts. */
    @State(Scope.Thread)
    public static class Cursor {
        private static final AtomicInteger THREADS = new AtomicInteger();
        private final SplittableRandom random = new SplittableRandom(7 + THREADS.getAndIncrement());

        int next() {
            return random.nextInt(HOT);
        }
    }

    @Setup(Level.Trial)
    public void load() {
        standard = Fixture.standard(engine);
        conflicting = Fixture.conflicting(engine);
        Workload w = Fixture.standardWorkload();
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < HOT; i++) {
            long pair = random.nextLong(w.pairs());
            hotSubjects[i] = Workload.subjectName(Workload.subjectOfPair(pair));
            hotPredicates[i] = Workload.PREDICATES[Workload.predicateOfPair(pair)];
            int conflict = random.nextInt(Fixture.conflictPairs());
            conflictSubjects[i] = Fixture.conflictSubject(conflict);
            conflictPredicates[i] = Fixture.conflictPredicate(conflict);
        }
        for (int round = 0; round < 3; round++) {
            readAll();
        }
        if (engine.equals("rocksdb")) {
            long before = hits();
            readAll();
            long hits = hits() - before;
            if (hits != 2L * HOT) {
                throw new IllegalStateException("the hot facts are not all in the fact cache: " + hits + " hits of " + 2 * HOT
                        + " reads; a fact-cache benchmark would measure misses");
            }
        }
    }

    private void readAll() {
        for (int i = 0; i < HOT; i++) {
            standard.db().history(hotSubjects[i], hotPredicates[i]);
            conflicting.db().history(conflictSubjects[i], conflictPredicates[i]);
        }
    }

    private long hits() {
        return Long.parseLong(standard.db().stats().engineProperties().get("fact-cache-hits"))
                + Long.parseLong(conflicting.db().stats().engineProperties().get("fact-cache-hits"));
    }

    @TearDown(Level.Trial)
    public void close() {
        standard.close();
        conflicting.close();
    }

    /** resolve(s, p, latest).value() of a fact of 2 claims. */
    @Benchmark
    public Optional<Value> latest(Cursor c) {
        int i = c.next();
        return standard.db().resolve(hotSubjects[i], hotPredicates[i], Lenses.latest()).value();
    }

    /** history(s, p) of a fact of 2 claims: its evidence. */
    @Benchmark
    public Evidence history(Cursor c) {
        int i = c.next();
        return standard.db().history(hotSubjects[i], hotPredicates[i]);
    }

    /** resolve(s, p, trust(hr, crm, erp)).value() of a fact of 10 claims. */
    @Benchmark
    public Optional<Value> trust(Cursor c) {
        int i = c.next();
        return conflicting.db().resolve(conflictSubjects[i], conflictPredicates[i], trust).value();
    }

    /** resolve(s, p, majority).value() of a fact of 10 claims. */
    @Benchmark
    public Optional<Value> majority(Cursor c) {
        int i = c.next();
        return conflicting.db().resolve(conflictSubjects[i], conflictPredicates[i], majority).value();
    }
}
