package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.util.function.ToDoubleFunction;

/**
 * The lenses that count votes of sources ({@link Tally}): majority (one vote per source),
 * quorum (majority, but only once at least k sources agree) and weighted (each source's vote
 * weighs what the caller says, times the claim's confidence when it has one). The winners are
 * the supporting claims of the winning value, one per source. Immutable and thread-safe.
 */
final class VoteLens implements Lens {
    private final String name;
    private final ToDoubleFunction<Claim> weight;
    private final int quorum;

    VoteLens(String name, ToDoubleFunction<Claim> weight, int quorum) {
        this.name = name;
        this.weight = weight;
        this.quorum = quorum;
    }

    @Override
    public Resolution resolve(Evidence evidence) {
        return evidence.remember(this, VoteLens::choose);
    }

    private Resolution choose(Evidence evidence) {
        Tally.Count winner = Tally.winner(evidence, weight);
        if (winner == null || winner.sources() < quorum) {
            return Resolution.none(evidence, name);
        }
        return Resolution.ofLive(evidence, name, winner.supporters());
    }

    @Override
    public String name() {
        return name;
    }

}
