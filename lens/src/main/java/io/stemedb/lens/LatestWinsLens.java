package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.LwwRegister;
import java.util.List;

/**
 * The newest live claim wins: the greatest HLC timestamp, ties (which only the same physical and
 * logical time on two nodes can produce) broken by node id and then by assertion id. It is the
 * {@link LwwRegister} view of the evidence. Immutable and thread-safe.
 */
final class LatestWinsLens implements Lens {
    static final LatestWinsLens INSTANCE = new LatestWinsLens();

    private LatestWinsLens() {}

    @Override
    public Resolution resolve(Evidence evidence) {
        return Resolution.of(evidence, name(), LwwRegister.of(evidence).winner().map(List::of).orElse(List.of()));
    }

    @Override
    public String name() {
        return "latest";
    }
}
