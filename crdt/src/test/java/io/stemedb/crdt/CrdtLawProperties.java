package io.stemedb.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.CrdtArbitraries.Delivery;
import io.stemedb.crdt.CrdtArbitraries.Split;
import io.stemedb.crdt.CrdtArbitraries.Views;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * The merge laws of the assertion set (DESIGN.md section 3) and of its per-(subject, predicate)
 * views, over collision-heavy pools from {@link CrdtArbitraries}. Every property runs at jqwik's
 * default of 1000 tries.
 */
class CrdtLawProperties {

    // ---------------------------------------------------------------------------------------
    // Merge is a join: commutative, associative, idempotent, and with(a) is merge with {a}.

    @Property
    void mergeIsCommutative(@ForAll("splits") Split s) {
        AssertionSet a = s.setA();
        AssertionSet b = s.setB();
        AssertionSet ab = a.merge(b);
        AssertionSet ba = b.merge(a);
        assertEquals(ab, ba);
        assertEquals(ab.hashCode(), ba.hashCode());
        assertEquals(unionIds(s.a(), s.b()), ab.ids());
        assertEquals(CrdtArbitraries.viewsOf(ab), CrdtArbitraries.viewsOf(ba));
        assertEquals(ab.facts(), ba.facts());
    }

    @Property
    void mergeIsAssociative(@ForAll("splits") Split s) {
        AssertionSet a = s.setA();
        AssertionSet b = s.setB();
        AssertionSet c = s.setC();
        AssertionSet left = a.merge(b).merge(c);
        AssertionSet right = a.merge(b.merge(c));
        assertEquals(left, right);
        assertEquals(unionIds(s.a(), s.b(), s.c()), left.ids());
        assertEquals(CrdtArbitraries.viewsOf(left), CrdtArbitraries.viewsOf(right));
        AssertionSet mixed = c.merge(a).merge(b);
        assertEquals(left, mixed);
        assertEquals(CrdtArbitraries.viewsOf(left), CrdtArbitraries.viewsOf(mixed));
    }

    @Property
    void mergeIsIdempotent(@ForAll("splits") Split s) {
        AssertionSet a = s.setA();
        Map<Map.Entry<String, String>, Views> views = CrdtArbitraries.viewsOf(a);
        AssertionSet copies = AssertionSet.of(s.a().stream().map(CrdtArbitraries::copy).collect(Collectors.toList()));
        for (AssertionSet same : List.of(a.merge(a), a.merge(copies), copies.merge(a),
                a.merge(AssertionSet.empty()), AssertionSet.empty().merge(a))) {
            assertEquals(a, same);
            assertEquals(a.size(), same.size());
            assertEquals(views, CrdtArbitraries.viewsOf(same));
        }
        AssertionSet ab = a.merge(s.setB());
        assertEquals(ab, ab.merge(a));
        assertEquals(ab, ab.merge(s.setB()));
        assertEquals(CrdtArbitraries.viewsOf(ab), CrdtArbitraries.viewsOf(ab.merge(s.setB()).merge(a)));
    }

    @Property
    void withIsMergeWithASingleton(@ForAll("splits") Split s) {
        AssertionSet a = s.setA();
        for (Assertion x : s.pool()) {
            AssertionSet singleton = AssertionSet.of(List.of(x));
            AssertionSet viaWith = a.with(x);
            assertEquals(a.merge(singleton), viaWith);
            assertEquals(singleton.merge(a), viaWith);
            assertEquals(CrdtArbitraries.viewsOf(a.merge(singleton)), CrdtArbitraries.viewsOf(viaWith));
            assertTrue(viaWith.contains(x.id()));
            assertEquals(a.contains(x.id()) ? a.size() : a.size() + 1, viaWith.size());
            if (a.contains(x.id())) {
                assertSame(a, viaWith, "with() of a present assertion returns the set itself");
            } else {
                assertNotEquals(a, viaWith);
                assertFalse(a.contains(x.id()), "with() must not change the set it was called on");
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Convergence: any delivery order, any duplication, any merge order, same state and views.

    @Property
    void replicasConvergeWhateverTheDelivery(@ForAll("deliveries") Delivery d) {
        AssertionSet expected = AssertionSet.of(d.pool());
        Map<Map.Entry<String, String>, Views> expectedViews = CrdtArbitraries.viewsOf(expected);
        List<AssertionSet> replicas = d.replicas();
        for (AssertionSet replica : replicas) {
            assertTrue(expected.ids().containsAll(replica.ids()));
        }
        AssertionSet merged = d.merged(replicas);
        assertEquals(expected, merged);
        assertEquals(expected.size(), merged.size());
        assertEquals(distinctIds(d.pool()), merged.ids());
        assertEquals(expected.facts(), merged.facts());
        // viewsOf covers every fact of the pool
        assertTrue(CrdtArbitraries.allFacts().containsAll(expected.facts()));
        assertEquals(expectedViews, CrdtArbitraries.viewsOf(merged));
    }

    // ---------------------------------------------------------------------------------------
    // Two-phase set: once dead, dead for good.

    @Property
    void aRetractedClaimNeverComesBack(@ForAll("deliveries") Delivery d) {
        List<AssertionSet> finals = new ArrayList<>();
        for (List<Assertion> inbox : d.inboxes()) {
            AssertionSet s = AssertionSet.empty();
            Set<AssertionId> dead = new HashSet<>();
            for (Assertion x : inbox) {
                if (s.contains(x.id())) {
                    // a duplicate delivery changes nothing
                    assertEquals(s, s.with(x));
                    continue;
                }
                s = s.with(x);
                Set<AssertionId> deadNow = deadClaims(s);
                assertTrue(deadNow.containsAll(dead), () -> "a dead claim came back after receiving " + x);
                assertEquals(referenceDead(s.assertions()), deadNow);
                // only the views of the fact x is about can change; all of them are checked below
                assertDeadInViewsOf(s, factOf(s, x), deadNow);
                dead = deadNow;
            }
            assertDeadInEveryView(s, dead);
            finals.add(s);
        }
        // then merges: whatever was dead anywhere is dead in every merge of it
        AssertionSet all = AssertionSet.empty();
        for (AssertionSet replica : finals) {
            Set<AssertionId> before = new HashSet<>(deadClaims(all));
            before.addAll(deadClaims(replica));
            all = replica.merge(all);
            Set<AssertionId> after = deadClaims(all);
            assertTrue(after.containsAll(before));
            assertDeadInEveryView(all, after);
        }
        assertEquals(referenceDead(d.pool()), deadClaims(all));
    }

    @Property
    void deadStaysDeadAcrossMergesOfSplits(@ForAll("splits") Split s) {
        AssertionSet a = s.setA();
        AssertionSet ab = a.merge(s.setB());
        AssertionSet abc = s.setC().merge(ab);
        assertTrue(deadClaims(ab).containsAll(deadClaims(a)));
        assertTrue(deadClaims(ab).containsAll(deadClaims(s.setB())));
        assertTrue(deadClaims(abc).containsAll(deadClaims(ab)));
        assertTrue(deadClaims(abc).containsAll(deadClaims(s.setC())));
        assertDeadInEveryView(abc, deadClaims(abc));
    }

    // ---------------------------------------------------------------------------------------
    // isLive and Evidence agree.

    @Property
    void isLiveAgreesWithEvidenceLive(@ForAll("pools") List<Assertion> pool) {
        AssertionSet set = AssertionSet.of(pool);
        for (Assertion x : pool) {
            if (x instanceof Claim) {
                Claim c = (Claim) x;
                Evidence e = set.evidence(c.subject(), c.predicate());
                assertTrue(e.claims().contains(c));
                assertEquals(set.isLive(c.id()), e.live().contains(c), c::toString);
                assertEquals(!set.isLive(c.id()), e.isRetracted(c.id()));
                assertEquals(e.isRetracted(c.id()), !e.retractionsOf(c.id()).isEmpty());
            } else {
                Retraction r = (Retraction) x;
                assertFalse(set.isLive(r.id()), "a retraction is never live");
                if (!set.contains(r.target())) {
                    assertFalse(set.isLive(r.target()), "an id not in the set is never live");
                }
            }
        }
        for (Map.Entry<String, String> f : CrdtArbitraries.allFacts()) {
            Evidence e = set.evidence(f.getKey(), f.getValue());
            for (Claim c : e.claims()) {
                assertEquals(set.isLive(c.id()), e.live().contains(c));
            }
            assertTrue(e.claims().containsAll(e.live()));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Evidence is a function of the set of assertions.

    @Property
    void evidenceIgnoresOrderAndDuplicates(@ForAll("reorderings") Tuple2<List<Assertion>, List<Assertion>> t) {
        List<Assertion> pool = t.get1();
        List<Assertion> reordered = t.get2();
        AssertionSet set = AssertionSet.of(reordered);
        for (Map.Entry<String, String> f : CrdtArbitraries.allFacts()) {
            Evidence e1 = Evidence.of(f.getKey(), f.getValue(), pool);
            Evidence e2 = Evidence.of(f.getKey(), f.getValue(), reordered);
            assertEquals(e1, e2);
            assertEquals(e1.hashCode(), e2.hashCode());
            assertEquals(e1.claims(), e2.claims());
            assertEquals(e1.live(), e2.live());
            assertEquals(e1.retractions(), e2.retractions());
            assertEquals(Views.of(e1), Views.of(e2));
            assertEquals(e1, set.evidence(f.getKey(), f.getValue()));
            assertMatchesReference(e1, f.getKey(), f.getValue(), pool);
        }
    }

    @Property
    void asOfIsEvidenceOfTheEarlierSubPool(@ForAll("pools") List<Assertion> pool,
                                           @ForAll("instants") Instant t) {
        List<Assertion> earlier = pool.stream()
                .filter(a -> !a.hlc().instant().isAfter(t))
                .collect(Collectors.toList());
        for (Map.Entry<String, String> f : CrdtArbitraries.allFacts()) {
            Evidence now = Evidence.of(f.getKey(), f.getValue(), pool);
            Evidence then = now.asOf(t);
            Evidence expected = Evidence.of(f.getKey(), f.getValue(), earlier);
            assertEquals(expected, then);
            assertEquals(expected.live(), then.live());
            assertEquals(expected.retractions(), then.retractions());
            assertEquals(Views.of(expected), Views.of(then));
            assertMatchesReference(then, f.getKey(), f.getValue(), earlier);
            assertEquals(now, now.asOf(Instant.MAX));
        }
    }

    @Property
    void filterIsEvidenceOfTheKeptClaimsAndTheirRetractions(@ForAll("pools") List<Assertion> pool,
                                                            @ForAll("sourceSets") Set<String> sources) {
        List<Assertion> kept = pool.stream()
                .filter(a -> a instanceof Retraction || sources.contains(a.source()))
                .collect(Collectors.toList());
        for (Map.Entry<String, String> f : CrdtArbitraries.allFacts()) {
            Evidence filtered = Evidence.of(f.getKey(), f.getValue(), pool).filter(c -> sources.contains(c.source()));
            Evidence expected = Evidence.of(f.getKey(), f.getValue(), kept);
            assertEquals(expected, filtered);
            assertEquals(expected.live(), filtered.live());
            assertEquals(expected.retractions(), filtered.retractions());
            assertEquals(Views.of(expected), Views.of(filtered));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Every view against a naive model computed from the pool alone.

    @Property
    void viewsMatchANaiveModel(@ForAll("pools") List<Assertion> pool) {
        AssertionSet set = AssertionSet.of(pool);
        for (Map.Entry<String, String> f : CrdtArbitraries.allFacts()) {
            Evidence e = set.evidence(f.getKey(), f.getValue());
            List<Claim> live = referenceLive(f.getKey(), f.getValue(), pool);

            Optional<Claim> newest = live.stream().max(NAIVE_ORDER);
            assertEquals(newest, LwwRegister.of(e).winner());
            assertEquals(newest.map(Claim::value), LwwRegister.of(e).value());

            Map<String, Claim> heads = new TreeMap<>();
            for (Claim c : live) {
                heads.merge(c.source(), c, (x, y) -> NAIVE_ORDER.compare(x, y) >= 0 ? x : y);
            }
            MvRegister mv = MvRegister.of(e);
            assertEquals(heads, mv.heads());
            Set<Value> headValues = heads.values().stream().map(Claim::value).collect(Collectors.toSet());
            assertEquals(headValues, new HashSet<>(mv.values()));
            assertEquals(headValues.size() > 1, mv.isConflicted());

            Set<Value> elements = live.stream().map(Claim::value).collect(Collectors.toSet());
            OrSetView or = OrSetView.of(e);
            assertEquals(elements, new HashSet<>(or.elements()));
            assertEquals(new TreeSet<>(elements), or.elements());
            for (Claim c : e.claims()) {
                assertEquals(elements.contains(c.value()), or.contains(c.value()));
            }

            BigInteger p = BigInteger.ZERO;
            BigInteger n = BigInteger.ZERO;
            for (Claim c : live) {
                if (c.value().type() == Value.Type.INTEGER) {
                    BigInteger v = BigInteger.valueOf(c.value().asLong());
                    if (v.signum() >= 0) {
                        p = p.add(v);
                    } else {
                        n = n.add(v.negate());
                    }
                }
            }
            PnCounter counter = PnCounter.of(e);
            assertEquals(p, counter.increments());
            assertEquals(n, counter.decrements());
            assertEquals(p.subtract(n), counter.exact());
            BigInteger exact = p.subtract(n);
            if (exact.bitLength() <= 63) {
                assertEquals(exact.longValueExact(), counter.value());
            } else {
                PnCounter.CounterOverflowException thrown = null;
                try {
                    counter.value();
                } catch (PnCounter.CounterOverflowException ex) {
                    thrown = ex;
                }
                assertTrue(thrown != null, () -> "value() must throw when " + exact + " does not fit in a long");
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // The generator does make the collisions the laws are meant to be tested against.

    @Property
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void poolsAreCollisionHeavy(@ForAll("pools") List<Assertion> pool) {
        assertTrue(pool.size() <= CrdtArbitraries.MAX_POOL);
        Set<AssertionId> ids = distinctIds(pool);
        Set<AssertionId> retractionIds = new HashSet<>();
        Set<AssertionId> claimIds = new HashSet<>();
        for (Assertion a : pool) {
            (a instanceof Claim ? claimIds : retractionIds).add(a.id());
        }
        boolean samePhysical = false;
        boolean sameTime = false;
        boolean sameHlc = false;
        List<Claim> claims = claims(pool);
        for (int i = 0; i < claims.size(); i++) {
            for (int j = i + 1; j < claims.size(); j++) {
                Claim x = claims.get(i);
                Claim y = claims.get(j);
                if (x.subject().equals(y.subject()) && x.predicate().equals(y.predicate()) && !x.id().equals(y.id())) {
                    samePhysical |= x.hlc().physicalMillis() == y.hlc().physicalMillis();
                    sameTime |= x.hlc().physicalMillis() == y.hlc().physicalMillis()
                            && x.hlc().logical() == y.hlc().logical() && x.hlc().node() != y.hlc().node();
                    sameHlc |= x.hlc().equals(y.hlc());
                }
            }
        }
        boolean retractsClaim = false;
        boolean retractsRetraction = false;
        boolean retractsUnknown = false;
        Map<AssertionId, Integer> retractionsPerTarget = new TreeMap<>();
        for (Assertion a : pool) {
            if (a instanceof Retraction) {
                AssertionId target = ((Retraction) a).target();
                retractsClaim |= claimIds.contains(target);
                retractsRetraction |= retractionIds.contains(target);
                retractsUnknown |= !ids.contains(target);
                retractionsPerTarget.merge(target, 1, Integer::sum);
            }
        }
        Statistics.label("big").collect(pool.size() >= 25);
        Statistics.label("duplicate").collect(ids.size() < pool.size());
        Statistics.label("same physical ms").collect(samePhysical);
        Statistics.label("same physical+logical, other node").collect(sameTime);
        Statistics.label("same whole HLC").collect(sameHlc);
        Statistics.label("retracts a claim").collect(retractsClaim);
        Statistics.label("retracts a retraction").collect(retractsRetraction);
        Statistics.label("retracts an unknown id").collect(retractsUnknown);
        Statistics.label("retracts a claim twice").collect(retractionsPerTarget.values().stream().anyMatch(k -> k > 1));
        for (String label : List.of("big", "duplicate", "same physical ms", "same physical+logical, other node",
                "same whole HLC", "retracts a claim", "retracts a retraction", "retracts an unknown id",
                "retracts a claim twice")) {
            Statistics.label(label).coverage(c -> c.check(true).percentage(pct -> pct >= 10.0));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Generators.

    @Provide
    Arbitrary<List<Assertion>> pools() {
        return CrdtArbitraries.pools();
    }

    @Provide
    Arbitrary<Split> splits() {
        return CrdtArbitraries.splits();
    }

    @Provide
    Arbitrary<Delivery> deliveries() {
        return CrdtArbitraries.deliveries();
    }

    @Provide
    Arbitrary<Set<String>> sourceSets() {
        return Arbitraries.of(CrdtArbitraries.SOURCES).set();
    }

    @Provide
    Arbitrary<Instant> instants() {
        return CrdtArbitraries.instantsAroundPool();
    }

    /** A pool, and the same pool permuted, with some members repeated (some as re-built copies). */
    @Provide
    Arbitrary<Tuple2<List<Assertion>, List<Assertion>>> reorderings() {
        return CrdtArbitraries.pools().flatMap(pool -> {
            Arbitrary<List<Integer>> extra = pool.isEmpty()
                    ? Arbitraries.just(List.of())
                    : Arbitraries.integers().between(0, pool.size() - 1).list().ofMaxSize(pool.size());
            return extra.flatMap(dups -> {
                List<Assertion> all = new ArrayList<>(pool);
                for (int i = 0; i < dups.size(); i++) {
                    Assertion a = pool.get(dups.get(i));
                    all.add(i % 2 == 0 ? a : CrdtArbitraries.copy(a));
                }
                return Arbitraries.shuffle(all).map(shuffled -> Tuple.of(pool, shuffled));
            });
        });
    }

    // ---------------------------------------------------------------------------------------
    // Helpers and the naive model.

    /** (physical, logical, node as unsigned, id): written out here rather than taken from RECORD_ORDER. */
    static final Comparator<Claim> NAIVE_ORDER = Comparator
            .comparingLong((Claim c) -> c.hlc().physicalMillis())
            .thenComparingInt(c -> c.hlc().logical())
            .thenComparing((x, y) -> Long.compareUnsigned(x.hlc().node(), y.hlc().node()))
            .thenComparing((x, y) -> new BigInteger(1, x.id().toBytes()).compareTo(new BigInteger(1, y.id().toBytes())));

    static List<Claim> claims(List<Assertion> pool) {
        List<Claim> claims = new ArrayList<>();
        for (Assertion a : pool) {
            if (a instanceof Claim) {
                claims.add((Claim) a);
            }
        }
        return claims;
    }

    static Set<AssertionId> distinctIds(List<Assertion> pool) {
        return pool.stream().map(Assertion::id).collect(Collectors.toSet());
    }

    @SafeVarargs
    static Set<AssertionId> unionIds(List<Assertion>... lists) {
        Set<AssertionId> ids = new HashSet<>();
        for (List<Assertion> l : lists) {
            ids.addAll(distinctIds(l));
        }
        return ids;
    }

    static Set<AssertionId> targets(Iterable<? extends Assertion> assertions) {
        Set<AssertionId> targets = new HashSet<>();
        for (Assertion a : assertions) {
            if (a instanceof Retraction) {
                targets.add(((Retraction) a).target());
            }
        }
        return targets;
    }

    /** The claims in the set that are not live. */
    static Set<AssertionId> deadClaims(AssertionSet s) {
        Set<AssertionId> dead = new HashSet<>();
        for (Assertion a : s.assertions()) {
            if (a instanceof Claim && !s.isLive(a.id())) {
                dead.add(a.id());
            }
        }
        return dead;
    }

    /** The claims among {@code assertions} that some retraction among them targets. */
    static Set<AssertionId> referenceDead(Iterable<? extends Assertion> assertions) {
        Set<AssertionId> targets = targets(assertions);
        Set<AssertionId> dead = new HashSet<>();
        for (Assertion a : assertions) {
            if (a instanceof Claim && targets.contains(a.id())) {
                dead.add(a.id());
            }
        }
        return dead;
    }

    /** The distinct claims of (subject, predicate) in the pool that no retraction in the pool targets, any order. */
    static List<Claim> referenceLive(String subject, String predicate, List<Assertion> pool) {
        Set<AssertionId> targets = targets(pool);
        Map<AssertionId, Claim> live = new TreeMap<>();
        for (Claim c : claims(pool)) {
            if (c.subject().equals(subject) && c.predicate().equals(predicate) && !targets.contains(c.id())) {
                live.putIfAbsent(c.id(), c);
            }
        }
        return new ArrayList<>(live.values());
    }

    static void assertMatchesReference(Evidence e, String subject, String predicate, List<Assertion> pool) {
        Map<AssertionId, Claim> claims = new TreeMap<>();
        for (Claim c : claims(pool)) {
            if (c.subject().equals(subject) && c.predicate().equals(predicate)) {
                claims.putIfAbsent(c.id(), c);
            }
        }
        List<Claim> sorted = new ArrayList<>(claims.values());
        sorted.sort(NAIVE_ORDER);
        assertEquals(sorted, e.claims(), "claims of " + subject + "." + predicate + " oldest first");
        List<Claim> live = referenceLive(subject, predicate, pool);
        live.sort(NAIVE_ORDER);
        assertEquals(live, e.live());
        assertEquals(subject, e.subject());
        assertEquals(predicate, e.predicate());
        assertEquals(sorted.isEmpty(), e.isEmpty());
        Map<AssertionId, Retraction> all = new TreeMap<>();
        for (Claim c : sorted) {
            Map<AssertionId, Retraction> of = new TreeMap<>();
            for (Assertion a : pool) {
                if (a instanceof Retraction && ((Retraction) a).target().equals(c.id())) {
                    of.putIfAbsent(a.id(), (Retraction) a);
                }
            }
            List<Retraction> rs = new ArrayList<>(of.values());
            rs.sort(Comparator.comparing((Retraction r) -> r.hlc()).thenComparing(Retraction::id));
            assertEquals(rs, e.retractionsOf(c.id()));
            assertEquals(!rs.isEmpty(), e.isRetracted(c.id()));
            all.putAll(of);
        }
        List<Retraction> allSorted = new ArrayList<>(all.values());
        allSorted.sort(Comparator.comparing((Retraction r) -> r.hlc()).thenComparing(Retraction::id));
        assertEquals(allSorted, e.retractions());
    }

    /** The (subject, predicate) a claim is about, or that of the claim a retraction names; null if unknown. */
    static Map.Entry<String, String> factOf(AssertionSet s, Assertion x) {
        Claim c = null;
        if (x instanceof Claim) {
            c = (Claim) x;
        } else {
            for (Assertion a : s.assertions()) {
                if (a instanceof Claim && a.id().equals(((Retraction) x).target())) {
                    c = (Claim) a;
                }
            }
        }
        return c == null ? null : Map.entry(c.subject(), c.predicate());
    }

    /** No view of any (subject, predicate) shows a dead claim. */
    static void assertDeadInEveryView(AssertionSet s, Set<AssertionId> dead) {
        for (Map.Entry<String, String> f : CrdtArbitraries.allFacts()) {
            assertDeadInViewsOf(s, f, dead);
        }
    }

    /** No view of {@code f} shows a dead claim (nothing to check when f is null). */
    static void assertDeadInViewsOf(AssertionSet s, Map.Entry<String, String> f, Set<AssertionId> dead) {
        if (f != null) {
            Evidence e = s.evidence(f.getKey(), f.getValue());
            for (Claim c : e.live()) {
                assertFalse(dead.contains(c.id()), () -> "dead claim " + c + " is live in the evidence");
            }
            for (Claim c : e.claims()) {
                assertEquals(dead.contains(c.id()), e.isRetracted(c.id()));
            }
            LwwRegister.of(e).winner().ifPresent(w -> assertFalse(dead.contains(w.id()), () -> "dead LWW winner " + w));
            for (Claim head : MvRegister.of(e).heads().values()) {
                assertFalse(dead.contains(head.id()), () -> "dead MV head " + head);
            }
        }
    }

}
