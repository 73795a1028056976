package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.Proofs;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The answer of a {@link Lens} about one (subject, predicate), with its evidence: the winning
 * claims; the live claims they overruled; the live claims a filter set aside before the lens
 * looked (not valid at the time asked, from a source not asked for...), each with the reason; and
 * the claims that were out of the running because they were retracted. Immutable and thread-safe.
 *
 * <p><b>Design.</b> Most readers ask a resolution for its value and nothing else, so building one
 * costs a check that the winners are live (a binary search each, the evidence being in record
 * order) and nothing more; the explanation's parts (overruled, set aside, retracted) are computed
 * from the evidence the first time they are asked for, and kept. A resolution that
 * {@link #within} widened keeps the one it widened, whose live claims and set-aside claims are
 * what the widening does not set aside again.
 */
public final class Resolution {
    private final Evidence evidence;
    private final String lens;
    private final List<Claim> winners;
    /** The evidence whose live claims the lens weighed: the winners and the overruled claims. */
    private final Evidence weighed;
    /** The resolution that {@link #within} widened into this one, or null. */
    private final Resolution narrower;
    /** Why {@link #within} set aside the live claims {@link #narrower} did not account for; null with it. */
    private final String asideReason;
    /** Computed when first asked for (volatile: a resolution may be shared between threads). */
    private volatile List<Claim> overruled;
    private volatile List<SetAside> setAside;

    /** A live claim that a filter kept from the lens, and why. */
    public record SetAside(Claim claim, String reason) {
        public SetAside {
            Objects.requireNonNull(claim, "claim");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private Resolution(Evidence evidence, String lens, List<Claim> winners, Evidence weighed, Resolution narrower, String asideReason) {
        this.evidence = evidence;
        this.lens = lens;
        this.winners = winners;
        this.weighed = weighed;
        this.narrower = narrower;
        this.asideReason = asideReason;
    }

    /**
     * The resolution in which {@code lens} chose {@code winners} from {@code evidence}; every other
     * live claim counts as overruled.
     *
     * @throws IllegalArgumentException if a winner is not a live claim of the evidence: a lens
     *     may only choose among live claims
     */
    public static Resolution of(Evidence evidence, String lens, List<Claim> winners) {
        List<Claim> chosen = List.copyOf(winners);
        checkLive(evidence, lens, chosen);
        return new Resolution(evidence, lens, chosen, evidence, null, null);
    }

    /**
     * {@link #of} for the built-in lenses, which take their winners from {@code evidence.live()}
     * itself: they are live by construction (ResolutionProperties and the lens tests check the
     * choices), so they are not searched for again.
     */
    static Resolution ofLive(Evidence evidence, String lens, List<Claim> winners) {
        return new Resolution(evidence, lens, List.copyOf(winners), evidence, null, null);
    }

    /** Fails unless every winner is a live claim of {@code evidence}. */
    private static void checkLive(Evidence evidence, String lens, List<Claim> winners) {
        List<Claim> live = evidence.live();
        for (Claim w : winners) {
            if (!contains(live, w)) {
                throw new IllegalArgumentException("lens " + lens + " chose " + w.id().shortHex()
                        + (evidence.isRetracted(w.id()) ? ", which is retracted" : ", which is not in the evidence")
                        + "; a lens may only choose live claims");
            }
        }
    }

    /**
     * Whether {@code live}, in strictly increasing record order, holds {@code claim}: a binary
     * search that stops early on the very object, as lenses choose from the list itself.
     */
    private static boolean contains(List<Claim> live, Claim claim) {
        int low = 0;
        int high = live.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            Claim c = live.get(mid);
            int order = c == claim ? 0 : Assertion.RECORD_ORDER.compare(c, claim);
            if (order == 0) {
                return true;
            }
            if (order < 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return false;
    }

    /** The resolution in which {@code lens} chose nothing. */
    public static Resolution none(Evidence evidence, String lens) {
        return of(evidence, lens, List.of());
    }

    /**
     * This resolution, which a lens made on part of {@code wider}, restated on the whole of it:
     * the live claims of {@code wider} that this resolution's evidence left out are set aside
     * with {@code reason}; winners and overruled claims stay as they are.
     *
     * @throws IllegalArgumentException if this resolution's evidence is not part of {@code wider}
     */
    public Resolution within(Evidence wider, String reason, String lensName) {
        Objects.requireNonNull(reason, "reason");
        checkLive(wider, lensName, winners);
        return new Resolution(wider, lensName, winners, weighed, this, reason);
    }

    /** The same decision, credited to another lens name (for wrappers and composition). */
    public Resolution decidedBy(String lensName) {
        return new Resolution(evidence, lensName, winners, weighed, narrower, asideReason);
    }

    public String subject() {
        return evidence.subject();
    }

    public String predicate() {
        return evidence.predicate();
    }

    /** The name of the lens that decided. */
    public String lens() {
        return lens;
    }

    /** The evidence the resolution accounts for. */
    public Evidence evidence() {
        return evidence;
    }

    /** True when the lens chose nothing (no live claim, or none that satisfied it). */
    public boolean isEmpty() {
        return winners.isEmpty();
    }

    /**
     * The single resolved value, or empty when the lens chose nothing.
     *
     * @throws AmbiguousResolutionException when the winners hold different values (a lens that
     *     returns all current values, for example); read {@link #values()} instead
     */
    public Optional<Value> value() {
        if (winners.isEmpty()) {
            return Optional.empty();
        }
        Value first = winners.get(0).value();
        for (int i = 1; i < winners.size(); i++) {
            if (!first.equals(winners.get(i).value())) {
                throw new AmbiguousResolutionException(this, values());
            }
        }
        return Optional.of(first);
    }

    /** The distinct values of the winners, in {@link Value} order. */
    public SortedSet<Value> values() {
        SortedSet<Value> values = new TreeSet<>();
        winners.forEach(w -> values.add(w.value()));
        return Collections.unmodifiableSortedSet(values);
    }

    /** The winning claims. */
    public List<Claim> winners() {
        return winners;
    }

    /** The live claims the lens considered and did not choose, in record order. */
    public List<Claim> overruled() {
        List<Claim> o = overruled;
        if (o == null) {
            o = weighed.live();
            if (!winners.isEmpty()) {
                Set<AssertionId> won = new HashSet<>();
                winners.forEach(w -> won.add(w.id()));
                List<Claim> rest = new ArrayList<>(o.size());
                for (Claim c : o) {
                    if (!won.contains(c.id())) {
                        rest.add(c);
                    }
                }
                o = Collections.unmodifiableList(rest);
            }
            overruled = o;
        }
        return o;
    }

    /** The live claims a filter kept from the lens, with the reasons. */
    public List<SetAside> setAside() {
        List<SetAside> s = setAside;
        if (s == null) {
            s = narrower == null ? List.of() : widen();
            setAside = s;
        }
        return s;
    }

    /** What {@link #within} set aside: the narrower resolution's set-aside claims, then the live claims it did not see. */
    private List<SetAside> widen() {
        List<SetAside> before = narrower.setAside();
        Set<AssertionId> seen = new HashSet<>();
        narrower.evidence.live().forEach(c -> seen.add(c.id()));
        before.forEach(a -> seen.add(a.claim().id()));
        List<SetAside> aside = new ArrayList<>(before);
        for (Claim c : evidence.live()) {
            if (seen.add(c.id())) {
                aside.add(new SetAside(c, asideReason));
            }
        }
        return Collections.unmodifiableList(aside);
    }

    /** The claims that could not win because they were retracted, in record order. */
    public List<Claim> retracted() {
        if (evidence.retractions().isEmpty()) {
            return List.of();
        }
        List<Claim> retracted = new ArrayList<>();
        for (Claim c : evidence.claims()) {
            if (evidence.isRetracted(c.id())) {
                retracted.add(c);
            }
        }
        return Collections.unmodifiableList(retracted);
    }

    /**
     * A short human-readable account, for example
     * {@code trust[hr > crm]: hr said "Alice" at 2026-11-20T10:00:00Z (3fa2e4c1); overruled: crm said
     * "Bob" at 2026-11-21T08:00:00Z (91bc1f0a); retracted: web said "Carol" at ... (...), by web at ...}; a
     * claim whose content was erased is named by its id alone: {@code erased: claim 5d0c9a12 erased by dpo at
     * 2026-11-22T09:00:00Z (GDPR request 17)}; a claim proven by a registered key's signature names the key's
     * first 16 hex digits: {@code registry said "Alice" at ..., signed by key 3d4017c3e843895a (3fa2e4c1)}.
     */
    public String explain() {
        StringBuilder s = new StringBuilder(lens).append(": ");
        if (winners.isEmpty()) {
            s.append(evidence.isEmpty() ? "no claims"
                    : evidence.live().isEmpty() ? "every claim is retracted" : "no claim qualified");
        } else {
            appendClaims(s, winners, evidence.proofs());
        }
        List<Claim> overruled = overruled();
        if (!overruled.isEmpty()) {
            s.append("; overruled: ");
            appendClaims(s, overruled, evidence.proofs());
        }
        Map<String, List<Claim>> asideByReason = new LinkedHashMap<>();
        setAside().forEach(a -> asideByReason.computeIfAbsent(a.reason(), r -> new ArrayList<>()).add(a.claim()));
        asideByReason.forEach((reason, claims) -> {
            s.append("; set aside (").append(reason).append("): ");
            appendClaims(s, claims, evidence.proofs());
        });
        List<Claim> retracted = retracted();
        if (!retracted.isEmpty()) {
            s.append("; retracted: ");
            for (int i = 0; i < retracted.size(); i++) {
                Claim c = retracted.get(i);
                s.append(i == 0 ? "" : ", ");
                describe(s, c, evidence.proofs());
                Retraction first = evidence.retractionsOf(c.id()).get(0);
                s.append(" by ").append(first.source()).append(" at ").append(first.hlc().instant());
            }
        }
        List<io.stemedb.crdt.ErasedClaim> erased = evidence.erased();
        if (!erased.isEmpty()) {
            s.append("; erased: ");
            for (int i = 0; i < erased.size(); i++) {
                s.append(i == 0 ? "" : ", ").append(erased.get(i).describe());
            }
        }
        return s.toString();
    }

    private static void appendClaims(StringBuilder s, List<Claim> claims, Proofs proofs) {
        for (int i = 0; i < claims.size(); i++) {
            if (i > 0) {
                s.append(", ");
            }
            describe(s, claims.get(i), proofs);
        }
    }

    /** A claim in an explanation; a proven one names the first 16 hex digits of the key that signed it. */
    private static void describe(StringBuilder s, Claim c, Proofs proofs) {
        s.append(c.source()).append(" said ").append(c.value()).append(" at ").append(c.hlc().instant());
        c.confidence().ifPresent(conf -> s.append(" with confidence ").append(conf));
        String signer = proofs.signer(c);
        if (signer != null) {
            s.append(", signed by key ").append(signer, 0, 16);
        }
        s.append(" (").append(c.id().shortHex()).append(')');
    }

    @Override
    public String toString() {
        return subject() + "." + predicate() + " -> " + explain();
    }

    /** Thrown by {@link #value()} when the winners disagree. */
    public static final class AmbiguousResolutionException extends StemeException {
        private static final long serialVersionUID = 1L;

        AmbiguousResolutionException(Resolution r, SortedSet<Value> values) {
            super("lens " + r.lens + " resolved " + r.subject() + "." + r.predicate() + " to " + values.size()
                    + " values " + values + "; read values() or choose a lens that picks one");
        }
    }
}
