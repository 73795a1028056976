package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.function.Predicate;

/**
 * Runs a lens on the claims a filter keeps; the live claims it drops are reported as set aside,
 * with the filter's description as the reason, so an explanation still accounts for every claim.
 * Used for valid time, sources, minimum confidence, metadata and custom filters. Immutable and
 * thread-safe if the predicate is.
 */
final class FilteredLens implements Lens {
    private final Lens inner;
    /** The part of an evidence the inner lens sees: what a predicate keeps, or what the evidence's proofs prove. */
    private final UnaryOperator<Evidence> restrict;
    private final String reason;
    private final String name;

    FilteredLens(Lens inner, String description, Predicate<? super Claim> keep) {
        this(description, inner, e -> e.filter(keep));
    }

    /** A filter that keeps of each evidence what {@code restrict} returns (a part of it, or itself). */
    FilteredLens(String description, Lens inner, UnaryOperator<Evidence> restrict) {
        this.inner = inner;
        this.restrict = restrict;
        this.reason = "not " + description;
        this.name = inner.name() + "." + description;
    }

    /**
     * Resolves the kept claims, then accounts for the dropped ones (when it keeps them all, the
     * inner lens's resolution is the answer, under this lens's name). When the inner lens looked at
     * the past ({@link Lens#asOf} inside this filter), the dropped claims are those of that same
     * past, so a filter and {@code asOf} give the same answer in either order.
     */
    @Override
    public Resolution resolve(Evidence evidence) {
        return evidence.remember(this, FilteredLens::choose);
    }

    private Resolution choose(Evidence evidence) {
        Evidence kept = restrict.apply(evidence);
        if (kept == evidence) {
            return inner.resolve(evidence).decidedBy(name);
        }
        Resolution r = inner.resolve(kept);
        Optional<Instant> past = r.evidence().asOfInstant();
        return r.within(past.isPresent() ? evidence.asOf(past.get()) : evidence, reason, name);
    }

    @Override
    public String name() {
        return name;
    }
}
