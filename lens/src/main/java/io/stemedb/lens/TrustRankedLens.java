package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trust ranking: the newest live claim of the highest-ranked source that has one wins. Sources not
 * in the ranking rank below every ranked one, all equal, so among them the newest claim wins; or,
 * when {@code othersIgnored}, they never win and the lens chooses nothing if no ranked source has a
 * live claim (combine with {@link Lens#orElse} for a fallback). Ties within one source: newest in
 * record order. Immutable and thread-safe.
 */
final class TrustRankedLens implements Lens {
    private final Map<String, Integer> rank = new HashMap<>();
    private final boolean othersIgnored;
    private final String name;

    TrustRankedLens(List<String> ranking, boolean othersIgnored) {
        if (ranking.isEmpty()) {
            throw new IllegalArgumentException("a trust ranking needs at least one source, most trusted first");
        }
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (String source : ranking) {
            Objects.requireNonNull(source, "a trust ranking cannot hold null");
            if (!distinct.add(source)) {
                throw new IllegalArgumentException("source '" + source + "' appears twice in the trust ranking " + ranking
                        + "; give each source one place");
            }
            rank.put(source, rank.size());
        }
        this.othersIgnored = othersIgnored;
        this.name = "trust[" + String.join(" > ", distinct) + (othersIgnored ? ", others ignored" : "") + "]";
    }

    @Override
    public Resolution resolve(Evidence evidence) {
        return evidence.remember(this, TrustRankedLens::choose);
    }

    private Resolution choose(Evidence evidence) {
        Claim best = null;
        int bestRank = Integer.MAX_VALUE;
        // live claims come in record order: of claims of equal rank, a later one is the newer
        for (Claim c : evidence.live()) {
            Integer r = rank.get(c.source());
            if (r == null && othersIgnored) {
                continue;
            }
            int effective = r == null ? rank.size() : r;
            if (effective <= bestRank) {
                best = c;
                bestRank = effective;
            }
        }
        return Resolution.ofLive(evidence, name, best == null ? List.of() : List.of(best));
    }

    @Override
    public String name() {
        return name;
    }
}
