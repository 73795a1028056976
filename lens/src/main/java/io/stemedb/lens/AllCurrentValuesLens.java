package io.stemedb.lens;

import io.stemedb.crdt.Evidence;

/**
 * Every current value: each source's newest live claim wins (the {@link io.stemedb.crdt.MvRegister}
 * view), so a caller sees the disagreement instead of a verdict. {@link Resolution#value()} fails
 * when they disagree; read {@link Resolution#values()}. Winners are listed in record order.
 * Immutable and thread-safe.
 */
final class AllCurrentValuesLens implements Lens {
    static final AllCurrentValuesLens INSTANCE = new AllCurrentValuesLens();

    private AllCurrentValuesLens() {}

    @Override
    public Resolution resolve(Evidence evidence) {
        return evidence.remember(this, AllCurrentValuesLens::choose);
    }

    private Resolution choose(Evidence evidence) {
        return Resolution.ofLive(evidence, name(), evidence.heads());
    }

    @Override
    public String name() {
        return "all";
    }
}
