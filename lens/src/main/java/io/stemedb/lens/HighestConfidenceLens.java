package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import java.util.Comparator;
import java.util.List;

/**
 * The live claim with the highest confidence wins; claims that state no confidence rank below
 * every claim that does (0 included). Ties: the newest in record order. Immutable and thread-safe.
 */
final class HighestConfidenceLens implements Lens {
    static final HighestConfidenceLens INSTANCE = new HighestConfidenceLens();

    private static final Comparator<Claim> ORDER = Comparator
            .comparingDouble((Claim c) -> c.confidence().orElse(-1.0))
            .thenComparing(Assertion.RECORD_ORDER);

    private HighestConfidenceLens() {}

    @Override
    public Resolution resolve(Evidence evidence) {
        return Resolution.of(evidence, name(), evidence.live().stream().max(ORDER).map(List::of).orElse(List.of()));
    }

    @Override
    public String name() {
        return "confident";
    }
}
