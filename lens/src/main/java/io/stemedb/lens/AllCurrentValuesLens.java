package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import java.util.List;

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
        Claim[] heads = Tally.heads(evidence.live());
        Tally.sort(heads, Assertion.RECORD_ORDER);
        return Resolution.ofLive(evidence, name(), List.of(heads));
    }

    @Override
    public String name() {
        return "all";
    }
}
