package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * A lens answers the same for the same assertion set, whatever the order and duplication of
 * delivery, on a database in memory and on RocksDB alike: for every built-in lens and random
 * compositions of them (orElse, asOf, validAt, onlySources, minConfidence, withMetadata, named),
 * the whole resolution (winners, overruled, set aside, retracted, values, explanation, lens name)
 * equals what the lens says about {@link Evidence#of} the set itself.
 *
 * <p>The domain (sources, values, predicates, the base time and remote node ids) and the delivery
 * helper ({@link ReplicaConvergenceProperties#deliver}: random order, random duplicates, split over
 * merge and mergeEncoded calls) are those of {@link ReplicaConvergenceProperties}. Timestamps fall
 * in 25 ms with shared milliseconds on three nodes, confidences, valid-time bounds and metadata
 * come from tiny sets, so ties of every tie-break happen often; some retractions target claims
 * that are never delivered.
 *
 * <p>If a lens throws (a composition the lens module refuses), the failure itself must be the
 * same on every replica: outcomes are compared as "threw X with message M".
 */
class LensDeterminismProperties {
    static final List<String> SOURCES = ReplicaConvergenceProperties.SOURCES;
    static final List<String> PREDICATES = ReplicaConvergenceProperties.PREDICATES;
    static final long BASE = ReplicaConvergenceProperties.BASE;
    static final List<Long> NODES = ReplicaConvergenceProperties.REMOTE_NODES;
    /** The instants lenses and views ask about, on both time axes: around the recorded times. */
    static final List<Instant> INSTANTS = Stream.of(-1, 0, 5, 10, 12, 20, 30)
            .map(ms -> Instant.ofEpochMilli(BASE + ms)).toList();
    static final List<Double> CONFIDENCES = List.of(0.0, 0.5, 0.9, 1.0);

    // =================================================================== the assertions

    /** A claim's content, independent of its subject (so one spec can be stored under many subjects). */
    record ClaimSpec(int predicate, int source, int value, int millis, int logical, int node,
            int confidence, int validFrom, int validTo, int metadata) {}

    /** A retraction of the {@code target}-th claim (modulo their number), or of a claim never delivered. */
    record RetractSpec(int target, int source, int millis, boolean ghost) {}

    record Facts(List<ClaimSpec> claims, List<RetractSpec> retractions) {

        /** The assertions about {@code subject}; the ghost claims some retractions target are not among them. */
        List<Assertion> materialize(String subject) {
            List<Claim> built = new ArrayList<>();
            for (ClaimSpec c : claims) {
                Claim.Builder b = Claim.builder(subject, PREDICATES.get(c.predicate()),
                                ReplicaConvergenceProperties.value(c.predicate(), c.value()))
                        .source(SOURCES.get(c.source()))
                        .hlc(Hlc.of(BASE + c.millis(), c.logical(), NODES.get(c.node())));
                if (c.confidence() > 0) {
                    b.confidence(CONFIDENCES.get(c.confidence() - 1));
                }
                // valid-time bounds on the same axis as the recorded times: 0 = none, else BASE + 10 * (i - 1) ms
                Instant from = c.validFrom() == 0 ? null : Instant.ofEpochMilli(BASE + 10L * (c.validFrom() - 1));
                Instant to = c.validTo() == 0 ? null : Instant.ofEpochMilli(BASE + 10L * c.validTo());
                if (from != null && to != null && !to.isAfter(from)) {
                    to = null;
                }
                b.validFrom(from).validTo(to);
                if (c.metadata() > 0) {
                    b.metadata("k", c.metadata() == 1 ? "a" : "b");
                }
                built.add(b.build());
            }
            List<Assertion> all = new ArrayList<>(built);
            for (RetractSpec r : retractions) {
                AssertionId target;
                if (r.ghost() || built.isEmpty()) {
                    target = Claim.builder(subject, PREDICATES.get(0), ReplicaConvergenceProperties.value(0, 0))
                            .source("ghost").hlc(Hlc.of(BASE + r.millis(), 0, 1)).build().id();
                } else {
                    target = built.get(r.target() % built.size()).id();
                }
                all.add(Retraction.of(target, SOURCES.get(r.source()), Hlc.of(BASE + r.millis(), 0, NODES.get(r.source() % NODES.size())), null));
            }
            return all;
        }
    }

    @Provide
    Arbitrary<Facts> facts() {
        Arbitrary<Integer> node = Arbitraries.integers().between(0, NODES.size() - 1);
        Arbitrary<int[]> time = Combinators.combine(
                        Arbitraries.integers().between(0, 24), Arbitraries.integers().between(0, 1), node)
                .as((ms, logical, n) -> new int[] {ms, logical, n});
        Arbitrary<ClaimSpec> claim = Combinators.combine(
                        Arbitraries.integers().between(0, PREDICATES.size() - 1),
                        Arbitraries.integers().between(0, SOURCES.size() - 1),
                        Arbitraries.integers().between(0, 2),
                        time,
                        Arbitraries.integers().between(0, CONFIDENCES.size()),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 2))
                .as((p, s, v, t, conf, from, to, meta) -> new ClaimSpec(p, s, v, t[0], t[1], t[2], conf, from, to, meta));
        Arbitrary<RetractSpec> retraction = Combinators.combine(
                        Arbitraries.integers().between(0, 99),
                        Arbitraries.integers().between(0, SOURCES.size() - 1),
                        Arbitraries.integers().between(0, 30),
                        Arbitraries.frequency(net.jqwik.api.Tuple.of(5, false), net.jqwik.api.Tuple.of(1, true)))
                .as(RetractSpec::new);
        return Combinators.combine(claim.list().ofMinSize(1).ofMaxSize(16), retraction.list().ofMaxSize(5)).as(Facts::new);
    }

    // =================================================================== the lenses

    /** A lens with a readable description (its name) for jqwik's reports. */
    record LensCase(Lens lens) {
        @Override
        public String toString() {
            return lens.name();
        }
    }

    /** Every built-in lens, with random parameters. */
    static Arbitrary<Lens> builtIn() {
        Arbitrary<List<String>> ranking = Arbitraries.shuffle(SOURCES)
                .flatMap(all -> Arbitraries.integers().between(1, all.size()).map(n -> all.subList(0, n)));
        Arbitrary<Map<String, Double>> weights = Arbitraries.maps(
                        Arbitraries.of(SOURCES), Arbitraries.of(0.0, 0.5, 1.0, 2.0))
                .ofMinSize(1).ofMaxSize(SOURCES.size());
        return Arbitraries.oneOf(
                Arbitraries.just(Lenses.latest()),
                ranking.map(r -> Lenses.trust(r.toArray(String[]::new))),
                ranking.map(r -> Lenses.trustOnly(r.toArray(String[]::new))),
                weights.map(Lenses::weighted),
                Arbitraries.just(Lenses.majority()),
                Arbitraries.integers().between(1, 3).map(Lenses::quorum),
                Arbitraries.just(Lenses.confident()),
                Arbitraries.just(Lenses.all()));
    }

    /** One combinator applied to {@code inner}. */
    static Arbitrary<Lens> wrapped(Arbitrary<Lens> inner) {
        Arbitrary<Instant> instant = Arbitraries.of(INSTANTS);
        Arbitrary<List<String>> sources = Arbitraries.subsetOf(SOURCES).ofMinSize(1)
                .map(s -> s.stream().sorted().toList());
        return Arbitraries.oneOf(
                Combinators.combine(inner, builtIn()).as(Lens::orElse),
                Combinators.combine(builtIn(), inner).as(Lens::orElse),
                Combinators.combine(inner, instant).as(Lens::asOf),
                Combinators.combine(inner, instant).as(Lens::validAt),
                Combinators.combine(inner, sources).as((l, s) -> l.onlySources(s.toArray(String[]::new))),
                Combinators.combine(inner, Arbitraries.of(0.0, 0.5, 0.9)).as(Lens::minConfidence),
                Combinators.combine(inner, Arbitraries.of("a", "b")).as((l, v) -> l.withMetadata("k", v)),
                inner.map(l -> l.named("my " + l.name())));
    }

    @Provide
    Arbitrary<LensCase> lenses() {
        return Arbitraries.recursive(LensDeterminismProperties::builtIn, LensDeterminismProperties::wrapped, 0, 3)
                .map(LensCase::new);
    }

    // =================================================================== outcomes

    /** Everything a resolution says, or the failure of the lens: what must be equal everywhere. */
    record Outcome(String lens, List<AssertionId> winners, List<AssertionId> overruled, List<String> setAside,
            List<AssertionId> retracted, List<Value> values, String explain, String failure) {

        static Outcome of(Supplier<Resolution> resolve) {
            Resolution r;
            try {
                r = resolve.get();
            } catch (RuntimeException e) {
                return new Outcome(null, null, null, null, null, null, null, e.getClass().getName() + ": " + e.getMessage());
            }
            return new Outcome(r.lens(), ids(r.winners()), ids(r.overruled()),
                    r.setAside().stream().map(s -> s.claim().id() + " " + s.reason()).toList(),
                    ids(r.retracted()), List.copyOf(r.values()), r.explain(), null);
        }

        /** The same outcome, whoever decided: the lens name, and the explanation without it. */
        Outcome anonymous() {
            return failure != null ? this
                    : new Outcome(null, winners, overruled, setAside, retracted, values, explain.substring(lens.length()), null);
        }
    }

    static List<AssertionId> ids(List<Claim> claims) {
        return claims.stream().map(Claim::id).toList();
    }

    /** What the lens says about the set itself: the reference every replica must match. */
    static Outcome reference(Lens lens, String subject, String predicate, List<Assertion> assertions, Instant asOf) {
        Evidence e = Evidence.of(subject, predicate, assertions);
        Evidence seen = asOf == null ? e : e.asOf(asOf);
        return Outcome.of(() -> lens.resolve(seen));
    }

    /**
     * The lens contract, checked on the reference: a resolution accounts for evidence that is part
     * of what it was given (all of it, or its past for asOf); its winners are live claims of that
     * evidence; winners, overruled and set-aside claims split its live claims with no overlap; and
     * the explanation names every claim in it.
     */
    static void assertHonours(Lens lens, Evidence given) {
        Resolution r = lens.resolve(given);
        Evidence evidence = r.evidence();
        assertTrue(given.claims().containsAll(evidence.claims()), lens.name() + ": evidence from elsewhere");
        Set<AssertionId> live = new HashSet<>(ids(evidence.live()));
        List<AssertionId> accounted = new ArrayList<>(ids(r.winners()));
        accounted.addAll(ids(r.overruled()));
        r.setAside().forEach(s -> accounted.add(s.claim().id()));
        assertEquals(live, new HashSet<>(accounted), lens.name() + ": every live claim is a winner, overruled or set aside");
        assertEquals(live.size(), accounted.size(), lens.name() + ": ... exactly once");
        assertTrue(r.winners().stream().noneMatch(w -> evidence.isRetracted(w.id())), lens.name() + ": a retracted claim won");
        String explain = r.explain();
        assertTrue(explain.startsWith(r.lens() + ": "), explain);
        for (Claim c : evidence.claims()) {
            assertTrue(explain.contains("(" + c.id().shortHex() + ")"), lens.name() + " does not explain " + c + ": " + explain);
        }
    }

    /** How often lenses choose nothing, one or several winners, or throw: so a run shows what it covered. */
    static void collectStatistics(Lens lens, Evidence evidence) {
        if (evidence.isEmpty()) {
            return;
        }
        String what;
        try {
            Resolution r = lens.resolve(evidence);
            what = r.isEmpty() ? "chose nothing" : r.winners().size() == 1 ? "one winner" : "several winners";
        } catch (RuntimeException e) {
            what = "threw";
        }
        Statistics.label("lens").collect(what);
    }

    /**
     * Every built-in lens and composition honours the lens contract on any evidence: it returns a
     * resolution (it does not throw), whose winners are live, and which accounts for every claim.
     */
    @Property(tries = 1000)
    void everyLensAccountsForEveryClaimExactlyOnce(@ForAll("facts") Facts facts, @ForAll("lenses") LensCase lensCase) {
        String subject = ReplicaConvergenceProperties.SUBJECTS.get(0);
        List<Assertion> assertions = facts.materialize(subject);
        for (String p : PREDICATES) {
            Evidence evidence = Evidence.of(subject, p, assertions);
            collectStatistics(lensCase.lens(), evidence);
            assertHonours(lensCase.lens(), evidence);
        }
    }

    // =================================================================== in memory

    /**
     * Two in-memory replicas fed the same facts in independent random orders, with duplicates,
     * resolve every predicate (now, and in as-of views) exactly as the lens resolves the set; so do
     * their entity views.
     */
    @Property(tries = 1000)
    void everyLensAnswersTheSameWhateverTheOrderOfArrivalInMemory(
            @ForAll("facts") Facts facts, @ForAll("lenses") LensCase lensCase, @ForAll long seedA, @ForAll long seedB) {
        Lens lens = lensCase.lens();
        String subject = ReplicaConvergenceProperties.SUBJECTS.get(0);
        List<Assertion> assertions = facts.materialize(subject);
        try (StemeDB a = StemeDB.builder().nodeId(ReplicaConvergenceProperties.NODE_A).inMemory();
                StemeDB b = StemeDB.builder().nodeId(ReplicaConvergenceProperties.NODE_B).inMemory()) {
            ReplicaConvergenceProperties.deliver(a, assertions, new Random(seedA));
            ReplicaConvergenceProperties.deliver(b, assertions, new Random(seedB));
            assertSameAsReference(lens, subject, assertions, List.of(a, b), new Random(seedA ^ seedB));
        }
    }

    /**
     * For each predicate, every database's resolution now and as of a few instants equals the
     * reference, and so does its entity view; and the lens answers the same about the set
     * delivered to it directly in another order with duplicates.
     */
    static void assertSameAsReference(Lens lens, String subject, List<Assertion> assertions, List<StemeDB> dbs, Random random) {
        List<Assertion> shuffled = new ArrayList<>(assertions);
        shuffled.addAll(assertions.subList(0, assertions.size() / 2));
        Collections.shuffle(shuffled, random);
        Map<String, Outcome> nonEmpty = new LinkedHashMap<>();
        for (String p : PREDICATES) {
            Outcome expected = reference(lens, subject, p, assertions, null);
            assertEquals(expected, reference(lens, subject, p, shuffled, null), p + ": Evidence.of in another order");
            collectStatistics(lens, Evidence.of(subject, p, assertions));
            if (expected.failure() == null && !expected.winners().isEmpty()) {
                nonEmpty.put(p, expected);
            }
            Instant t = INSTANTS.get(random.nextInt(INSTANTS.size()));
            Outcome expectedThen = reference(lens, subject, p, assertions, t);
            for (StemeDB db : dbs) {
                assertEquals(expected, Outcome.of(() -> db.resolve(subject, p, lens)), p + " now");
                assertEquals(expectedThen, Outcome.of(() -> db.asOf(t).resolve(subject, p, lens)), p + " as of " + t);
                assertEquals(expectedThen.anonymous(), Outcome.of(() -> db.resolve(subject, p, lens.asOf(t))).anonymous(),
                        p + ": db.asOf(t) with a lens answers as the lens asOf(t)");
            }
        }
        boolean fails = PREDICATES.stream().anyMatch(p -> reference(lens, subject, p, assertions, null).failure() != null);
        for (StemeDB db : dbs) {
            if (fails) {
                continue; // entity() fails like resolve() does, for the first predicate that fails
            }
            SortedMap<String, Resolution> entity = db.entity(subject, lens);
            assertEquals(nonEmpty.keySet(), entity.keySet(), "entity predicates");
            entity.forEach((p, r) -> assertEquals(nonEmpty.get(p), Outcome.of(() -> r), "entity " + p));
        }
    }

    // =================================================================== on disk

    /**
     * One RocksDB for the whole property: opening one per try would cost more than the property
     * itself. Each try stores its facts under a subject of its own, so earlier tries' assertions
     * are there too and must not leak into its answers. Commits sync to the OS every second rather
     * than fsync each: durability is not what this property is about.
     */
    private static Path rocksDir;
    private static StemeDB rocks;
    private static final AtomicInteger TRY = new AtomicInteger();

    private static synchronized StemeDB rocks() {
        if (rocks == null) {
            try {
                rocksDir = Files.createTempDirectory("stemedb-lens-determinism");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            rocks = StemeDB.builder().nodeId(ReplicaConvergenceProperties.NODE_C)
                    .durability(Durability.syncEvery(Duration.ofSeconds(1))).open(rocksDir);
        }
        return rocks;
    }

    @AfterContainer
    static void closeRocks() throws IOException {
        if (rocks != null) {
            rocks.close();
            rocks = null;
            try (Stream<Path> files = Files.walk(rocksDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * The same on RocksDB: the facts, under a fresh subject (with multi-byte characters), go to the
     * shared on-disk database in one random order and to an in-memory one in another; both answer
     * as the lens does on the set.
     */
    @Property(tries = 1000)
    void everyLensAnswersTheSameWhateverTheOrderOfArrivalOnDiskAndInMemory(
            @ForAll("facts") Facts facts, @ForAll("lenses") LensCase lensCase, @ForAll long seedDisk, @ForAll long seedMemory) {
        Lens lens = lensCase.lens();
        String subject = "try-" + TRY.incrementAndGet() + "-zürich-東京";
        List<Assertion> assertions = facts.materialize(subject);
        StemeDB disk = rocks();
        try (StemeDB memory = StemeDB.builder().nodeId(ReplicaConvergenceProperties.NODE_A).inMemory()) {
            ReplicaConvergenceProperties.deliver(disk, assertions, new Random(seedDisk));
            ReplicaConvergenceProperties.deliver(memory, assertions, new Random(seedMemory));
            assertSameAsReference(lens, subject, assertions, List.of(disk, memory), new Random(seedDisk ^ seedMemory));
            for (String p : PREDICATES) {
                assertEquals(memory.history(subject, p), disk.history(subject, p), p + " history");
            }
        }
    }
}
