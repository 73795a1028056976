package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.util.List;

/**
 * The newest live claim wins: the greatest HLC timestamp, ties (which only the same physical and
 * logical time on two nodes can produce) broken by node id and then by assertion id. It is the
 * {@link io.stemedb.crdt.LwwRegister} view of the evidence: the last of its live claims, which
 * are in record order. Immutable and thread-safe.
 */
final class LatestWinsLens implements Lens {
    static final LatestWinsLens INSTANCE = new LatestWinsLens();

    private LatestWinsLens() {}

    @Override
    public Resolution resolve(Evidence evidence) {
        return evidence.remember(this, LatestWinsLens::choose);
    }

    private Resolution choose(Evidence evidence) {
        List<Claim> live = evidence.live();
        return Resolution.ofLive(evidence, name(), live.isEmpty() ? List.of() : List.of(live.get(live.size() - 1)));
    }

    @Override
    public String name() {
        return "latest";
    }
}
