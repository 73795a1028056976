package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Everything a replica knows about one (subject, predicate): its claims and the retractions that
 * target them, each in {@link Assertion#RECORD_ORDER}. It is the input of every CRDT view and
 * every lens. Because the lists are ordered by content alone and duplicates are dropped, two
 * replicas holding the same set build equal evidence, whatever order the assertions arrived in.
 * Immutable and thread-safe.
 */
public final class Evidence {
    private final String subject;
    private final String predicate;
    private final List<Claim> claims;
    private final Map<AssertionId, List<Retraction>> retractions;
    private final List<Claim> live;
    /** The instant this evidence was cut back to by {@link #asOf}, or null for the present. */
    private final Instant asOf;

    private Evidence(String subject, String predicate, List<Claim> claims, Map<AssertionId, List<Retraction>> retractions,
            Instant asOf) {
        this.subject = subject;
        this.predicate = predicate;
        this.asOf = asOf;
        this.claims = Collections.unmodifiableList(claims);
        this.retractions = Collections.unmodifiableMap(retractions);
        List<Claim> alive = new ArrayList<>(claims.size());
        for (Claim c : claims) {
            if (!retractions.containsKey(c.id())) {
                alive.add(c);
            }
        }
        this.live = Collections.unmodifiableList(alive);
    }

    /**
     * The evidence about ({@code subject}, {@code predicate}) among {@code assertions}: the claims
     * about it and the retractions of those claims; everything else, and duplicates, are ignored.
     */
    public static Evidence of(String subject, String predicate, Collection<? extends Assertion> assertions) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(predicate, "predicate");
        Map<AssertionId, Claim> claims = new HashMap<>();
        List<Retraction> retractions = new ArrayList<>();
        for (Assertion a : assertions) {
            if (a instanceof Claim) {
                Claim c = (Claim) a;
                if (c.subject().equals(subject) && c.predicate().equals(predicate)) {
                    claims.putIfAbsent(c.id(), c);
                }
            } else {
                retractions.add((Retraction) a);
            }
        }
        List<Claim> sorted = new ArrayList<>(claims.values());
        sorted.sort(Assertion.RECORD_ORDER);
        return new Evidence(subject, predicate, sorted, group(retractions, claims::containsKey), null);
    }

    private static Map<AssertionId, List<Retraction>> group(Collection<Retraction> retractions, Predicate<AssertionId> keep) {
        Map<AssertionId, Map<AssertionId, Retraction>> byTarget = new HashMap<>();
        for (Retraction r : retractions) {
            if (keep.test(r.target())) {
                byTarget.computeIfAbsent(r.target(), t -> new TreeMap<>()).putIfAbsent(r.id(), r);
            }
        }
        Map<AssertionId, List<Retraction>> result = new HashMap<>();
        byTarget.forEach((target, rs) -> {
            List<Retraction> list = new ArrayList<>(rs.values());
            list.sort(Assertion.RECORD_ORDER);
            result.put(target, Collections.unmodifiableList(list));
        });
        return result;
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

    /** True when at least one retraction targets {@code claim}. */
    public boolean isRetracted(AssertionId claim) {
        return retractions.containsKey(claim);
    }

    /** The retractions of {@code claim}, oldest first; empty if it is live. */
    public List<Retraction> retractionsOf(AssertionId claim) {
        return retractions.getOrDefault(claim, List.of());
    }

    /** Every retraction in this evidence, oldest first. */
    public List<Retraction> retractions() {
        List<Retraction> all = new ArrayList<>();
        retractions.values().forEach(all::addAll);
        all.sort(Assertion.RECORD_ORDER);
        return all;
    }

    public boolean isEmpty() {
        return claims.isEmpty();
    }

    /** This evidence restricted to the claims {@code keep} accepts, with their retractions. */
    public Evidence filter(Predicate<? super Claim> keep) {
        List<Claim> kept = new ArrayList<>();
        Map<AssertionId, List<Retraction>> keptRetractions = new HashMap<>();
        for (Claim c : claims) {
            if (keep.test(c)) {
                kept.add(c);
                List<Retraction> rs = retractions.get(c.id());
                if (rs != null) {
                    keptRetractions.put(c.id(), rs);
                }
            }
        }
        return new Evidence(subject, predicate, kept, keptRetractions, asOf);
    }

    /**
     * What this evidence was as of {@code instant} by the assertions' own HLC timestamps: claims
     * and retractions recorded after it are left out, so a claim retracted later is live again.
     */
    public Evidence asOf(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        Instant cut = asOf != null && asOf.isBefore(instant) ? asOf : instant;
        List<Claim> kept = new ArrayList<>();
        List<Retraction> keptRetractions = new ArrayList<>();
        for (Claim c : claims) {
            if (!c.hlc().instant().isAfter(instant)) {
                kept.add(c);
                for (Retraction r : retractions.getOrDefault(c.id(), List.of())) {
                    if (!r.hlc().instant().isAfter(instant)) {
                        keptRetractions.add(r);
                    }
                }
            }
        }
        return new Evidence(subject, predicate, kept, group(keptRetractions, t -> true), cut);
    }

    /**
     * The instant this evidence was cut back to by {@link #asOf}, if it was: a lens that widens
     * a resolution (a filter reporting what it set aside) must widen within the same past. Not
     * part of equality: evidence is its claims and retractions.
     */
    public java.util.Optional<Instant> asOfInstant() {
        return java.util.Optional.ofNullable(asOf);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Evidence)) {
            return false;
        }
        Evidence e = (Evidence) o;
        return subject.equals(e.subject) && predicate.equals(e.predicate)
                && claims.equals(e.claims) && retractions.equals(e.retractions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, predicate, claims, retractions);
    }

    @Override
    public String toString() {
        return "Evidence[" + subject + "." + predicate + ": " + claims.size() + " claims, " + live.size() + " live]";
    }
}
