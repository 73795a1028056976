package io.stemedb.storage;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The erasures an engine stores, indexed for the question every arriving claim is asked: does a
 * stored erasure cover it? One concept for both engines, so that they erase the same claims.
 * Erasures are few (each is an operator's decision), so the index is rebuilt whole when one is
 * added: readers take the current immutable {@link Index} without a lock. Thread-safe; writers
 * ({@link #add}) are the engine's serialized commits.
 */
final class ErasureRules {
    private volatile Index index = new Index(List.of(), Map.of(), Map.of());

    /** An immutable snapshot: every erasure, and by the subject or the claim id it names. */
    private record Index(List<Erasure> all, Map<String, List<Erasure>> bySubject, Map<AssertionId, List<Erasure>> byTarget) {}

    boolean isEmpty() {
        return index.all().isEmpty();
    }

    int size() {
        return index.all().size();
    }

    /** Adds {@code erasures}; those already here are skipped. */
    void add(List<Erasure> erasures) {
        Index before = index;
        List<Erasure> all = new ArrayList<>(before.all());
        for (Erasure e : erasures) {
            if (!all.contains(e)) {
                all.add(e);
            }
        }
        all.sort(Assertion.RECORD_ORDER);
        Map<String, List<Erasure>> bySubject = new HashMap<>();
        Map<AssertionId, List<Erasure>> byTarget = new HashMap<>();
        for (Erasure e : all) {
            if (e.scope().kind() == Erasure.ScopeKind.IDS) {
                e.scope().targets().forEach(t -> byTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(e));
            } else {
                bySubject.computeIfAbsent(e.scope().subject(), k -> new ArrayList<>()).add(e);
            }
        }
        index = new Index(List.copyOf(all), bySubject, byTarget);
    }

    /**
     * The oldest erasure (in record order) among the stored ones and {@code pending} that covers
     * {@code claim}, or null: the one its mark names.
     */
    Erasure covering(Claim claim, List<Erasure> pending) {
        Index i = index;
        Erasure found = null;
        if (!i.all().isEmpty()) {
            found = oldestCovering(claim, i.byTarget().get(claim.id()), null);
            found = oldestCovering(claim, i.bySubject().get(claim.subject()), found);
        }
        return oldestCovering(claim, pending, found);
    }

    private static Erasure oldestCovering(Claim claim, List<Erasure> candidates, Erasure found) {
        if (candidates != null) {
            for (Erasure e : candidates) {
                if (e.covers(claim) && (found == null || Assertion.RECORD_ORDER.compare(e, found) < 0)) {
                    found = e;
                }
            }
        }
        return found;
    }

    /** The stored erasures that list {@code id}. */
    List<Erasure> naming(AssertionId id) {
        return index.byTarget().getOrDefault(id, List.of());
    }

    /** Every stored erasure, in record order. */
    List<Erasure> all() {
        return index.all();
    }

    /** The stored erasure with id {@code id}, or null. */
    Erasure byId(AssertionId id) {
        for (Erasure e : index.all()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        return null;
    }
}
