package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.AssertionSet;
import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.LwwRegister;
import io.stemedb.crdt.OrSetView;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Replicas that receive the same assertions, in any order, any number of times, over any split
 * into merge and mergeEncoded calls, answer every query the same way; and a database answers every
 * query the way the reference model {@link AssertionSet} says it should.
 *
 * <p>The domains are tiny (3 subjects, 2 predicates, 4 sources, 3 values per predicate, clocks
 * that stall and step back) so that conflicts, ties within a millisecond, repeated values and
 * retractions of winners happen often. Pools hold at most 30 operations.
 */
class ReplicaConvergenceProperties {
    static final List<String> SUBJECTS = List.of("s1", "s2", "s3");
    static final List<String> PREDICATES = List.of("name", "size");
    static final List<String> SOURCES = List.of("hr", "crm", "web", "ops");
    static final Map<String, List<Value>> DOMAIN = Map.of(
            "name", List.of(Value.text("Alice"), Value.text("Bob"), Value.text("Carol")),
            "size", List.of(Value.integer(1), Value.integer(2), Value.integer(3)));
    static final long BASE = 1_700_000_000_000L;
    static final long NODE_A = 0xAL;
    static final long NODE_B = 0xBL;
    static final long NODE_C = 0xCL;
    /** Nodes of replicas the model-based property only hears from through merge. */
    static final List<Long> REMOTE_NODES = List.of(1L, 0xBL, -1L);
    static final Lens LATEST = Lenses.latest();

    static Value value(int predicate, int value) {
        return DOMAIN.get(PREDICATES.get(predicate)).get(value);
    }

    // =================================================================== convergence

    /** One write on a replica: a claim, or a retraction of a claim the replica holds. */
    record Write(int replica, boolean retract, int subject, int predicate, int source, int value, int target, int clockStep) {}

    @Provide
    Arbitrary<List<Write>> writesOnA() {
        return writes(1);
    }

    @Provide
    Arbitrary<List<Write>> writesOnThree() {
        return writes(3);
    }

    private static Arbitrary<List<Write>> writes(int replicas) {
        Arbitrary<Integer> replica = Arbitraries.integers().between(0, replicas - 1);
        Arbitrary<Boolean> retract = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(false)), net.jqwik.api.Tuple.of(1, Arbitraries.just(true)));
        return Combinators.combine(
                        replica,
                        retract,
                        Arbitraries.integers().between(0, SUBJECTS.size() - 1),
                        Arbitraries.integers().between(0, PREDICATES.size() - 1),
                        Arbitraries.integers().between(0, SOURCES.size() - 1),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 29),
                        Arbitraries.integers().between(-3, 4))
                .as(Write::new)
                .list().ofMinSize(1).ofMaxSize(30);
    }

    /** Applies a write through the public API; a retraction with nothing to retract is skipped. */
    static void apply(StemeDB db, ManualClock clock, Write w) {
        clock.advance(w.clockStep());
        if (w.retract()) {
            List<AssertionId> claims = new ArrayList<>();
            for (Change c : allChanges(db)) {
                if (c.assertion() instanceof Claim) {
                    claims.add(c.assertion().id());
                }
            }
            if (!claims.isEmpty()) {
                db.retract(claims.get(w.target() % claims.size()), SOURCES.get(w.source()));
            }
        } else {
            db.assertion(SUBJECTS.get(w.subject()), PREDICATES.get(w.predicate()), value(w.predicate(), w.value()))
                    .source(SOURCES.get(w.source())).commit();
        }
    }

    /** Reads the whole change feed in small pages. */
    static List<Change> allChanges(ReadableFeed db) {
        List<Change> all = new ArrayList<>();
        long cursor = 0;
        for (List<Change> page = db.changesSince(cursor, 7); !page.isEmpty(); page = db.changesSince(cursor, 7)) {
            all.addAll(page);
            cursor = page.get(page.size() - 1).sequence();
        }
        return all;
    }

    /** What {@link #allChanges} needs: lets a StemeDB be passed directly. */
    interface ReadableFeed {
        List<Change> changesSince(long afterSequence, int limit);
    }

    static List<Change> allChanges(StemeDB db) {
        return allChanges((ReadableFeed) db::changesSince);
    }

    static List<Assertion> assertionsOf(StemeDB db) {
        return allChanges(db).stream().map(Change::assertion).toList();
    }

    /**
     * Delivers {@code assertions} to {@code target} in a random order, with random duplicates,
     * split over several merge and mergeEncoded calls; returns how many were added.
     */
    static int deliver(StemeDB target, List<Assertion> assertions, Random random) {
        List<Assertion> stream = new ArrayList<>(assertions);
        if (!assertions.isEmpty()) {
            int duplicates = random.nextInt(assertions.size() + 1);
            for (int i = 0; i < duplicates; i++) {
                stream.add(assertions.get(random.nextInt(assertions.size())));
            }
        }
        Collections.shuffle(stream, random);
        int calls = 1 + random.nextInt(4);
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int i = 1; i < calls; i++) {
            cuts.add(random.nextInt(stream.size() + 1));
        }
        cuts.add(stream.size());
        int added = 0;
        int from = 0;
        for (int to : cuts) {
            List<Assertion> chunk = stream.subList(from, to);
            MergeResult result;
            if (random.nextBoolean()) {
                result = target.merge(chunk);
            } else {
                result = target.mergeEncoded(chunk.stream().map(EncodedAssertion::of).toList());
            }
            assertEquals(List.of(), result.rejected(), "nothing valid is refused");
            assertTrue(result.added() + result.duplicates() <= chunk.size());
            added += result.added();
            from = to;
        }
        return added;
    }

    static Set<AssertionId> ids(StemeDB db) {
        Set<AssertionId> ids = new HashSet<>();
        allChanges(db).forEach(c -> ids.add(c.assertion().id()));
        return ids;
    }

    /** The instants worth asking asOf about: just before, at and between the stored timestamps. */
    static List<Instant> interestingInstants(StemeDB db, Random random) {
        List<Instant> stamps = new ArrayList<>();
        for (Change c : allChanges(db)) {
            stamps.add(c.assertion().hlc().instant());
        }
        List<Instant> instants = new ArrayList<>();
        instants.add(Instant.ofEpochMilli(BASE - 100));
        for (int i = 0; i < 3 && !stamps.isEmpty(); i++) {
            Instant at = stamps.get(random.nextInt(stamps.size()));
            instants.add(at);
            instants.add(at.minusMillis(1));
        }
        return instants;
    }

    static void assertSameResolution(Resolution expected, Resolution actual, String where) {
        assertEquals(expected.winners(), actual.winners(), where + " winners");
        assertEquals(expected.overruled(), actual.overruled(), where + " overruled");
        assertEquals(expected.explain(), actual.explain(), where + " explain");
    }

    /** Every query the public API offers, answered the same by both replicas. */
    static void assertSameAnswers(StemeDB expected, StemeDB actual, List<Instant> instants) {
        assertEquals(ids(expected), ids(actual), "the set of ids");
        Stats e = expected.stats();
        Stats a = actual.stats();
        assertEquals(e.claims(), a.claims(), "claims");
        assertEquals(e.retractions(), a.retractions(), "retractions");
        for (String s : SUBJECTS) {
            for (String p : PREDICATES) {
                String fact = s + "." + p;
                for (Instant t : instants) {
                    ReadView pe = expected.asOf(t);
                    ReadView pa = actual.asOf(t);
                    assertEquals(pe.history(s, p), pa.history(s, p), fact + " history as of " + t);
                    assertSameResolution(pe.resolve(s, p, LATEST), pa.resolve(s, p, LATEST), fact + " as of " + t);
                }
            }
        }
        assertSameView(expected, actual, "");
    }

    /**
     * The read queries (history, latest with its explanation, entity, conflicts, find for every
     * domain value, bySource) answered the same by both views; {@code where} prefixes the messages.
     */
    static void assertSameView(ReadView expected, ReadView actual, String where) {
        for (String s : SUBJECTS) {
            for (String p : PREDICATES) {
                String fact = where + s + "." + p;
                assertEquals(expected.history(s, p), actual.history(s, p), fact + " history");
                assertSameResolution(expected.resolve(s, p, LATEST), actual.resolve(s, p, LATEST), fact);
            }
            SortedMap<String, Resolution> ee = expected.entity(s, LATEST);
            SortedMap<String, Resolution> ea = actual.entity(s, LATEST);
            assertEquals(ee.keySet(), ea.keySet(), where + s + " entity predicates");
            for (String p : ee.keySet()) {
                assertSameResolution(ee.get(p), ea.get(p), where + s + " entity " + p);
            }
            assertEquals(expected.conflicts(s), actual.conflicts(s), where + s + " conflicts");
        }
        for (String p : PREDICATES) {
            for (Value v : DOMAIN.get(p)) {
                assertEquals(expected.find(p, v, LATEST), actual.find(p, v, LATEST), where + "find " + p + " = " + v);
            }
        }
        for (String source : SOURCES) {
            assertEquals(expected.bySource(source), actual.bySource(source), where + "bySource " + source);
        }
    }

    /**
     * Replica A records claims and retractions; B and C receive A's assertions from its change
     * feed in independent random orders, with duplicates, over several merge and mergeEncoded
     * calls. Both end up answering exactly as A does.
     */
    @Property
    void replicasThatReceiveTheSameAssertionsAnswerAlike(
            @ForAll("writesOnA") List<Write> writes, @ForAll long seedB, @ForAll long seedC, @ForAll long seedInstants) {
        ManualClock clockA = new ManualClock(BASE);
        try (StemeDB a = StemeDB.builder().nodeId(NODE_A).clock(clockA).inMemory();
                StemeDB b = StemeDB.builder().nodeId(NODE_B).clock(new ManualClock(BASE)).inMemory();
                StemeDB c = StemeDB.builder().nodeId(NODE_C).clock(new ManualClock(BASE)).inMemory()) {
            for (Write w : writes) {
                apply(a, clockA, w);
            }
            List<Assertion> fromA = assertionsOf(a);

            assertEquals(fromA.size(), deliver(b, fromA, new Random(seedB)));
            assertEquals(fromA.size(), deliver(c, fromA, new Random(seedC)));

            List<Instant> instants = interestingInstants(a, new Random(seedInstants));
            assertSameAnswers(a, b, instants);
            assertSameAnswers(a, c, instants);
            // delivering everything again changes nothing
            assertEquals(0, deliver(b, fromA, new Random(seedC)));
            assertSameAnswers(a, b, instants);
        }
    }

    /**
     * Three replicas write concurrently (their clocks share milliseconds, so timestamps tie on
     * time and are ordered by node), may retract claims they received from each other, and then
     * exchange everything in random orders: all three converge.
     */
    @Property
    void threeWritingReplicasConvergeAfterExchangingEverything(
            @ForAll("writesOnThree") List<Write> writes, @ForAll long seed) {
        Random random = new Random(seed);
        ManualClock[] clocks = {new ManualClock(BASE), new ManualClock(BASE), new ManualClock(BASE)};
        long[] nodes = {NODE_A, NODE_B, -1L};
        StemeDB[] replicas = new StemeDB[3];
        try {
            for (int i = 0; i < 3; i++) {
                replicas[i] = StemeDB.builder().nodeId(nodes[i]).clock(clocks[i]).inMemory();
            }
            int step = 0;
            for (Write w : writes) {
                apply(replicas[w.replica()], clocks[w.replica()], w);
                if (++step % 7 == 0) {
                    // a partial sync mid-way: one replica catches up with another
                    int from = random.nextInt(3);
                    int to = (from + 1 + random.nextInt(2)) % 3;
                    deliver(replicas[to], assertionsOf(replicas[from]), random);
                    Optional<Hlc> seen = assertionsOf(replicas[to]).stream().map(Assertion::hlc).max(Hlc::compareTo);
                    AssertionId next = replicas[to].assertion("sync", "after", Value.integer(step)).source("ops").commit();
                    Hlc stamped = replicas[to].get(next).orElseThrow().hlc();
                    seen.ifPresent(max -> assertTrue(stamped.isAfter(max),
                            "a write after a sync orders after everything received: " + stamped + " vs " + max));
                }
            }
            List<List<Assertion>> snapshots = new ArrayList<>();
            for (StemeDB r : replicas) {
                snapshots.add(assertionsOf(r));
            }
            for (int to = 0; to < 3; to++) {
                List<Assertion> others = new ArrayList<>();
                for (int from = 0; from < 3; from++) {
                    if (from != to) {
                        others.addAll(snapshots.get(from));
                    }
                }
                deliver(replicas[to], others, random);
            }
            List<Instant> instants = interestingInstants(replicas[0], random);
            assertSameAnswers(replicas[0], replicas[1], instants);
            assertSameAnswers(replicas[0], replicas[2], instants);
        } finally {
            for (StemeDB r : replicas) {
                if (r != null) {
                    r.close();
                }
            }
        }
    }

    // =================================================================== model-based

    enum Kind { LOCAL_SAY, LOCAL_BATCH, LOCAL_RETRACT, REMOTE_SAY, REMOTE_RETRACT, DELIVER_GHOST, REDELIVER }

    /** One step; the numbers are read differently by each kind (see {@link #step}). */
    record Step(Kind kind, int a, int b, int c, int d, int e, int f, boolean encoded) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        return step().list().ofMinSize(1).ofMaxSize(30);
    }

    /** One random step (shared with {@link EngineEquivalenceProperties}). */
    static Arbitrary<Step> step() {
        Arbitrary<Integer> n = Arbitraries.integers().between(0, 999);
        return Combinators.combine(Arbitraries.of(Kind.class), n, n, n, n, n, n, Arbitraries.of(true, false))
                .as(Step::new);
    }

    /** The database under test and the reference model it must agree with. */
    static final class Pair {
        final ManualClock clock;
        /** Not final: {@link EngineEquivalenceProperties} closes and reopens an on-disk one mid-sequence. */
        StemeDB db;
        AssertionSet model = AssertionSet.empty();
        /** Every assertion the model holds, in arrival order, for redelivery. */
        final List<Assertion> delivered = new ArrayList<>();
        /** Claims built remotely but not delivered yet; retractions may target them. */
        final List<Claim> ghosts = new ArrayList<>();

        /** An in-memory database on node A whose clock starts at BASE + 20. */
        Pair() {
            this.clock = new ManualClock(BASE + 20);
            this.db = StemeDB.builder().nodeId(NODE_A).clock(clock).inMemory();
        }

        /** A database on node A built by the caller, reading {@code clock}. */
        Pair(ManualClock clock, StemeDB db) {
            this.clock = clock;
            this.db = db;
        }

        List<Claim> modelClaims() {
            List<Claim> claims = new ArrayList<>();
            for (Assertion a : delivered) {
                if (a instanceof Claim) {
                    claims.add((Claim) a);
                }
            }
            return claims;
        }

        void local(Assertion a) {
            Optional<Hlc> before = model.assertions().stream().map(Assertion::hlc).max(Hlc::compareTo);
            before.ifPresent(max -> assertTrue(a.hlc().isAfter(max),
                    "a local write orders after everything stored or merged: " + a.hlc() + " vs " + max));
            assertEquals(NODE_A, a.hlc().node());
            record(a);
        }

        void record(Assertion a) {
            if (!model.contains(a.id())) {
                delivered.add(a);
            }
            model = model.with(a);
        }

        void remote(Assertion a, boolean encoded) {
            boolean known = model.contains(a.id());
            MergeResult r = encoded ? db.mergeEncoded(List.of(EncodedAssertion.of(a))) : db.merge(List.of(a));
            assertEquals(new MergeResult(known ? 0 : 1, known ? 1 : 0, List.of()), r);
            record(a);
        }
    }

    static Hlc remoteHlc(Step s) {
        return Hlc.of(BASE + s.e() % 41, s.f() % 3, REMOTE_NODES.get((s.f() / 3) % REMOTE_NODES.size()));
    }

    static Claim remoteClaim(int subject, int predicate, int source, int value, Hlc hlc) {
        return Claim.builder(SUBJECTS.get(subject % 3), PREDICATES.get(predicate % 2), value(predicate % 2, value % 3))
                .source(SOURCES.get(source % 4)).hlc(hlc).build();
    }

    static void step(Pair m, Step s) {
        StemeDB db = m.db;
        switch (s.kind()) {
            case LOCAL_SAY -> {
                m.clock.advance(s.e() % 9 - 3);
                AssertionId id = db.assertion(SUBJECTS.get(s.a() % 3), PREDICATES.get(s.b() % 2), value(s.b() % 2, s.d() % 3))
                        .source(SOURCES.get(s.c() % 4)).commit();
                m.local(db.get(id).orElseThrow());
            }
            case LOCAL_BATCH -> {
                m.clock.advance(s.e() % 9 - 3);
                List<Claim> claims = m.modelClaims();
                AssertionId target = claims.isEmpty() ? null : claims.get(s.f() % claims.size()).id();
                List<AssertionId> ids = db.write(batch -> {
                    batch.assertion(SUBJECTS.get(s.a() % 3), PREDICATES.get(s.b() % 2), value(s.b() % 2, s.d() % 3))
                            .source(SOURCES.get(s.c() % 4));
                    if (target != null) {
                        batch.retract(target, SOURCES.get((s.c() + 1) % 4));
                    }
                    batch.assertion(SUBJECTS.get((s.a() + 1) % 3), PREDICATES.get(s.b() % 2), value(s.b() % 2, (s.d() + 1) % 3))
                            .source(SOURCES.get(s.c() % 4));
                });
                for (AssertionId id : ids) {
                    m.local(db.get(id).orElseThrow());
                }
            }
            case LOCAL_RETRACT -> {
                List<Claim> claims = m.modelClaims();
                if (claims.isEmpty()) {
                    return;
                }
                m.clock.advance(s.e() % 9 - 3);
                AssertionId id = db.retract(claims.get(s.a() % claims.size()).id(), SOURCES.get(s.c() % 4));
                m.local(db.get(id).orElseThrow());
            }
            case REMOTE_SAY -> m.remote(remoteClaim(s.a(), s.b(), s.c(), s.d(), remoteHlc(s)), s.encoded());
            case REMOTE_RETRACT -> {
                List<Claim> claims = m.modelClaims();
                AssertionId target;
                if (claims.isEmpty() || s.b() % 3 == 0) {
                    // a retraction of a claim this replica has not received (it may come later)
                    Claim ghost = remoteClaim(s.a(), s.b(), s.c(), s.d(), Hlc.of(BASE + s.e() % 41, 0, REMOTE_NODES.get(0)));
                    m.ghosts.add(ghost);
                    target = ghost.id();
                } else {
                    target = claims.get(s.a() % claims.size()).id();
                }
                m.remote(Retraction.of(target, SOURCES.get(s.c() % 4), remoteHlc(s), null), s.encoded());
            }
            case DELIVER_GHOST -> {
                if (!m.ghosts.isEmpty()) {
                    m.remote(m.ghosts.get(s.a() % m.ghosts.size()), s.encoded());
                }
            }
            case REDELIVER -> {
                if (!m.delivered.isEmpty()) {
                    m.remote(m.delivered.get(s.a() % m.delivered.size()), s.encoded());
                }
            }
            default -> throw new AssertionError(s.kind());
        }
    }

    /** The cheap part of {@link #assertAgreesWithModel}: counts, histories and latest winners. */
    static void assertAgreesWithModelBriefly(Pair m) {
        StemeDB db = m.db;
        AssertionSet model = m.model;
        assertEquals(model.size(), db.stats().assertions(), "assertions");
        for (String s : SUBJECTS) {
            for (String p : PREDICATES) {
                Evidence expected = model.evidence(s, p);
                assertEquals(expected, db.history(s, p), s + "." + p + " history");
                assertEquals(LwwRegister.of(expected).winner().map(List::of).orElse(List.of()),
                        db.resolve(s, p, LATEST).winners(), s + "." + p + " latest");
            }
        }
    }

    /** Every query of the database, checked against the model's answer. */
    static void assertAgreesWithModel(Pair m) {
        StemeDB db = m.db;
        AssertionSet model = m.model;
        assertEquals(model.ids(), ids(db), "ids");
        for (Assertion a : model.assertions()) {
            assertEquals(Optional.of(a), db.get(a.id()));
        }
        long retractions = model.assertions().stream().filter(a -> a instanceof Retraction).count();
        Stats stats = db.stats();
        assertEquals(model.size(), stats.assertions());
        assertEquals(model.size() - retractions, stats.claims());
        assertEquals(retractions, stats.retractions());
        assertEquals(model.size(), stats.lastSequence());
        List<Instant> instants = List.of(Instant.ofEpochMilli(BASE + 5), Instant.ofEpochMilli(BASE + 20), Instant.ofEpochMilli(BASE + 30));
        for (String s : SUBJECTS) {
            List<String> conflicting = new ArrayList<>();
            List<String> resolvable = new ArrayList<>();
            for (String p : PREDICATES) {
                Evidence expected = model.evidence(s, p);
                assertEquals(expected, db.history(s, p), s + "." + p + " history");
                Optional<Claim> winner = LwwRegister.of(expected).winner();
                assertEquals(winner.map(List::of).orElse(List.of()), db.resolve(s, p, LATEST).winners(), s + "." + p + " latest");
                for (Instant t : instants) {
                    Evidence past = expected.asOf(t);
                    assertEquals(past, db.asOf(t).history(s, p), s + "." + p + " history as of " + t);
                    assertEquals(LwwRegister.of(past).winner().map(List::of).orElse(List.of()),
                            db.asOf(t).resolve(s, p, LATEST).winners(), s + "." + p + " latest as of " + t);
                }
                if (OrSetView.of(expected).elements().size() > 1) {
                    conflicting.add(p);
                    Conflict c = db.conflicts(s).stream().filter(x -> x.predicate().equals(p)).findFirst().orElseThrow();
                    assertEquals(OrSetView.of(expected).elements(), c.values());
                    assertEquals(expected.live(), c.claims());
                }
                if (winner.isPresent()) {
                    resolvable.add(p);
                }
            }
            assertEquals(conflicting, db.conflicts(s).stream().map(Conflict::predicate).toList(), s + " conflicts");
            assertEquals(resolvable, List.copyOf(db.entity(s, LATEST).keySet()), s + " entity");
        }
        for (String p : PREDICATES) {
            for (Value v : DOMAIN.get(p)) {
                List<String> expected = new ArrayList<>();
                for (String s : SUBJECTS) {
                    if (LwwRegister.of(model.evidence(s, p)).value().equals(Optional.of(v))) {
                        expected.add(s);
                    }
                }
                assertEquals(expected, db.find(p, v, LATEST), "find " + p + " = " + v);
            }
        }
        for (String source : SOURCES) {
            List<Assertion> expected = new ArrayList<>();
            for (Assertion a : model.assertions()) {
                if (a.source().equals(source)) {
                    expected.add(a);
                }
            }
            expected.sort(Assertion.RECORD_ORDER);
            assertEquals(expected, db.bySource(source), "bySource " + source);
        }
    }

    /**
     * Random local writes, local retractions, remote claims and retractions (some of claims not
     * yet received, delivered later), and redeliveries, applied to a database and to the
     * reference model: after every step the database answers as the model does (histories and
     * winners after each step, every query after every tenth step and at the end; sequences of
     * every length are generated, so every intermediate state is also some sequence's end).
     */
    @Property
    void theDatabaseAnswersAsTheReferenceModel(@ForAll("steps") List<Step> steps) {
        Pair m = new Pair();
        try {
            int n = 0;
            for (Step s : steps) {
                step(m, s);
                if (++n % 10 == 0) {
                    assertAgreesWithModel(m);
                } else {
                    assertAgreesWithModelBriefly(m);
                }
            }
            assertAgreesWithModel(m);
        } finally {
            m.db.close();
        }
    }
}
