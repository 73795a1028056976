package io.stemedb.bench.compare;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * W4's two rules done in Java on top of a query that returns a (subject, predicate)'s claims, as a
 * user of a database without lenses would write them (the Datalog peers; the SQL peers do it in
 * SQL). The same rules as StemeDB's {@code Lenses.trust} and {@code Lenses.majority} on claims
 * without retractions, confidence or valid time. Stateless and thread-safe.
 */
public final class ClaimRows {
    /** One claim as a query returned it. */
    public record Row(String value, String source, long time) {}

    private ClaimRows() {}

    /** The value of the newest claim; null if there is none. */
    public static String latest(List<Row> rows) {
        Row best = null;
        for (Row r : rows) {
            if (best == null || r.time() > best.time()) {
                best = r;
            }
        }
        return best == null ? null : best.value();
    }

    /** The newest claim of the highest-ranked source ({@code ranking} most trusted first; unlisted sources rank last, equally). */
    public static String trusted(List<Row> rows, List<String> ranking) {
        Row best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Row r : rows) {
            int rank = ranking.indexOf(r.source());
            rank = rank < 0 ? ranking.size() : rank;
            if (best == null || rank < bestRank || (rank == bestRank && r.time() > best.time())) {
                best = r;
                bestRank = rank;
            }
        }
        return best == null ? null : best.value();
    }

    /** The value with the most sources behind it, each source voting with its newest claim; ties: the value with the newest supporter. */
    public static String majority(List<Row> rows) {
        Map<String, Row> newestBySource = new HashMap<>();
        for (Row r : rows) {
            newestBySource.merge(r.source(), r, (a, b) -> b.time() > a.time() ? b : a);
        }
        Map<String, long[]> tally = new HashMap<>(); // value -> {votes, newest supporter's time}
        for (Row r : newestBySource.values()) {
            long[] t = tally.computeIfAbsent(r.value(), v -> new long[] {0, Long.MIN_VALUE});
            t[0]++;
            t[1] = Math.max(t[1], r.time());
        }
        String best = null;
        long[] bestTally = null;
        for (Map.Entry<String, long[]> e : tally.entrySet()) {
            long[] t = e.getValue();
            if (bestTally == null || t[0] > bestTally[0] || (t[0] == bestTally[0] && t[1] > bestTally[1])) {
                best = e.getKey();
                bestTally = t;
            }
        }
        return best;
    }
}
