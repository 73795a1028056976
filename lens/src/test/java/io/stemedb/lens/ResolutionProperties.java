package io.stemedb.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.LwwRegister;
import io.stemedb.crdt.MvRegister;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link Resolution} computes its explanation's parts when asked, and the lenses choose without
 * maps; both must answer exactly what the straightforward computations answer. The references
 * here are those computations as the code did them before (eagerly, with hash sets and maps), on
 * random evidence with colliding timestamps, repeated sources and values, retractions and
 * confidences.
 */
class ResolutionProperties {
    private static final List<String> SOURCES = List.of("crm", "erp", "web", "hr");
    private static final long BASE = 1_700_000_000_000L;
    private static final List<Instant> INSTANTS = List.of(Instant.ofEpochMilli(BASE + 1), Instant.ofEpochMilli(BASE + 3),
            Instant.ofEpochMilli(BASE + 3).plusNanos(1), Instant.ofEpochMilli(BASE + 9));

    /** A fact's evidence, and the random choices a case makes on it. */
    record Case(Evidence evidence, List<Integer> picks, Set<String> narrowSources, Set<String> wideSources, Instant asOf,
            int shape) {
        @Override
        public String toString() {
            return evidence.claims() + " retractions " + evidence.retractions() + " picks " + picks + " narrow " + narrowSources
                    + " wide " + wideSources + " asOf " + asOf + " shape " + shape;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        // now and then a fact of many claims from many sources, past what the lenses sort in place
        return Arbitraries.frequencyOf(Tuple.of(9, cases(Arbitraries.of(SOURCES), Arbitraries.of("acme", "other"), 0, 12)),
                Tuple.of(1, cases(Arbitraries.integers().between(0, 79).map(k -> "source-" + k), Arbitraries.just("acme"), 60, 100)));
    }

    private static Arbitrary<Case> cases(Arbitrary<String> sources, Arbitrary<String> subjects, int minClaims, int maxClaims) {
        Arbitrary<Integer> time = Arbitraries.integers().between(0, 8);
        Arbitrary<Claim> claim = Combinators.combine(sources, Arbitraries.of("a", "b", "c"), time,
                        Arbitraries.integers().between(0, 1), Arbitraries.of(1L, 2L, -1L),
                        Arbitraries.of(-1.0, 0.0, 0.5, 0.9, 1.0), subjects)
                .as((source, value, t, logical, node, confidence, subject) -> {
                    Claim.Builder b = Claim.builder(subject, "hq", Value.text(value)).source(source)
                            .hlc(Hlc.of(BASE + t, logical, node));
                    if (confidence >= 0) {
                        b.confidence(confidence);
                    }
                    return b.build();
                });
        Arbitrary<List<Claim>> claims = claim.list().ofMinSize(minClaims).ofMaxSize(maxClaims);
        Arbitrary<List<Integer>> retracted = Arbitraries.integers().between(0, 99).list().ofMaxSize(5);
        Arbitrary<Evidence> evidence = Combinators.combine(claims, retracted, time).as((cs, rs, t) -> {
            List<Assertion> all = new ArrayList<>(cs);
            for (int r : rs) {
                if (!cs.isEmpty()) {
                    all.add(Retraction.of(cs.get(r % cs.size()).id(), SOURCES.get(r % SOURCES.size()), Hlc.of(BASE + t + r % 3, 0, 1L), null));
                }
            }
            return Evidence.of("acme", "hq", all);
        });
        Arbitrary<Set<String>> subsets = Arbitraries.subsetOf(SOURCES);
        return Combinators.combine(evidence, Arbitraries.integers().between(0, 99).list().ofMaxSize(4), subsets, subsets,
                Arbitraries.of(INSTANTS), Arbitraries.integers().between(0, 4)).as(Case::new);
    }

    /**
     * Resolutions built as lenses build them (chosen on filtered or past evidence, restated on
     * wider evidence once or twice, renamed), compared getter by getter with the reference.
     */
    @Property(tries = 2000)
    void everyPartOfALazyResolutionIsWhatTheReferenceComputes(@ForAll("cases") Case c) {
        Evidence whole = c.evidence();
        Predicate<Claim> wide = x -> !c.wideSources().contains(x.source());
        Predicate<Claim> narrow = x -> wide.test(x) && !c.narrowSources().contains(x.source());
        Evidence middle = c.shape() == 3 ? whole.asOf(c.asOf()).filter(wide) : whole.filter(wide);
        Evidence inner = middle.filter(narrow);
        List<Claim> winners = pick(inner, c.picks());
        Ops<Eager> reference = new Ops<>(Eager::of, Eager::within, Eager::decidedBy, Outcome::of);
        Ops<Resolution> lazy = new Ops<>(Resolution::of, Resolution::within, Resolution::decidedBy, Outcome::of);
        assertEquals(build(reference, c.shape(), whole, middle, inner, winners), build(lazy, c.shape(), whole, middle, inner, winners));
    }

    /** How a case builds a resolution, on {@link Resolution} or on the reference. */
    record Ops<R>(Of<R> of, Within<R> within, BiFunction<R, String, R> decidedBy, Function<R, Outcome> outcome) {}

    interface Of<R> {
        R of(Evidence evidence, String lens, List<Claim> winners);
    }

    interface Within<R> {
        R within(R r, Evidence wider, String reason, String lens);
    }

    /** A resolution chosen on {@code inner}, restated on wider evidence as the case's shape says, or the refusal. */
    private static <R> Outcome build(Ops<R> ops, int shape, Evidence whole, Evidence middle, Evidence inner, List<Claim> winners) {
        try {
            R r = ops.of().of(inner, "mine", winners);
            return ops.outcome().apply(switch (shape) {
                case 0 -> r;
                case 1 -> ops.within().within(r, middle, "not narrow", "mine.narrow");
                case 2, 3 -> ops.decidedBy().apply(ops.within().within(ops.within().within(r, middle, "not narrow", "mine.narrow"),
                        whole, "not wide", "mine.both"), "renamed");
                default -> ops.of().of(whole, "none", List.of());
            });
        } catch (IllegalArgumentException x) {
            return Outcome.failed(x);
        }
    }

    /** Each built-in lens that no longer goes through maps chooses what the map-based computation chose. */
    @Property(tries = 2000)
    void theLensesChooseWhatTheReferenceChooses(@ForAll("cases") Case c) {
        Evidence e = c.evidence();
        assertEquals(LwwRegister.of(e).winner().map(List::of).orElse(List.of()), Lenses.latest().resolve(e).winners());
        Comparator<Claim> confidence = Comparator.comparingDouble((Claim x) -> x.confidence().orElse(-1.0))
                .thenComparing(Assertion.RECORD_ORDER);
        assertEquals(e.live().stream().max(confidence).map(List::of).orElse(List.of()), Lenses.confident().resolve(e).winners());
        List<Claim> heads = new ArrayList<>(MvRegister.of(e).heads().values());
        heads.sort(Assertion.RECORD_ORDER);
        assertEquals(heads, Lenses.all().resolve(e).winners());
        assertEquals(vote(e, x -> 1.0, 1), Lenses.majority().resolve(e).winners());
        assertEquals(vote(e, x -> 1.0, 2), Lenses.quorum(2).resolve(e).winners());
        Map<String, Double> weights = Map.of("crm", 2.0, "erp", 0.5, "web", 1.0);
        assertEquals(vote(e, x -> weights.getOrDefault(x.source(), 0.0) * x.confidence().orElse(1.0), 1),
                Lenses.weighted(weights).resolve(e).winners());
    }

    /**
     * The built-in lenses keep their answer on the evidence ({@link Evidence#remember}): whatever
     * lenses read the same evidence before, in whatever order and however often, each answers what
     * it answers on new evidence of the same claims that nothing has read.
     */
    @Property(tries = 1000)
    void aLensReadingEvidenceAgainAnswersWhatItAnswersOnNewEvidence(@ForAll("cases") Case c,
            @ForAll("lensSequences") List<Integer> sequence) {
        List<Lens> lenses = List.of(Lenses.latest(), Lenses.majority(), Lenses.quorum(2), Lenses.confident(), Lenses.all(),
                Lenses.trust("web", "crm"), Lenses.trustOnly("erp"), Lenses.weighted(Map.of("crm", 2.0, "web", 1.0)),
                Lenses.majority().onlySources("crm", "web"), Lenses.latest().asOf(c.asOf()), Lenses.trust("hr").orElse(Lenses.majority()));
        Evidence shared = c.evidence();
        List<Assertion> all = new ArrayList<>(shared.claims());
        all.addAll(shared.retractions());
        for (int i : sequence) {
            Lens lens = lenses.get(i % lenses.size());
            Evidence fresh = Evidence.of(shared.subject(), shared.predicate(), all);
            assertEquals(Outcome.of(lens.resolve(fresh)), Outcome.of(lens.resolve(shared)), lens.name());
        }
    }

    @Provide
    Arbitrary<List<Integer>> lensSequences() {
        return Arbitraries.integers().between(0, 10).list().ofMinSize(1).ofMaxSize(12);
    }

    /** A winner list from {@code picks}: live claims (some twice, in any order) and now and then a retracted or foreign one. */
    private static List<Claim> pick(Evidence e, List<Integer> picks) {
        List<Claim> winners = new ArrayList<>();
        for (int p : picks) {
            if (p % 10 == 9 && !e.claims().isEmpty()) {
                winners.add(e.claims().get(p % e.claims().size()));
            } else if (!e.live().isEmpty()) {
                winners.add(e.live().get(p % e.live().size()));
            }
        }
        return winners;
    }

    /** The vote as Tally counted it with maps: sources' heads by value in a tree map, each value's supporters summed in record order. */
    private static List<Claim> vote(Evidence e, ToDoubleFunction<Claim> weight, int quorum) {
        Map<Value, List<Claim>> byValue = new TreeMap<>();
        for (Claim head : MvRegister.of(e).heads().values()) {
            byValue.computeIfAbsent(head.value(), v -> new ArrayList<>()).add(head);
        }
        List<Claim> best = null;
        double bestTotal = 0;
        for (List<Claim> supporters : byValue.values()) {
            supporters.sort(Assertion.RECORD_ORDER);
            double total = 0;
            for (Claim s : supporters) {
                total += weight.applyAsDouble(s);
            }
            if (total > 0 && (best == null || total > bestTotal || (total == bestTotal
                    && Assertion.RECORD_ORDER.compare(supporters.get(supporters.size() - 1), best.get(best.size() - 1)) > 0))) {
                best = supporters;
                bestTotal = total;
            }
        }
        return best == null || best.size() < quorum ? List.of() : best;
    }

    /** Everything a resolution says, or the message it was refused with. */
    record Outcome(String lens, Evidence evidence, List<Claim> winners, List<Claim> overruled, List<Resolution.SetAside> setAside,
            List<Claim> retracted, SortedSet<Value> values, String value, boolean empty, String explain, String failure) {
        static Outcome of(Resolution r) {
            return new Outcome(r.lens(), r.evidence(), r.winners(), r.overruled(), r.setAside(), r.retracted(), r.values(),
                    valueOf(r), r.isEmpty(), r.explain(), null);
        }

        static Outcome of(Eager r) {
            return new Outcome(r.lens(), r.evidence(), r.winners(), r.overruled(), r.setAside(), r.retracted(), r.values(),
                    r.values().size() > 1 ? "ambiguous " + r.values() : String.valueOf(r.values().stream().findFirst()),
                    r.winners().isEmpty(), r.explain(), null);
        }

        static Outcome failed(IllegalArgumentException x) {
            return new Outcome(null, null, null, null, null, null, null, null, false, null, x.getMessage());
        }

        private static String valueOf(Resolution r) {
            try {
                return String.valueOf(r.value());
            } catch (Resolution.AmbiguousResolutionException x) {
                return "ambiguous " + r.values();
            }
        }
    }

    /** The resolution as it was computed before: eagerly, with hash sets (the code of Resolution at 34c2b19). */
    record Eager(Evidence evidence, String lens, List<Claim> winners, List<Claim> overruled, List<Resolution.SetAside> setAside) {
        static Eager of(Evidence evidence, String lens, List<Claim> winners) {
            Set<AssertionId> chosen = chosen(evidence, lens, winners);
            List<Claim> overruled = new ArrayList<>();
            for (Claim c : evidence.live()) {
                if (!chosen.contains(c.id())) {
                    overruled.add(c);
                }
            }
            return new Eager(evidence, lens, List.copyOf(winners), overruled, List.of());
        }

        private static Set<AssertionId> chosen(Evidence evidence, String lens, List<Claim> winners) {
            Set<AssertionId> live = new HashSet<>();
            evidence.live().forEach(c -> live.add(c.id()));
            Set<AssertionId> chosen = new HashSet<>();
            for (Claim w : winners) {
                if (!live.contains(w.id())) {
                    throw new IllegalArgumentException("lens " + lens + " chose " + w.id().shortHex()
                            + (evidence.isRetracted(w.id()) ? ", which is retracted" : ", which is not in the evidence")
                            + "; a lens may only choose live claims");
                }
                chosen.add(w.id());
            }
            return chosen;
        }

        Eager within(Evidence wider, String reason, String lensName) {
            Objects.requireNonNull(reason, "reason");
            Set<AssertionId> seen = new HashSet<>();
            evidence.live().forEach(c -> seen.add(c.id()));
            setAside.forEach(s -> seen.add(s.claim().id()));
            List<Resolution.SetAside> aside = new ArrayList<>(setAside);
            for (Claim c : wider.live()) {
                if (seen.add(c.id())) {
                    aside.add(new Resolution.SetAside(c, reason));
                }
            }
            chosen(wider, lensName, winners);
            return new Eager(wider, lensName, winners, overruled, aside);
        }

        Eager decidedBy(String lensName) {
            return new Eager(evidence, lensName, winners, overruled, setAside);
        }

        SortedSet<Value> values() {
            SortedSet<Value> values = new TreeSet<>();
            winners.forEach(w -> values.add(w.value()));
            return Collections.unmodifiableSortedSet(values);
        }

        List<Claim> retracted() {
            List<Claim> retracted = new ArrayList<>();
            for (Claim c : evidence.claims()) {
                if (evidence.isRetracted(c.id())) {
                    retracted.add(c);
                }
            }
            return retracted;
        }

        String explain() {
            StringBuilder s = new StringBuilder(lens).append(": ");
            if (winners.isEmpty()) {
                s.append(evidence.isEmpty() ? "no claims" : evidence.live().isEmpty() ? "every claim is retracted" : "no claim qualified");
            } else {
                appendClaims(s, winners);
            }
            if (!overruled.isEmpty()) {
                s.append("; overruled: ");
                appendClaims(s, overruled);
            }
            Map<String, List<Claim>> asideByReason = new LinkedHashMap<>();
            setAside.forEach(a -> asideByReason.computeIfAbsent(a.reason(), r -> new ArrayList<>()).add(a.claim()));
            asideByReason.forEach((reason, claims) -> {
                s.append("; set aside (").append(reason).append("): ");
                appendClaims(s, claims);
            });
            List<Claim> retracted = retracted();
            if (!retracted.isEmpty()) {
                s.append("; retracted: ");
                for (int i = 0; i < retracted.size(); i++) {
                    Claim c = retracted.get(i);
                    s.append(i == 0 ? "" : ", ");
                    describe(s, c);
                    Retraction first = evidence.retractionsOf(c.id()).get(0);
                    s.append(" by ").append(first.source()).append(" at ").append(first.hlc().instant());
                }
            }
            return s.toString();
        }

        private static void appendClaims(StringBuilder s, List<Claim> claims) {
            for (int i = 0; i < claims.size(); i++) {
                if (i > 0) {
                    s.append(", ");
                }
                describe(s, claims.get(i));
            }
        }

        private static void describe(StringBuilder s, Claim c) {
            s.append(c.source()).append(" said ").append(c.value()).append(" at ").append(c.hlc().instant());
            c.confidence().ifPresent(conf -> s.append(" with confidence ").append(conf));
            s.append(" (").append(c.id().shortHex()).append(')');
        }
    }
}
