package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs a lens on the claims a filter keeps; the live claims it drops are reported as set aside,
 * with the filter's description as the reason, so an explanation still accounts for every claim.
 * Used for valid time, sources, minimum confidence, metadata and custom filters. Immutable and
 * thread-safe if the predicate is.
 */
final class FilteredLens implements Lens {
    private final Lens inner;
    /** The filter of a given evidence: one fixed predicate, or one that asks the evidence (its proofs). */
    private final Function<Evidence, Predicate<? super Claim>> keepIn;
    private final String reason;
    private final String name;

    FilteredLens(Lens inner, String description, Predicate<? super Claim> keep) {
        this(description, inner, e -> keep);
    }

    /** A filter whose predicate depends on the evidence it filters: {@code keepIn} gives it. */
    FilteredLens(String description, Lens inner, Function<Evidence, Predicate<? super Claim>> keepIn) {
        this.inner = inner;
        this.keepIn = keepIn;
        this.reason = "not " + description;
        this.name = inner.name() + "." + description;
    }

    /**
     * Resolves the kept claims, then accounts for the dropped ones. When the inner lens looked at
     * the past ({@link Lens#asOf} inside this filter), the dropped claims are those of that same
     * past, so a filter and {@code asOf} give the same answer in either order.
     */
    @Override
    public Resolution resolve(Evidence evidence) {
        Resolution r = inner.resolve(evidence.filter(keepIn.apply(evidence)));
        Optional<Instant> past = r.evidence().asOfInstant();
        return r.within(past.isPresent() ? evidence.asOf(past.get()) : evidence, reason, name);
    }

    @Override
    public String name() {
        return name;
    }
}
