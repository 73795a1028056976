package io.stemedb.bench.jmh;

import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBBuilder;
import io.stemedb.bench.Directories;
import io.stemedb.bench.Workload;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One database under benchmark, and the data sets the JMH benchmarks load into it, so that every
 * benchmark measures the same configuration on the same data.
 *
 * <ul>
 *   <li>Engine {@code memory}: {@link StemeDB#inMemory()}. Engine {@code rocksdb}: a fresh
 *       temporary directory, default options, {@code Durability.syncEvery(1 s)} so that the CPU
 *       path is measured rather than the disk's fsync latency; deleted on {@link #close()}.</li>
 *   <li>{@link #loadStandard}: the {@link Workload} (seed 42) in batches of 1,000, recording the
 *       instant between its two rounds ({@link #midpoint()}: before it every pair has its first
 *       claim only), then a full compaction so that reads see the same LSM shape on every run
 *       rather than whatever the background flushes left.</li>
 *   <li>{@link #loadConflicting}: {@link #CONFLICT_SUBJECTS} subjects x {@link #CONFLICT_PREDICATES}
 *       predicates, each claimed twice by each of five {@link #CONFLICT_SOURCES} (a first round
 *       for every pair, then a second, newer one; within a fact the sources' order rotates, so
 *       each source is the newest on a fifth of the facts), each claim one of {@link #CANDIDATES} text
 *       values with a confidence in [0.50, 0.99]; so every fact has ten claims and its sources
 *       disagree. Also compacted.</li>
 * </ul>
 * Not thread-safe: one benchmark thread owns a fixture.
 */
final class Fixture implements AutoCloseable {
    /** The claims {@link #loadStandard} writes: 10,000 subjects x 5 predicates x 2 claims. */
    static final int STANDARD_N = 100_000;
    static final long SEED = 42;
    static final String[] CONFLICT_SOURCES = {"crm", "erp", "web", "ops", "hr"};
    static final String[] CONFLICT_PREDICATES = {"ceo", "hq"};
    static final int CONFLICT_SUBJECTS = 2_000;
    static final int CANDIDATES = 3;
    /** The claims {@link #loadConflicting} writes. */
    static final int CONFLICT_N = CONFLICT_SUBJECTS * CONFLICT_PREDICATES.length * CONFLICT_SOURCES.length * 2;
    /** The built-in lenses by the names the lens benchmark's parameter takes. */
    static final List<String> LENS_NAMES = List.of("latest", "trust", "trustOnly", "weighted", "majority", "quorum",
            "confident", "all");
    /** The compositions of built-in lenses by the names the lens benchmark's parameter takes. */
    static final List<String> COMPOSED_LENS_NAMES = List.of("orElse", "validAt", "onlySources", "minConfidence", "asOf");

    private static final int BATCH = 1_000;

    private final StemeDB db;
    private final Path dir;
    private Instant midpoint;

    private Fixture(StemeDB db, Path dir) {
        this.db = db;
        this.dir = dir;
    }

    /** An empty database on {@code engine}: "memory" or "rocksdb". */
    static Fixture open(String engine) {
        return open(engine, b -> b);
    }

    /** An empty database on {@code engine}, built by the default builder as {@code configure} sets it up further. */
    static Fixture open(String engine, UnaryOperator<StemeDBBuilder> configure) {
        switch (engine) {
            case "memory":
                return new Fixture(configure.apply(StemeDB.builder()).inMemory(), null);
            case "rocksdb":
                try {
                    Path dir = Files.createTempDirectory("stemedb-jmh-");
                    return new Fixture(configure.apply(StemeDB.builder().durability(Durability.syncEvery(Duration.ofSeconds(1))))
                            .open(dir), dir);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create a temporary directory for the benchmark database", e);
                }
            default:
                throw new IllegalArgumentException("engine must be memory or rocksdb, got " + engine);
        }
    }

    /** {@link #open} then {@link #loadStandard}. */
    static Fixture standard(String engine) {
        Fixture f = open(engine);
        f.loadStandard();
        return f;
    }

    /** {@link #open} then {@link #loadConflicting}. */
    static Fixture conflicting(String engine) {
        Fixture f = open(engine);
        f.loadConflicting();
        return f;
    }

    StemeDB db() {
        return db;
    }

    /** Commits claim {@code i} of {@code workload} to {@code db} on its own: one claim, one commit. */
    static AssertionId commitClaim(StemeDB db, Workload workload, long i) {
        long pair = workload.pairOf(i);
        int p = Workload.predicateOfPair(pair);
        return db.assertion(Workload.subjectName(Workload.subjectOfPair(pair)), Workload.PREDICATES[p], workload.valueOf(i, p))
                .source(Workload.SOURCES[workload.sourceOf(i)]).commit();
    }

    /** The workload {@link #loadStandard} writes; its index range past {@link #STANDARD_N} yields further claims on the same pairs. */
    static Workload standardWorkload() {
        return new Workload(STANDARD_N, SEED);
    }

    void loadStandard() {
        Workload w = standardWorkload();
        write(w, 0, STANDARD_N / 2);
        midpoint = betweenMillis();
        write(w, STANDARD_N / 2, STANDARD_N);
        db.compact();
    }

    /** Writes the workload's claims {@code from} to {@code to} (exclusive), in batches of 1,000. */
    void write(Workload w, long from, long to) {
        for (long f = from; f < to; f += BATCH) {
            final long lo = f;
            db.write(batch -> w.fill(batch, lo, Math.min(to, lo + BATCH)));
        }
    }

    /**
     * The current millisecond, returned once the clock has moved past it: HLC timestamps taken
     * before the call are at or before it, those taken after are strictly after it.
     */
    static Instant betweenMillis() {
        Instant at = Instant.ofEpochMilli(System.currentTimeMillis());
        while (System.currentTimeMillis() == at.toEpochMilli()) {
            Thread.onSpinWait();
        }
        return at;
    }

    /** The instant between {@link #loadStandard}'s two rounds. */
    Instant midpoint() {
        if (midpoint == null) {
            throw new IllegalStateException("the midpoint exists only after loadStandard");
        }
        return midpoint;
    }

    void loadConflicting() {
        int pairs = CONFLICT_SUBJECTS * CONFLICT_PREDICATES.length;
        for (int round = 0; round < 2; round++) {
            for (int from = 0; from < pairs; from += BATCH / CONFLICT_SOURCES.length) {
                final int r = round;
                final int lo = from;
                final int hi = Math.min(pairs, from + BATCH / CONFLICT_SOURCES.length);
                db.write(batch -> {
                    for (int pair = lo; pair < hi; pair++) {
                        for (int k = 0; k < CONFLICT_SOURCES.length; k++) {
                            // rotated per fact and round, so that the newest claim is not always the same source's
                            int s = (k + pair + r) % CONFLICT_SOURCES.length;
                            long h = Workload.mix64(SEED + ((long) pair * CONFLICT_SOURCES.length + s) * 2 + r);
                            batch.assertion(conflictSubject(pair), conflictPredicate(pair), candidate((int) Long.remainderUnsigned(h, CANDIDATES)))
                                    .source(CONFLICT_SOURCES[s]).confidence(0.50 + Long.remainderUnsigned(h >>> 8, 50) / 100.0);
                        }
                    }
                });
            }
        }
        db.compact();
    }

    /** The number of (subject, predicate) pairs of the conflicting data set. */
    static int conflictPairs() {
        return CONFLICT_SUBJECTS * CONFLICT_PREDICATES.length;
    }

    static String conflictSubject(int pair) {
        return Workload.subjectName(pair / CONFLICT_PREDICATES.length);
    }

    static String conflictPredicate(int pair) {
        return CONFLICT_PREDICATES[pair % CONFLICT_PREDICATES.length];
    }

    static Value candidate(int k) {
        return Value.text("candidate-" + k);
    }

    /**
     * The built-in lens called {@code name} (one of {@link #LENS_NAMES} or
     * {@link #COMPOSED_LENS_NAMES}), set up for the conflicting data set: trust ranks hr, crm, erp;
     * trustOnly hr, crm; weighted gives the five sources 3, 2, 1.5, 1 and 0.5; quorum needs 3
     * sources. The compositions: orElse is trustOnly(registry) or else latest (registry has no
     * claims here, so the first lens chooses nothing and the fallback decides); validAt is latest on the claims valid now
     * (all: the data has no valid times); onlySources is latest on crm and erp (6 of 10 claims set
     * aside); minConfidence is confident on claims of at least 0.75 (about half set aside); asOf is
     * latest as of a day from now (nothing cut: what the as-of bookkeeping costs).
     */
    static Lens lens(String name) {
        switch (name) {
            case "latest":
                return Lenses.latest();
            case "trust":
                return Lenses.trust("hr", "crm", "erp");
            case "trustOnly":
                return Lenses.trustOnly("hr", "crm");
            case "weighted":
                return Lenses.weighted(Map.of("hr", 3.0, "crm", 2.0, "erp", 1.5, "web", 1.0, "ops", 0.5));
            case "majority":
                return Lenses.majority();
            case "quorum":
                return Lenses.quorum(3);
            case "confident":
                return Lenses.confident();
            case "all":
                return Lenses.all();
            case "orElse":
                return Lenses.trustOnly("registry").orElse(Lenses.latest());
            case "validAt":
                return Lenses.latest().validAt(Instant.now());
            case "onlySources":
                return Lenses.latest().onlySources("crm", "erp");
            case "minConfidence":
                return Lenses.confident().minConfidence(0.75);
            case "asOf":
                return Lenses.latest().asOf(Instant.now().plus(Duration.ofDays(1)));
            default:
                throw new IllegalArgumentException("no built-in lens called " + name + "; use one of " + LENS_NAMES + " or "
                        + COMPOSED_LENS_NAMES);
        }
    }

    /** Gives {@code target} every assertion {@link #db()} holds, by merge, as a replica would receive them. */
    void copyInto(StemeDB target) {
        long after = 0;
        while (true) {
            List<Change> changes = db.changesSince(after, 10_000);
            if (changes.isEmpty()) {
                return;
            }
            List<Assertion> assertions = new ArrayList<>(changes.size());
            for (Change c : changes) {
                assertions.add(c.assertion());
            }
            target.merge(assertions);
            after = changes.get(changes.size() - 1).sequence();
        }
    }

    /** Closes the database and deletes its directory, if it has one. */
    @Override
    public void close() {
        db.close();
        if (dir != null) {
            deleteTree(dir);
        }
    }

    /** A fresh temporary directory for a benchmark's own files (backups, archives). */
    static Path tempDir(String purpose) {
        try {
            return Files.createTempDirectory("stemedb-jmh-" + purpose + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for " + purpose, e);
        }
    }

    static void deleteTree(Path dir) {
        try {
            Directories.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark directory " + dir + "; delete it by hand", e);
        }
    }
}
