package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Retraction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of a replica as a CRDT: a grow-only set of assertions keyed by id, read as a
 * two-phase set of claims (a claim is live until a retraction of it is in the set, and dead from
 * then on). An {@link Erasure} in the set erases the claims it {@linkplain Erasure#covers covers}:
 * they are neither live nor part of any evidence, and a replica keeps only their ids
 * ({@link #visibleIds()} is what it stores and digests). Since whether an erasure covers a claim
 * depends on the two assertions alone, the erased claims of a set do not depend on the order in
 * which its assertions arrived. {@link #merge} is set union, so it is commutative, associative and idempotent, and
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

    /** The erasures in the set, in no particular order. */
    public List<Erasure> erasures() {
        List<Erasure> erasures = new ArrayList<>();
        for (Assertion a : byId.values()) {
            if (a instanceof Erasure e) {
                erasures.add(e);
            }
        }
        return erasures;
    }

    /**
     * True when the content of {@code id} is erased here: it is a claim in the set that an erasure
     * in the set covers, or an id that an erasure in the set lists (whose content, should it
     * arrive, would be erased at once).
     */
    public boolean isErased(AssertionId id) {
        Assertion a = byId.get(id);
        for (Erasure e : erasures()) {
            if (a instanceof Claim c ? e.covers(c) : a == null && e.names(id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The ids a replica holding this set stores and digests: every assertion but the erased
     * claims. Replicas that received the same assertions, in any order, have the same.
     */
    public Set<AssertionId> visibleIds() {
        List<Erasure> erasures = erasures();
        Set<AssertionId> visible = new HashSet<>();
        for (Assertion a : byId.values()) {
            if (!(a instanceof Claim c && coveredBy(erasures, c))) {
                visible.add(a.id());
            }
        }
        return visible;
    }

    private static boolean coveredBy(List<Erasure> erasures, Claim c) {
        for (Erasure e : erasures) {
            if (e.covers(c)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code claim} is in the set, not erased, and no retraction of it is. */
    public boolean isLive(AssertionId claim) {
        if (!(byId.get(claim) instanceof Claim c) || coveredBy(erasures(), c)) {
            return false;
        }
        for (Assertion a : byId.values()) {
            if (a instanceof Retraction && ((Retraction) a).target().equals(claim)) {
                return false;
            }
        }
        return true;
    }

    /** The evidence about one (subject, predicate): its claims that are not erased, and their retractions. */
    public Evidence evidence(String subject, String predicate) {
        List<Erasure> erasures = erasures();
        List<Assertion> visible = new ArrayList<>(byId.size());
        for (Assertion a : byId.values()) {
            if (!(a instanceof Claim c && coveredBy(erasures, c))) {
                visible.add(a);
            }
        }
        return Evidence.of(subject, predicate, visible);
    }

    /** The distinct (subject, predicate) pairs that have claims that are not erased. */
    public Set<Map.Entry<String, String>> facts() {
        List<Erasure> erasures = erasures();
        Set<Map.Entry<String, String>> facts = new HashSet<>();
        for (Assertion a : byId.values()) {
            if (a instanceof Claim c && !coveredBy(erasures, c)) {
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
