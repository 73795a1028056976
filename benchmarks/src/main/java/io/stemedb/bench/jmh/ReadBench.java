package io.stemedb.bench.jmh;

import io.stemedb.Conflict;
import io.stemedb.Page;
import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.bench.Workload;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Value;
import java.util.List;
import java.util.SortedMap;
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
 * Reads on the {@linkplain Fixture#loadStandard standard data set} (100,000 claims: 10,000
 * subjects x 5 predicates x 2 claims from 4 sources, compacted), in memory and on RocksDB, at
 * random existing keys, one thread. Scores are operations per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class ReadBench {
    @Param({"memory", "rocksdb"})
    public String engine;

    private final Workload workload = Fixture.standardWorkload();
    private final SplittableRandom random = new SplittableRandom(7);
    private Fixture fixture;
    private StemeDB db;
    private ReadView past;

    @Setup(Level.Trial)
    public void load() {
        fixture = Fixture.standard(engine);
        db = fixture.db();
        past = db.asOf(fixture.midpoint());
    }

    @TearDown(Level.Trial)
    public void close() {
        fixture.close();
    }

    private long pair() {
        return random.nextLong(workload.pairs());
    }

    private static String subject(long pair) {
        return Workload.subjectName(Workload.subjectOfPair(pair));
    }

    private static String predicate(long pair) {
        return Workload.PREDICATES[Workload.predicateOfPair(pair)];
    }

    /** resolve(s, p, latest) of one (subject, predicate): its 2 claims read and resolved. */
    @Benchmark
    public Resolution resolveLatest() {
        long pair = pair();
        return db.resolve(subject(pair), predicate(pair), Lenses.latest());
    }

    /** history(s, p): the evidence of one (subject, predicate), unresolved. */
    @Benchmark
    public Evidence history() {
        long pair = pair();
        return db.history(subject(pair), predicate(pair));
    }

    /** find("owner", one of 1,000 values, latest): ~20 candidate subjects from the value index, each resolved. */
    @Benchmark
    public List<String> findByValue() {
        return db.find("owner", Value.text(Workload.ownerText(random.nextInt(1000))), Lenses.latest());
    }

    /** entity(s, latest): a subject's 5 predicates (10 claims) resolved. */
    @Benchmark
    public SortedMap<String, Resolution> entity() {
        return db.entity(Workload.subjectName(random.nextLong(workload.subjects())), Lenses.latest());
    }

    /** conflicts(s): the predicates of one subject whose live claims disagree (most of its 5 here). */
    @Benchmark
    public List<Conflict> conflictsOfSubject() {
        return db.conflicts(Workload.subjectName(random.nextLong(workload.subjects())));
    }

    /** conflicts(after, 100): a page of at least 100 conflicts of the whole database, from a random subject on. */
    @Benchmark
    public Page<Conflict> conflictsPage() {
        return db.conflicts(Workload.subjectName(random.nextLong(workload.subjects())), 100);
    }

    /**
     * asOf(midpoint).resolve(s, p, latest): the view between the load's two rounds, where each pair
     * shows its first claim only; the second is read and filtered out.
     */
    @Benchmark
    public Resolution asOfResolve() {
        long pair = pair();
        return past.resolve(subject(pair), predicate(pair), Lenses.latest());
    }

    /** asOf(midpoint).entity(s, latest): a subject's 5 predicates as of the midpoint. */
    @Benchmark
    public SortedMap<String, Resolution> asOfEntity() {
        return past.entity(Workload.subjectName(random.nextLong(workload.subjects())), Lenses.latest());
    }
}
