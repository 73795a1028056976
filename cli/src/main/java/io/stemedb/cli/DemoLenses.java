package io.stemedb.cli;

import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * DEMO LENSES: minimal, command-line-local stand-ins for lenses that the lens module does not ship
 * yet (today it has only {@link Lenses#latest()}). They exist so that {@code stemedb demo} can show
 * one set of claims read through several policies. They are deliberately small and are not API:
 * when the lens library lands in the lens module, delete this class and use its lenses in
 * {@link DemoCommand} instead.
 *
 * <p>Each follows the {@link Lens} contract: a pure function of the evidence, which lists claims
 * in record order (oldest first, by content alone), so "the latest" below means "the last one in
 * that order" and the answer is the same on every replica.
 */
final class DemoLenses {
    private DemoLenses() {}

    /**
     * Demo lens: the claim of the most trusted source wins, {@code ranking} listing sources from
     * most to least trusted (unlisted sources rank below all listed ones); among the claims of
     * that source, the latest.
     */
    static Lens trust(List<String> ranking) {
        List<String> order = List.copyOf(ranking);
        return ((Lens) evidence -> {
            Claim best = null;
            int bestRank = Integer.MAX_VALUE;
            for (Claim c : evidence.live()) {
                int i = order.indexOf(c.source());
                int rank = i < 0 ? order.size() : i;
                if (rank <= bestRank) { // <=: a later claim of an equally trusted source wins
                    best = c;
                    bestRank = rank;
                }
            }
            return Resolution.of(evidence, "trust", best == null ? List.of() : List.of(best));
        }).named("trust");
    }

    /**
     * Demo lens: the claim with the highest confidence wins (a claim without one counts as less
     * sure than any that has one); ties go to the latest.
     */
    static Lens highestConfidence() {
        return ((Lens) evidence -> {
            Claim best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (Claim c : evidence.live()) {
                double score = c.confidence().orElse(-1.0);
                if (score >= bestScore) {
                    best = c;
                    bestScore = score;
                }
            }
            return Resolution.of(evidence, "confidence", best == null ? List.of() : List.of(best));
        }).named("confidence");
    }

    /**
     * Demo lens: the value claimed by the most distinct sources wins, and every live claim of that
     * value is a winner; ties go to the value claimed most recently.
     */
    static Lens majority() {
        return ((Lens) evidence -> {
            Map<Value, Set<String>> sources = new HashMap<>();
            Map<Value, Integer> lastSeen = new HashMap<>();
            List<Claim> live = evidence.live();
            for (int i = 0; i < live.size(); i++) {
                Claim c = live.get(i);
                sources.computeIfAbsent(c.value(), v -> new HashSet<>()).add(c.source());
                lastSeen.put(c.value(), i);
            }
            Value best = null;
            for (Value v : sources.keySet()) {
                if (best == null || sources.get(v).size() > sources.get(best).size()
                        || (sources.get(v).size() == sources.get(best).size() && lastSeen.get(v) > lastSeen.get(best))) {
                    best = v;
                }
            }
            List<Claim> winners = new ArrayList<>();
            for (Claim c : live) {
                if (c.value().equals(best)) {
                    winners.add(c);
                }
            }
            return Resolution.of(evidence, "majority", winners);
        }).named("majority");
    }

    /**
     * Demo lens: only the claims valid at {@code t} (valid time: true in the world at that
     * instant) take part, and the latest of them wins.
     */
    static Lens validAt(Instant t, String name) {
        Objects.requireNonNull(t, "t");
        Lens latest = Lenses.latest();
        return ((Lens) evidence -> latest.resolve(evidence.filter(c -> c.isValidAt(t)))).named(name);
    }
}
