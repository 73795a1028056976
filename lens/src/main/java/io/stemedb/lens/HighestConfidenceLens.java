package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.util.List;

/**
 * The live claim with the highest confidence wins; claims that state no confidence rank below
 * every claim that does (0 included). Ties: the newest in record order. Immutable and thread-safe.
 */
final class HighestConfidenceLens implements Lens {
    static final HighestConfidenceLens INSTANCE = new HighestConfidenceLens();

    private HighestConfidenceLens() {}

    @Override
    public Resolution resolve(Evidence evidence) {
        return evidence.remember(this, HighestConfidenceLens::choose);
    }

    private Resolution choose(Evidence evidence) {
        Claim best = null;
        double bestConfidence = 0;
        // live claims come in record order, so a later claim of equal confidence is the newer one
        for (Claim c : evidence.live()) {
            double confidence = c.confidence().orElse(-1.0);
            if (best == null || Double.compare(confidence, bestConfidence) >= 0) {
                best = c;
                bestConfidence = confidence;
            }
        }
        return Resolution.ofLive(evidence, name(), best == null ? List.of() : List.of(best));
    }

    @Override
    public String name() {
        return "confident";
    }
}
