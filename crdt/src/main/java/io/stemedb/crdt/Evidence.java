package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Everything a replica knows about one (subject, predicate): its claims and the retractions that
 * target them, each in {@link Assertion#RECORD_ORDER}. It is the input of every CRDT view and
 * every lens. Because the lists are ordered by content alone and duplicates are dropped, two
 * replicas holding the same set build equal evidence, whatever order the assertions arrived in.
 * Immutable and thread-safe: engines cache one instance and hand it to every reader.
 *
 * <p><b>Design.</b> Evidence sits on every read, so what a reader asks of it costs no
 * allocation: {@link #live()} is computed once (and is {@link #claims()} itself when nothing is
 * retracted), {@link #retractions()} is kept, and {@link #filter} and {@link #asOf} return this
 * very evidence, or share its lists, when they drop nothing. Engines read a fact from an index
 * that already lists its assertions in record order and once each; {@link #ofOrdered} takes that
 * list as it is, checking its order in one pass instead of sorting it again. What the voting
 * lenses need of it, each source's newest live claim ({@link #heads()}), is computed once per
 * evidence, so the engines' cached evidence answers it at once.
 */
public final class Evidence {
    /** Facts of up to this many live claims find their heads without sorting. */
    private static final int FEW = 32;
    /** Equal sources together (by cached hash code first: the order means nothing beyond that). */
    private static final Comparator<Claim> BY_SOURCE = (a, b) -> {
        int byHash = Integer.compare(a.source().hashCode(), b.source().hashCode());
        return byHash != 0 ? byHash : a.source().compareTo(b.source());
    };
    private final String subject;
    private final String predicate;
    private final List<Claim> claims;
    private final List<Claim> live;
    /** Every retraction of a claim here, in record order. */
    private final List<Retraction> retractions;
    /** The same retractions by target, each list in record order; empty when nothing is retracted. */
    private final Map<AssertionId, List<Retraction>> byTarget;
    /** The instant this evidence was cut back to by {@link #asOf}, or null for the present. */
    private final Instant asOf;
    /** {@link #heads()}, computed on first use (volatile: evidence is shared between threads). */
    private volatile List<Claim> heads;
    /** The claims of this fact whose content was erased, in id order; empty for almost every fact. */
    private final List<ErasedClaim> erased;
    /** Which claims are signed by a registered key: {@link Proofs#NONE} unless a database attached its own. */
    private final Proofs proofs;
    /**
     * The evidence {@link #withProofs} made last, with the proofs and their version it was made
     * with: engines share evidence between reads, so a database attaching the same proofs read
     * after read makes it once. Not volatile, like {@code String}'s hash: what it holds is
     * immutable with final fields, so a thread that does not see another's write only makes it
     * again, and a read of evidence that is not shared pays no memory fence for it.
     */
    private Attached attached;
    /** {@link #proven()}, computed on first use (not volatile, as {@link #attached}). */
    private Evidence proven;
    /** What {@link #remember} computed last, with its key (not volatile, as {@link #attached}). */
    private Remembered remembered;

    /** An answer {@link #remember} keeps, and the key it was computed for. */
    private record Remembered(Object key, Object answer) {}

    /** This evidence with {@code proofs} attached, as {@code proofs} were at {@code version}. */
    private record Attached(Proofs proofs, long version, Evidence evidence) {}

    /**
     * Takes the lists as they are: {@code claims} and {@code retractions} immutable and in record
     * order, every retraction's target among the claims, {@code byTarget} their immutable grouping
     * and {@code live} the claims it does not name.
     */
    private Evidence(String subject, String predicate, List<Claim> claims, List<Claim> live, List<Retraction> retractions,
            Map<AssertionId, List<Retraction>> byTarget, Instant asOf, List<ErasedClaim> erased, Proofs proofs) {
        this.subject = subject;
        this.predicate = predicate;
        this.claims = claims;
        this.live = live;
        this.retractions = retractions;
        this.byTarget = byTarget;
        this.asOf = asOf;
        this.erased = erased;
        this.proofs = proofs;
    }

    /** Evidence of {@code claims} and {@code retractions}, immutable, in record order, each retraction of one of the claims. */
    private static Evidence assemble(String subject, String predicate, List<Claim> claims, List<Retraction> retractions, Instant asOf) {
        Map<AssertionId, List<Retraction>> byTarget = group(retractions);
        return new Evidence(subject, predicate, claims, live(claims, byTarget), retractions, byTarget, asOf, List.of(), Proofs.NONE);
    }

    /** The claims {@code byTarget} does not name: {@code claims} itself when nothing is retracted. */
    private static List<Claim> live(List<Claim> claims, Map<AssertionId, List<Retraction>> byTarget) {
        if (byTarget.isEmpty()) {
            return claims;
        }
        List<Claim> alive = new ArrayList<>(claims.size());
        for (Claim c : claims) {
            if (!byTarget.containsKey(c.id())) {
                alive.add(c);
            }
        }
        return Collections.unmodifiableList(alive);
    }

    /**
     * The evidence about ({@code subject}, {@code predicate}) among {@code assertions}: the claims
     * about it and the retractions of those claims; everything else, and duplicates, are ignored.
     * The assertions may come in any order.
     */
    public static Evidence of(String subject, String predicate, Collection<? extends Assertion> assertions) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(predicate, "predicate");
        Map<AssertionId, Claim> claims = new HashMap<>();
        Map<AssertionId, Retraction> retractions = new HashMap<>();
        for (Assertion a : assertions) {
            if (a instanceof Claim c) {
                if (c.subject().equals(subject) && c.predicate().equals(predicate)) {
                    claims.putIfAbsent(c.id(), c);
                }
            } else if (a instanceof Retraction r) {
                retractions.putIfAbsent(r.id(), r);
            }
        }
        Claim[] sorted = claims.values().toArray(new Claim[0]);
        Arrays.sort(sorted, Assertion.RECORD_ORDER);
        List<Retraction> kept = new ArrayList<>();
        for (Retraction r : retractions.values()) {
            if (claims.containsKey(r.target())) {
                kept.add(r);
            }
        }
        kept.sort(Assertion.RECORD_ORDER);
        return assemble(subject, predicate, List.of(sorted), List.copyOf(kept), null);
    }

    /**
     * The evidence about ({@code subject}, {@code predicate}) from an index that already lists it
     * in order: what an engine reads from storage. Unlike {@link #of}, it neither sorts nor drops
     * anything; it checks, in one pass, that {@code assertions} are:
     * <ul>
     *   <li>claims about ({@code subject}, {@code predicate}), strictly increasing in
     *       {@link Assertion#RECORD_ORDER} (so each once), and</li>
     *   <li>retractions, also strictly increasing in record order, each of one of those claims.</li>
     * </ul>
     * Claims and retractions may be interleaved (an index typically lists the claims, then the
     * retractions). The evidence keeps no reference to {@code assertions}.
     *
     * @throws IllegalArgumentException naming the first assertion out of place, if the list breaks
     *     these rules: an engine bug, or a caller that should use {@link #of}
     */
    public static Evidence ofOrdered(String subject, String predicate, List<? extends Assertion> assertions) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(predicate, "predicate");
        Claim[] claims = new Claim[assertions.size()];
        int claimCount = 0;
        List<Retraction> retractions = List.of();
        int i = 0;
        for (Assertion a : assertions) {
            if (a instanceof Claim c) {
                if (!c.subject().equals(subject) || !c.predicate().equals(predicate)) {
                    throw outOfPlace(i, a, "is about " + c.subject() + "." + c.predicate() + ", not " + subject + "." + predicate);
                }
                if (claimCount > 0 && Assertion.RECORD_ORDER.compare(claims[claimCount - 1], c) >= 0) {
                    throw outOfPlace(i, a, "is not after the claim before it in record order");
                }
                claims[claimCount++] = c;
            } else if (a instanceof Retraction r) {
                if (retractions.isEmpty()) {
                    retractions = new ArrayList<>();
                } else if (Assertion.RECORD_ORDER.compare(retractions.get(retractions.size() - 1), r) >= 0) {
                    throw outOfPlace(i, a, "is not after the retraction before it in record order");
                }
                retractions.add(r);
            } else {
                throw outOfPlace(i, a, "is an erasure; evidence holds claims and retractions");
            }
            i++;
        }
        List<Claim> claimList = List.of(claimCount == claims.length ? claims : Arrays.copyOf(claims, claimCount));
        if (!retractions.isEmpty()) {
            Set<AssertionId> ids = new HashSet<>();
            claimList.forEach(c -> ids.add(c.id()));
            for (Retraction r : retractions) {
                if (!ids.contains(r.target())) {
                    throw outOfPlace(assertions.indexOf(r), r, "retracts " + r.target().shortHex() + ", which is not a claim in the list");
                }
            }
        }
        return assemble(subject, predicate, claimList, List.copyOf(retractions), null);
    }

    private static IllegalArgumentException outOfPlace(int index, Assertion a, String why) {
        return new IllegalArgumentException("assertion " + index + " (" + a.id().shortHex() + ") " + why
                + "; Evidence.ofOrdered takes a fact's claims and their retractions each in strictly increasing record order,"
                + " as an index lists them: use Evidence.of for anything else");
    }

    /** The retractions, in record order, grouped by target; each group keeps that order. */
    private static Map<AssertionId, List<Retraction>> group(List<Retraction> retractions) {
        if (retractions.isEmpty()) {
            return Map.of();
        }
        Map<AssertionId, List<Retraction>> byTarget = new LinkedHashMap<>();
        for (Retraction r : retractions) {
            byTarget.computeIfAbsent(r.target(), t -> new ArrayList<>(1)).add(r);
        }
        byTarget.replaceAll((target, rs) -> Collections.unmodifiableList(rs));
        return Collections.unmodifiableMap(byTarget);
    }

    public String subject() {
        return subject;
    }

    public String predicate() {
        return predicate;
    }

    /** Every claim, retracted or not, oldest first. */
    public List<Claim> claims() {
        return claims;
    }

    /** The claims no retraction targets, oldest first. */
    public List<Claim> live() {
        return live;
    }

    /**
     * Each source's newest live claim, in record order: the heads of the multi-value register
     * ({@link MvRegister}), on which the voting lenses count one vote per source. Computed on
     * first use and kept.
     */
    public List<Claim> heads() {
        List<Claim> h = heads;
        if (h == null) {
            h = List.of(newestOfEachSource(live));
            heads = h;
        }
        return h;
    }

    /**
     * Up to {@link #FEW} claims, walks them newest first keeping each source's first, with no
     * timestamp compared (live claims are in record order; a timestamp is one more object to
     * fetch); beyond, a stable sort by source and a sort of the heads back into record order.
     */
    private static Claim[] newestOfEachSource(List<Claim> live) {
        int n = live.size();
        if (n > FEW) {
            Claim[] claims = live.toArray(new Claim[0]);
            Arrays.sort(claims, BY_SOURCE);
            int heads = 0;
            for (int i = 0; i < n; i++) {
                // the sort is stable: a source's claims stay in record order, its newest last
                if (i == n - 1 || !claims[i].source().equals(claims[i + 1].source())) {
                    claims[heads++] = claims[i];
                }
            }
            Claim[] result = Arrays.copyOf(claims, heads);
            Arrays.sort(result, Assertion.RECORD_ORDER);
            return result;
        }
        Claim[] newestFirst = new Claim[n];
        int heads = 0;
        for (int i = n - 1; i >= 0; i--) {
            Claim c = live.get(i);
            if (!hasSource(newestFirst, heads, c.source())) {
                newestFirst[heads++] = c;
            }
        }
        Claim[] result = new Claim[heads];
        for (int i = 0; i < heads; i++) {
            result[i] = newestFirst[heads - 1 - i];
        }
        return result;
    }

    private static boolean hasSource(Claim[] claims, int count, String source) {
        int hash = source.hashCode();
        for (int i = 0; i < count; i++) {
            String s = claims[i].source();
            if (s == source || (s.hashCode() == hash && s.equals(source))) {
                return true;
            }
        }
        return false;
    }

    /** True when at least one retraction targets {@code claim}. */
    public boolean isRetracted(AssertionId claim) {
        return byTarget.containsKey(claim);
    }

    /** The retractions of {@code claim}, oldest first; empty if it is live. */
    public List<Retraction> retractionsOf(AssertionId claim) {
        return byTarget.getOrDefault(claim, List.of());
    }

    /** Every retraction in this evidence, oldest first. */
    public List<Retraction> retractions() {
        return retractions;
    }

    public boolean isEmpty() {
        return claims.isEmpty();
    }

    /**
     * This evidence restricted to the claims {@code keep} accepts, with their retractions; this
     * very evidence when it accepts them all.
     */
    public Evidence filter(Predicate<? super Claim> keep) {
        List<Claim> kept = null;
        for (int i = 0; i < claims.size(); i++) {
            Claim c = claims.get(i);
            boolean accepted = keep.test(c);
            if (kept == null && !accepted) {
                kept = new ArrayList<>(claims.subList(0, i));
            } else if (kept != null && accepted) {
                kept.add(c);
            }
        }
        return kept == null ? this : restrictedTo(kept, asOf, r -> true);
    }

    /**
     * What this evidence was as of {@code instant} by the assertions' own HLC timestamps: claims
     * and retractions recorded after it are left out, so a claim retracted later is live again.
     */
    public Evidence asOf(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        Instant cut = asOf != null && asOf.isBefore(instant) ? asOf : instant;
        boolean cutsSomething = false;
        for (Claim c : claims) {
            cutsSomething |= isAfter(c.hlc(), instant);
        }
        for (Retraction r : retractions) {
            cutsSomething |= isAfter(r.hlc(), instant);
        }
        if (!cutsSomething) {
            return new Evidence(subject, predicate, claims, live, retractions, byTarget, cut, erasedAsOf(instant), proofs);
        }
        List<Claim> kept = new ArrayList<>(claims.size());
        for (Claim c : claims) {
            if (!isAfter(c.hlc(), instant)) {
                kept.add(c);
            }
        }
        return restrictedTo(kept, cut, r -> !isAfter(r.hlc(), instant));
    }

    /** {@code kept} (a part of the claims, in order) with those of their retractions that {@code keepRetraction} accepts. */
    private Evidence restrictedTo(List<Claim> kept, Instant cut, Predicate<Retraction> keepRetraction) {
        List<Retraction> keptRetractions = List.of();
        if (!retractions.isEmpty()) {
            Set<AssertionId> keptIds = new HashSet<>();
            kept.forEach(c -> keptIds.add(c.id()));
            keptRetractions = new ArrayList<>();
            for (Retraction r : retractions) {
                if (keptIds.contains(r.target()) && keepRetraction.test(r)) {
                    keptRetractions.add(r);
                }
            }
        }
        return assemble(subject, predicate, Collections.unmodifiableList(kept), List.copyOf(keptRetractions), cut)
                .withErased(cut == null ? erased : erasedAsOf(cut)).withProofs(proofs);
    }

    /** The erased claims whose erasure was recorded at or before {@code instant}. */
    private List<ErasedClaim> erasedAsOf(Instant instant) {
        if (erased.isEmpty()) {
            return erased;
        }
        List<ErasedClaim> kept = new ArrayList<>(erased.size());
        for (ErasedClaim e : erased) {
            if (!isAfter(e.erasure().hlc(), instant)) {
                kept.add(e);
            }
        }
        return List.copyOf(kept);
    }

    /**
     * The claims of this fact whose content was erased: their ids and the erasures that erased
     * them, in id order. They are never among {@link #claims()}: no lens sees them.
     */
    public List<ErasedClaim> erased() {
        return erased;
    }

    /**
     * This evidence with {@code erased} as the list of its erased claims (sorted by id here):
     * how an engine that erased claims of the fact reports them.
     */
    public Evidence withErased(List<ErasedClaim> erased) {
        if (erased.isEmpty() && this.erased.isEmpty()) {
            return this;
        }
        List<ErasedClaim> sorted = new ArrayList<>(erased);
        sorted.sort(Comparator.comparing(ErasedClaim::claim));
        return new Evidence(subject, predicate, claims, live, retractions, byTarget, asOf, List.copyOf(sorted), proofs);
    }

    /**
     * This evidence with {@code proofs} saying which of its claims are signed by a registered
     * key: how a database that holds signatures hands evidence to lenses. The lists are shared.
     */
    public Evidence withProofs(Proofs proofs) {
        Objects.requireNonNull(proofs, "proofs");
        if (proofs == this.proofs) {
            return this;
        }
        long version = proofs.version();
        Attached a = attached;
        if (a != null && a.proofs() == proofs && a.version() == version) {
            return a.evidence();
        }
        Evidence e = new Evidence(subject, predicate, claims, live, retractions, byTarget, asOf, erased, proofs);
        attached = new Attached(proofs, version, e);
        return e;
    }

    /**
     * This evidence restricted to the claims its {@link #proofs()} prove (with their retractions),
     * computed once; this very evidence when they prove every claim. What
     * {@code Lens.requireSignature()} resolves.
     */
    public Evidence proven() {
        Evidence p = proven;
        if (p == null) {
            Proofs by = proofs;
            p = filter(c -> by.signer(c) != null);
            proven = p;
        }
        return p;
    }

    /** Which claims of this evidence are proven ({@link Proofs#NONE} if no database attached its proofs). */
    public Proofs proofs() {
        return proofs;
    }

    /**
     * {@code compute.apply(key, this)}, computed once for the same {@code key} (compared by
     * identity) while no other key asks: how the built-in lenses keep their resolution of the
     * evidence an engine shares between reads, so a fact read again through the same lens costs
     * no lens at all. One slot: a fact read through two lenses in turn computes each time, as
     * without it. {@code compute} must be a pure function of its arguments (a lens's contract),
     * so which thread's answer is kept, when two race, does not matter.
     */
    @SuppressWarnings("unchecked")
    public <K, T> T remember(K key, BiFunction<? super K, Evidence, ? extends T> compute) {
        Remembered r = remembered;
        if (r != null && r.key() == key) {
            return (T) r.answer();
        }
        T answer = compute.apply(key, this);
        remembered = new Remembered(key, answer);
        return answer;
    }

    /** {@code hlc.instant().isAfter(t)}, without building the instant: this runs per claim on every as-of read. */
    private static boolean isAfter(Hlc hlc, Instant t) {
        long millis = hlc.physicalMillis();
        long seconds = Math.floorDiv(millis, 1000);
        return seconds != t.getEpochSecond() ? seconds > t.getEpochSecond() : Math.floorMod(millis, 1000) * 1_000_000L > t.getNano();
    }

    /**
     * The instant this evidence was cut back to by {@link #asOf}, if it was: a lens that widens
     * a resolution (a filter reporting what it set aside) must widen within the same past. Not
     * part of equality: evidence is its claims and retractions.
     */
    public Optional<Instant> asOfInstant() {
        return Optional.ofNullable(asOf);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Evidence e && subject.equals(e.subject) && predicate.equals(e.predicate)
                && claims.equals(e.claims) && byTarget.equals(e.byTarget);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, predicate, claims, byTarget);
    }

    @Override
    public String toString() {
        return "Evidence[" + subject + "." + predicate + ": " + claims.size() + " claims, " + live.size() + " live]";
    }
}
