package io.stemedb;

import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * The queries of a StemeDB: on the database as it is now ({@link StemeDB} itself) or as it was at
 * a past instant ({@link StemeDB#asOf}). Thread-safe: a view may be shared by any number of
 * threads. Each call reads a consistent state that includes every commit completed before the
 * call began; two calls may see different states if writes happen in between.
 *
 * <p>Every list comes in a deterministic order that depends only on the assertion set, never on
 * arrival order: claims in {@link Assertion#RECORD_ORDER}, names in code point order.
 */
public interface ReadView {

    /** The assertion with this id, if this view holds it. */
    Optional<Assertion> get(AssertionId id);

    /** Every claim about ({@code subject}, {@code predicate}), retracted or not, with its retractions. */
    Evidence history(String subject, String predicate);

    /** What {@code lens} says about ({@code subject}, {@code predicate}), with its evidence. */
    Resolution resolve(String subject, String predicate, Lens lens);

    /**
     * What {@code lens} says about each predicate of {@code subject}, by predicate; predicates
     * whose resolution is empty (every claim retracted, or none qualified) are left out.
     */
    SortedMap<String, Resolution> entity(String subject, Lens lens);

    /** The predicates of {@code subject} whose live claims disagree on the value. */
    List<Conflict> conflicts(String subject);

    /**
     * The conflicts of the whole database, a page at a time: subjects are visited in storage order
     * (shorter names first, then by UTF-8 bytes) after {@code afterSubject} (null: from the
     * first), and each visited subject's conflicts are added whole, until at least {@code limit}
     * conflicts are collected or every subject was visited. Pass {@link Page#next()} to continue.
     * It reads every claim of every visited subject.
     */
    Page<Conflict> conflicts(@Nullable String afterSubject, int limit);

    /**
     * Up to {@code limit} subjects that have claims visible in this view, in storage order
     * (shorter names first, then by UTF-8 bytes), after {@code afterSubject} (null: from the first).
     */
    List<String> subjects(@Nullable String afterSubject, int limit);

    /**
     * The subjects whose {@code predicate}, resolved by {@code lens}, has {@code value} among its
     * values. Candidates come from the (predicate, value) index and are then resolved, so a
     * subject whose matching claim was overruled or retracted is not returned.
     */
    List<String> find(String predicate, Value value, Lens lens);

    /** The assertions (claims and retractions) made by {@code source}. */
    List<Assertion> bySource(String source);
}
