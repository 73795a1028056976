package io.stemedb.lens;

import io.stemedb.crdt.Evidence;

/**
 * The first lens's answer, or, when it chooses nothing, the second's; the resolution names which
 * one decided. Immutable and thread-safe.
 */
final class FallbackLens implements Lens {
    private final Lens first;
    private final Lens second;
    private final String name;

    FallbackLens(Lens first, Lens second) {
        this.first = first;
        this.second = second;
        this.name = first.name() + ".orElse(" + second.name() + ")";
    }

    @Override
    public Resolution resolve(Evidence evidence) {
        Resolution r = first.resolve(evidence);
        if (!r.isEmpty()) {
            return r;
        }
        return second.resolve(evidence).decidedBy(second.name() + " (" + first.name() + " chose nothing)");
    }

    @Override
    public String name() {
        return name;
    }
}
