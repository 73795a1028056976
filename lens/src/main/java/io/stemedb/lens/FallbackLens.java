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
    /** How a resolution of the second lens is credited. */
    private final String fallenBack;

    FallbackLens(Lens first, Lens second) {
        this.first = first;
        this.second = second;
        this.name = first.name() + ".orElse(" + second.name() + ")";
        this.fallenBack = second.name() + " (" + first.name() + " chose nothing)";
    }

    @Override
    public Resolution resolve(Evidence evidence) {
        Resolution r = first.resolve(evidence);
        if (!r.isEmpty()) {
            return r;
        }
        return second.resolve(evidence).decidedBy(fallenBack);
    }

    @Override
    public String name() {
        return name;
    }
}
