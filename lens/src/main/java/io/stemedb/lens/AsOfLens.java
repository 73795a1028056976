package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import java.time.Instant;

/**
 * Runs a lens on the evidence as it was at an instant, judged by the assertions' own HLC
 * timestamps: claims and retractions recorded later did not exist yet, so a claim retracted later
 * is live again. Every replica holding the same set answers the same. The resolution's evidence
 * is that past evidence. Immutable and thread-safe.
 */
final class AsOfLens implements Lens {
    private final Lens inner;
    private final Instant instant;
    private final String name;

    AsOfLens(Lens inner, Instant instant) {
        this.inner = inner;
        this.instant = instant;
        this.name = inner.name() + ".asOf(" + instant + ")";
    }

    @Override
    public Resolution resolve(Evidence evidence) {
        return inner.resolve(evidence.asOf(instant)).decidedBy(name);
    }

    @Override
    public String name() {
        return name;
    }
}
