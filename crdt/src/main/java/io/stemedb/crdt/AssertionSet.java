package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The state of a replica as a CRDT: a grow-only set of assertions keyed by id, read as a
 * two-phase set of claims (a claim is live until a retraction of it is in the set, and dead from
 * then on). {@link #merge} is set union, so it is commutative, associative and idempotent, and
 * replicas that have received the same assertions, in any order and any number of times, are
 * equal (Shapiro, Preguiça, Baquero, Zawirski, "Conflict-free Replicated Data Types", 2011: the
 * G-Set and 2P-Set).
 *
 * <p>Immutable and thread-safe; {@link #with} and {@link #merge} return new sets. It is the
 * reference model of replica state: the engines must agree with it.
 */
public final class AssertionSet {
    private static final AssertionSet EMPTY = new AssertionSet(Map.of());

    private final Map<AssertionId, Assertion> byId;

    private AssertionSet(Map<AssertionId, Assertion> byId) {
        this.byId = byId;
    }

    public static AssertionSet empty() {
        return EMPTY;
    }

    /** The set of {@code assertions}, duplicates ignored. */
    public static AssertionSet of(Collection<? extends Assertion> assertions) {
        Map<AssertionId, Assertion> map = new HashMap<>();
        for (Assertion a : assertions) {
            map.putIfAbsent(a.id(), a);
        }
        return new AssertionSet(Collections.unmodifiableMap(map));
    }

    /** This set with {@code assertion} added (this set itself if it was there). */
    public AssertionSet with(Assertion assertion) {
        if (byId.containsKey(assertion.id())) {
            return this;
        }
        Map<AssertionId, Assertion> map = new HashMap<>(byId);
        map.put(assertion.id(), assertion);
        return new AssertionSet(Collections.unmodifiableMap(map));
    }

    /** The union of this set and {@code other}. */
    public AssertionSet merge(AssertionSet other) {
        if (other.byId.size() > byId.size()) {
            return other.merge(this);
        }
        Map<AssertionId, Assertion> map = new HashMap<>(byId);
        other.byId.forEach(map::putIfAbsent);
        return map.size() == byId.size() ? this : new AssertionSet(Collections.unmodifiableMap(map));
    }

    public boolean contains(AssertionId id) {
        return byId.containsKey(id);
    }

    public int size() {
        return byId.size();
    }

    /** The ids in the set. */
    public Set<AssertionId> ids() {
        return byId.keySet();
    }

    /** The assertions in the set, in no particular order. */
    public Collection<Assertion> assertions() {
        return byId.values();
    }

    /** True when {@code claim} is in the set and no retraction of it is. */
    public boolean isLive(AssertionId claim) {
        if (!(byId.get(claim) instanceof Claim)) {
            return false;
        }
        for (Assertion a : byId.values()) {
            if (a instanceof Retraction && ((Retraction) a).target().equals(claim)) {
                return false;
            }
        }
        return true;
    }

    /** The evidence about one (subject, predicate). */
    public Evidence evidence(String subject, String predicate) {
        return Evidence.of(subject, predicate, byId.values());
    }

    /** The distinct (subject, predicate) pairs that have claims. */
    public Set<Map.Entry<String, String>> facts() {
        Set<Map.Entry<String, String>> facts = new HashSet<>();
        for (Assertion a : byId.values()) {
            if (a instanceof Claim) {
                Claim c = (Claim) a;
                facts.add(Map.entry(c.subject(), c.predicate()));
            }
        }
        return facts;
    }

    /** Two sets are equal when they hold the same ids. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AssertionSet && byId.keySet().equals(((AssertionSet) o).byId.keySet());
    }

    @Override
    public int hashCode() {
        return byId.keySet().hashCode();
    }

    @Override
    public String toString() {
        return "AssertionSet[" + byId.size() + " assertions]";
    }
}
