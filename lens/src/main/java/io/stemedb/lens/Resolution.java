package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
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
 */
public final class Resolution {
    private final Evidence evidence;
    private final String lens;
    private final List<Claim> winners;
    private final List<Claim> overruled;
    private final List<SetAside> setAside;

    /** A live claim that a filter kept from the lens, and why. */
    public record SetAside(Claim claim, String reason) {
        public SetAside {
            Objects.requireNonNull(claim, "claim");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private Resolution(Evidence evidence, String lens, List<Claim> winners, List<Claim> overruled, List<SetAside> setAside) {
        this.evidence = evidence;
        this.lens = lens;
        this.winners = winners;
        this.overruled = overruled;
        this.setAside = setAside;
    }

    /**
     * The resolution in which {@code lens} chose {@code winners} from {@code evidence}; every other
     * live claim counts as overruled.
     *
     * @throws IllegalArgumentException if a winner is not a live claim of the evidence: a lens
     *     may only choose among live claims
     */
    public static Resolution of(Evidence evidence, String lens, List<Claim> winners) {
        Set<AssertionId> chosen = chosen(evidence, lens, winners);
        List<Claim> overruled = new ArrayList<>();
        for (Claim c : evidence.live()) {
            if (!chosen.contains(c.id())) {
                overruled.add(c);
            }
        }
        return new Resolution(evidence, lens, List.copyOf(winners), Collections.unmodifiableList(overruled), List.of());
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
        Set<AssertionId> seen = new HashSet<>();
        evidence.live().forEach(c -> seen.add(c.id()));
        setAside.forEach(s -> seen.add(s.claim().id()));
        List<SetAside> aside = new ArrayList<>(setAside);
        for (Claim c : wider.live()) {
            if (seen.add(c.id())) {
                aside.add(new SetAside(c, reason));
            }
        }
        chosen(wider, lensName, winners);
        return new Resolution(wider, lensName, winners, overruled, Collections.unmodifiableList(aside));
    }

    /** The same decision, credited to another lens name (for wrappers and composition). */
    public Resolution decidedBy(String lensName) {
        return new Resolution(evidence, lensName, winners, overruled, setAside);
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
        SortedSet<Value> values = values();
        if (values.size() > 1) {
            throw new AmbiguousResolutionException(this, values);
        }
        return values.isEmpty() ? Optional.empty() : Optional.of(values.first());
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

    /** The live claims the lens considered and did not choose. */
    public List<Claim> overruled() {
        return overruled;
    }

    /** The live claims a filter kept from the lens, with the reasons. */
    public List<SetAside> setAside() {
        return setAside;
    }

    /** The claims that could not win because they were retracted. */
    public List<Claim> retracted() {
        List<Claim> retracted = new ArrayList<>();
        for (Claim c : evidence.claims()) {
            if (evidence.isRetracted(c.id())) {
                retracted.add(c);
            }
        }
        return retracted;
    }

    /**
     * A short human-readable account, for example
     * {@code trust[hr > crm]: hr said "Alice" at 2026-11-20T10:00:00Z (3fa2e4c1); overruled: crm said
     * "Bob" at 2026-11-21T08:00:00Z (91bc1f0a); retracted: web said "Carol" at ... (...), by web at ...}.
     */
    public String explain() {
        StringBuilder s = new StringBuilder(lens).append(": ");
        if (winners.isEmpty()) {
            s.append(evidence.isEmpty() ? "no claims"
                    : evidence.live().isEmpty() ? "every claim is retracted" : "no claim qualified");
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
