package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of collision-heavy assertion pools for the merge-law properties.
 *
 * <p>Every domain is kept tiny so that the interesting coincidences happen often: few subjects,
 * predicates and sources; a handful of texts and small integers (with negatives, and rarely the
 * extreme longs); HLC physical times from a five-millisecond window, logical counters 0..2 and
 * four node ids (one of them {@code -1L}, which orders last as an unsigned node), and claims that
 * copy the HLC of the claim before them, so equal physical times, equal (physical, logical) pairs
 * and even equal whole timestamps occur. Retractions mostly target claims of the pool; some target
 * an id not in the pool (a random id, or the id of a "ghost" claim that was never delivered), some
 * target another retraction, and some claims are retracted several times. Pools also hold
 * content-equal re-built copies of some of their members (same id, different object).
 */
final class CrdtArbitraries {
    static final List<String> SUBJECTS = List.of("user:1", "user:2", "user:3");
    static final List<String> PREDICATES = List.of("name", "score");
    static final List<String> SOURCES = List.of("crm", "billing", "alice", "bob");
    static final long BASE_MS = 1_700_000_000_000L;
    /** Physical times are BASE_MS + 0..TIME_SPAN-1. */
    static final int TIME_SPAN = 5;
    static final List<Long> NODES = List.of(1L, 2L, 0x7fL, -1L);
    static final int MAX_POOL = 40;

    private static final int MAX_CLAIMS = 22;
    private static final int MAX_GHOSTS = 2;
    private static final int MAX_RETRACTIONS = 12;
    private static final int MAX_COPIES = 4;

    private CrdtArbitraries() {}

    /** Every (subject, predicate) the generators can produce, pairs without claims included. */
    static List<Map.Entry<String, String>> allFacts() {
        List<Map.Entry<String, String>> facts = new ArrayList<>();
        for (String s : SUBJECTS) {
            for (String p : PREDICATES) {
                facts.add(Map.entry(s, p));
            }
        }
        return facts;
    }

    static Arbitrary<Value> values() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("a", "b", "c", "").map(Value::text)),
                Tuple.of(8, Arbitraries.longs().between(-3, 3).map(Value::integer)),
                Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE).map(Value::integer)),
                Tuple.of(2, Arbitraries.of(Value.bool(true), Value.real(1.0), Value.ref("user:1"))));
    }

    static Arbitrary<Hlc> hlcs() {
        Arbitrary<Long> physical = Arbitraries.longs().between(BASE_MS, BASE_MS + TIME_SPAN - 1);
        Arbitrary<Integer> logical = Arbitraries.frequency(Tuple.of(5, 0), Tuple.of(2, 1), Tuple.of(1, 2));
        Arbitrary<Long> node = Arbitraries.of(NODES);
        return Combinators.combine(physical, logical, node).as(Hlc::of);
    }

    /** The recipe of one claim; {@code reuseHlc} makes it take the HLC of the claim built before it. */
    record ClaimSpec(String subject, String predicate, Value value, String source, Hlc hlc,
                     double confidence, boolean reuseHlc) {}

    static Arbitrary<ClaimSpec> claimSpecs() {
        // -1 for none
        Arbitrary<Double> confidence = Arbitraries.frequency(
                Tuple.of(6, -1.0), Tuple.of(1, 0.0), Tuple.of(1, 0.5), Tuple.of(1, 1.0));
        Arbitrary<Boolean> reuseHlc = Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true));
        return Combinators.combine(Arbitraries.of(SUBJECTS), Arbitraries.of(PREDICATES), values(),
                        Arbitraries.of(SOURCES), hlcs(), confidence, reuseHlc)
                .as(ClaimSpec::new);
    }

    enum TargetKind { CLAIM, RETRACTION, UNKNOWN, GHOST }

    /** The recipe of one retraction: what kind of id it names and which one (an index, taken modulo). */
    record RetractionSpec(TargetKind kind, int index, String source, Hlc hlc, boolean metadata, byte[] randomId) {}

    static Arbitrary<RetractionSpec> retractionSpecs() {
        Arbitrary<TargetKind> kind = Arbitraries.frequency(
                Tuple.of(12, TargetKind.CLAIM), Tuple.of(2, TargetKind.RETRACTION),
                Tuple.of(1, TargetKind.UNKNOWN), Tuple.of(1, TargetKind.GHOST));
        Arbitrary<byte[]> randomId = Arbitraries.bytes().array(byte[].class).ofSize(AssertionId.LENGTH);
        return Combinators.combine(kind, Arbitraries.integers().between(0, 999), Arbitraries.of(SOURCES), hlcs(),
                        Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true)), randomId)
                .as(RetractionSpec::new);
    }

    /** A pool of 0..40 assertions (duplicates by content included). */
    static Arbitrary<List<Assertion>> pools() {
        // Explicit sizes without edge cases: jqwik's own list sizes and size edge cases favour small
        // lists, and small pools collide little. Empty and tiny pools still come up, a few percent.
        Arbitrary<Integer> claimCount = Arbitraries.frequencyOf(
                Tuple.of(1, uniformSize(0, 5)), Tuple.of(4, uniformSize(6, MAX_CLAIMS)));
        Arbitrary<List<ClaimSpec>> claims = claimCount.flatMap(n -> claimSpecs().list().ofSize(n));
        Arbitrary<List<ClaimSpec>> ghosts = claimSpecs().list().ofMaxSize(MAX_GHOSTS);
        Arbitrary<List<RetractionSpec>> retractions =
                uniformSize(0, MAX_RETRACTIONS).flatMap(n -> retractionSpecs().list().ofSize(n));
        Arbitrary<List<Integer>> copies = Arbitraries.integers().between(0, 999).list().ofMaxSize(MAX_COPIES);
        return Combinators.combine(claims, ghosts, retractions, copies).as(CrdtArbitraries::build);
    }

    private static Arbitrary<Integer> uniformSize(int min, int max) {
        return Arbitraries.integers().between(min, max).withDistribution(RandomDistribution.uniform()).withoutEdgeCases();
    }

    static List<Assertion> build(List<ClaimSpec> claimSpecs, List<ClaimSpec> ghostSpecs,
                                 List<RetractionSpec> retractionSpecs, List<Integer> copies) {
        List<Claim> claims = buildClaims(claimSpecs);
        List<Claim> ghosts = buildClaims(ghostSpecs);
        List<Retraction> retractions = new ArrayList<>();
        for (RetractionSpec spec : retractionSpecs) {
            TargetKind kind = spec.kind();
            if (kind == TargetKind.RETRACTION && retractions.isEmpty()) {
                kind = TargetKind.CLAIM;
            }
            if (kind == TargetKind.CLAIM && claims.isEmpty()) {
                kind = TargetKind.UNKNOWN;
            }
            if (kind == TargetKind.GHOST && ghosts.isEmpty()) {
                kind = TargetKind.UNKNOWN;
            }
            AssertionId target;
            switch (kind) {
                case CLAIM:
                    target = claims.get(spec.index() % claims.size()).id();
                    break;
                case RETRACTION:
                    target = retractions.get(spec.index() % retractions.size()).id();
                    break;
                case GHOST:
                    target = ghosts.get(spec.index() % ghosts.size()).id();
                    break;
                default:
                    target = AssertionId.fromBytes(spec.randomId());
            }
            retractions.add(Retraction.of(target, spec.source(), spec.hlc(),
                    spec.metadata() ? Map.of("reason", "wrong") : null));
        }
        List<Assertion> pool = new ArrayList<>(claims);
        pool.addAll(retractions);
        if (!pool.isEmpty()) {
            for (int i : copies) {
                pool.add(copy(pool.get(i % pool.size())));
            }
        }
        return pool;
    }

    private static List<Claim> buildClaims(List<ClaimSpec> specs) {
        List<Claim> claims = new ArrayList<>();
        Hlc previous = null;
        for (ClaimSpec s : specs) {
            Hlc hlc = s.reuseHlc() && previous != null ? previous : s.hlc();
            Claim.Builder b = Claim.builder(s.subject(), s.predicate(), s.value()).source(s.source()).hlc(hlc);
            if (s.confidence() >= 0) {
                b.confidence(s.confidence());
            }
            claims.add(b.build());
            previous = hlc;
        }
        return claims;
    }

    /** A content-equal assertion built anew: the same id, another object. */
    static Assertion copy(Assertion a) {
        if (a instanceof Claim) {
            return ((Claim) a).toBuilder().build();
        }
        Retraction r = (Retraction) a;
        return Retraction.of(r.target(), r.source(), r.hlc(), r.metadata().isEmpty() ? null : r.metadata());
    }

    // ---------------------------------------------------------------------------------------
    // Splits of one pool into overlapping sub-sets.

    /** Three sub-sets of one pool: element i goes to A, B, C by the bits of masks[i]. */
    record Split(List<Assertion> pool, List<Assertion> a, List<Assertion> b, List<Assertion> c) {
        AssertionSet setA() {
            return AssertionSet.of(a);
        }

        AssertionSet setB() {
            return AssertionSet.of(b);
        }

        AssertionSet setC() {
            return AssertionSet.of(c);
        }
    }

    static Arbitrary<Split> splits() {
        return pools().flatMap(pool -> Arbitraries.integers().between(0, 7).list().ofSize(pool.size())
                .map(masks -> {
                    List<Assertion> a = new ArrayList<>();
                    List<Assertion> b = new ArrayList<>();
                    List<Assertion> c = new ArrayList<>();
                    for (int i = 0; i < pool.size(); i++) {
                        int m = masks.get(i);
                        // copies in B and C, so that the sets share ids, not objects
                        if ((m & 1) != 0) {
                            a.add(pool.get(i));
                        }
                        if ((m & 2) != 0) {
                            b.add(copy(pool.get(i)));
                        }
                        if ((m & 4) != 0) {
                            c.add(copy(pool.get(i)));
                        }
                    }
                    return new Split(pool, a, b, c);
                }));
    }

    // ---------------------------------------------------------------------------------------
    // Delivery of a pool to replicas.

    /** One delivery: pool element {@code index} to replica {@code replica} (modulo), in order of {@code key}. */
    record Send(int index, int replica, int key, boolean copy) {}

    /** How a replica takes in its deliveries. */
    enum Intake { WITH_EACH, MERGE_SINGLETONS, OF_LIST }

    /**
     * A pool delivered to 2..3 replicas: every element goes to at least one replica (its owner),
     * some elements again to any replica, possibly as content-equal copies; each replica takes its
     * deliveries in the order of their keys, and the replicas are then merged pairwise in the order
     * the merge choices pick.
     */
    record Delivery(List<Assertion> pool, int replicaCount, List<Send> sends, List<Intake> intakes,
                    List<Integer> mergeChoices) {

        List<List<Assertion>> inboxes() {
            List<List<Send>> perReplica = new ArrayList<>();
            for (int r = 0; r < replicaCount; r++) {
                perReplica.add(new ArrayList<>());
            }
            for (Send s : sends) {
                perReplica.get(s.replica() % replicaCount).add(s);
            }
            List<List<Assertion>> inboxes = new ArrayList<>();
            for (List<Send> ss : perReplica) {
                ss.sort(Comparator.comparingInt(Send::key)); // stable: equal keys keep their order
                List<Assertion> inbox = new ArrayList<>();
                for (Send s : ss) {
                    Assertion a = pool.get(s.index());
                    inbox.add(s.copy() ? copy(a) : a);
                }
                inboxes.add(inbox);
            }
            return inboxes;
        }

        List<AssertionSet> replicas() {
            List<AssertionSet> replicas = new ArrayList<>();
            List<List<Assertion>> inboxes = inboxes();
            for (int r = 0; r < inboxes.size(); r++) {
                replicas.add(intake(intakes.get(r), inboxes.get(r)));
            }
            return replicas;
        }

        /** The replicas merged two at a time, the pair and its direction chosen by the merge choices. */
        AssertionSet merged() {
            return merged(replicas());
        }

        AssertionSet merged(List<AssertionSet> replicas) {
            List<AssertionSet> states = new ArrayList<>(replicas);
            int step = 0;
            while (states.size() > 1) {
                int choice = mergeChoices.get(step++ % mergeChoices.size());
                int i = choice % states.size();
                int j = (i + 1 + (choice / 7) % (states.size() - 1)) % states.size();
                AssertionSet merged = states.get(i).merge(states.get(j));
                states.remove(Math.max(i, j));
                states.remove(Math.min(i, j));
                states.add(merged);
            }
            return states.get(0);
        }
    }

    static AssertionSet intake(Intake intake, List<Assertion> inbox) {
        switch (intake) {
            case OF_LIST:
                return AssertionSet.of(inbox);
            case MERGE_SINGLETONS: {
                AssertionSet s = AssertionSet.empty();
                for (Assertion a : inbox) {
                    s = s.merge(AssertionSet.of(List.of(a)));
                }
                return s;
            }
            default: {
                AssertionSet s = AssertionSet.empty();
                for (Assertion a : inbox) {
                    s = s.with(a);
                }
                return s;
            }
        }
    }

    static Arbitrary<Delivery> deliveries() {
        // Each send is packed in one int (replica, copy flag and order key; plus the pool index for
        // the extra sends): one list arbitrary per schedule rather than a combinator per send keeps
        // generation cheap, and everything still shrinks towards 0 (replica 0, no copy, key 0).
        return pools().flatMap(pool -> {
            int n = pool.size();
            Arbitrary<Integer> replicaCount = Arbitraries.integers().between(2, 3);
            Arbitrary<List<Integer>> ownerSends = Arbitraries.integers().between(0, SEND_CODES - 1).list().ofSize(n);
            Arbitrary<List<Integer>> extraSends = n == 0
                    ? Arbitraries.just(List.of())
                    : Arbitraries.integers().between(0, n * SEND_CODES - 1).list().ofMaxSize(n + 5);
            Arbitrary<List<Intake>> intakes = Arbitraries.of(Intake.class).list().ofSize(3);
            Arbitrary<List<Integer>> mergeChoices = Arbitraries.integers().between(0, 999).list().ofMinSize(1).ofMaxSize(3);
            return Combinators.combine(replicaCount, ownerSends, extraSends, intakes, mergeChoices)
                    .as((r, owners, extras, in, m) -> {
                        List<Send> sends = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            sends.add(unpack(i, owners.get(i)));
                        }
                        for (int e : extras) {
                            sends.add(unpack(e / SEND_CODES, e % SEND_CODES));
                        }
                        return new Delivery(pool, r, sends, in, m);
                    });
        });
    }

    /** Replica 0..2, times copy or not, times order key 0..999. */
    private static final int SEND_CODES = 3 * 2 * 1000;

    private static Send unpack(int index, int code) {
        return new Send(index, code % 3, code / 6, (code / 3) % 2 == 1);
    }

    // ---------------------------------------------------------------------------------------
    // Views.

    /** Every view of one (subject, predicate). */
    record Views(Evidence evidence, LwwRegister lww, MvRegister mv, OrSetView orSet, PnCounter counter) {
        static Views of(Evidence e) {
            return new Views(e, LwwRegister.of(e), MvRegister.of(e), OrSetView.of(e), PnCounter.of(e));
        }
    }

    /** The views of every (subject, predicate) the generators know, in a fixed order. */
    static Map<Map.Entry<String, String>, Views> viewsOf(AssertionSet set) {
        Map<Map.Entry<String, String>, Views> views = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : allFacts()) {
            views.put(f, Views.of(set.evidence(f.getKey(), f.getValue())));
        }
        return views;
    }

    static Arbitrary<Instant> instantsAroundPool() {
        Arbitrary<Long> ms = Arbitraries.longs().between(BASE_MS - 1, BASE_MS + TIME_SPAN);
        Arbitrary<Integer> nanos = Arbitraries.of(0, 1, 500_000, 999_999);
        return Combinators.combine(ms, nanos).as((m, n) -> Instant.ofEpochMilli(m).plusNanos(n));
    }
}
