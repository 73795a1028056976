package io.stemedb.lens;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The built-in lenses. Each is immutable, thread-safe and deterministic: it answers the same for
 * the same assertion set, whatever the order in which the assertions arrived. Compose them with
 * the default methods of {@link Lens}: {@code orElse}, {@code asOf}, {@code validAt},
 * {@code onlySources}, {@code minConfidence}, {@code withMetadata}, {@code filter}.
 *
 * <table>
 *   <caption>Built-in lenses: rule and tie-break</caption>
 *   <tr><th>lens</th><th>winner</th><th>ties</th></tr>
 *   <tr><td>{@link #latest()}</td><td>the newest live claim</td><td>node id, then assertion id</td></tr>
 *   <tr><td>{@link #trust(String...)}</td><td>the newest claim of the highest-ranked source</td><td>newest</td></tr>
 *   <tr><td>{@link #weighted(Map)}</td><td>the value with the greatest summed weight x confidence, one vote per source</td><td>the value with the newest supporter</td></tr>
 *   <tr><td>{@link #majority()}</td><td>the value claimed by the most sources</td><td>the value with the newest supporter</td></tr>
 *   <tr><td>{@link #quorum(int)}</td><td>as majority, once at least k sources agree</td><td>as majority</td></tr>
 *   <tr><td>{@link #confident()}</td><td>the highest confidence</td><td>newest</td></tr>
 *   <tr><td>{@link #all()}</td><td>every source's newest claim</td><td>-</td></tr>
 * </table>
 */
public final class Lenses {
    private static final Lens MAJORITY = new VoteLens("majority", c -> 1.0, 1);

    private Lenses() {}

    /** The newest live claim wins (tie-break: node id, then assertion id). */
    public static Lens latest() {
        return LatestWinsLens.INSTANCE;
    }

    /**
     * The newest claim of the highest-ranked source that has a live claim wins; {@code ranking}
     * lists sources most trusted first. Sources not listed rank below all listed ones, equally
     * (so the newest of their claims wins among them).
     */
    public static Lens trust(String... ranking) {
        return new TrustRankedLens(List.of(ranking), false);
    }

    /** Like {@link #trust(String...)}, but sources not listed never win: the lens chooses nothing if no listed source has a live claim. */
    public static Lens trustOnly(String... ranking) {
        return new TrustRankedLens(List.of(ranking), true);
    }

    /**
     * The value with the greatest summed weight wins: each source votes once, with its newest
     * live claim, weighing {@code weights.get(source)} times the claim's confidence (1 when it has
     * none); sources not in the map weigh nothing. Ties: the value whose newest supporting claim is
     * newest.
     */
    public static Lens weighted(Map<String, Double> weights) {
        Objects.requireNonNull(weights, "weights");
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("weighted needs at least one source weight");
        }
        Map<String, Double> copy = new TreeMap<>();
        weights.forEach((source, w) -> {
            Objects.requireNonNull(source, "a weighted lens's source cannot be null");
            if (w == null || !(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("the weight of source '" + source + "' must be a finite number >= 0, got " + w);
            }
            copy.put(source, w);
        });
        StringJoiner name = new StringJoiner(", ", "weighted[", "]");
        copy.forEach((s, w) -> name.add(s + "=" + w));
        return new VoteLens(name.toString(),
                c -> copy.getOrDefault(c.source(), 0.0) * c.confidence().orElse(1.0), 1);
    }

    /** The value claimed by the most sources wins (each source votes with its newest live claim). */
    public static Lens majority() {
        return MAJORITY;
    }

    /** Like {@link #majority()}, but chooses nothing until at least {@code k} sources agree on the winning value. */
    public static Lens quorum(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("a quorum needs at least 1 source, got " + k);
        }
        return new VoteLens("quorum(" + k + ")", c -> 1.0, k);
    }

    /** The claim with the highest confidence wins (claims without one rank last); ties: the newest. */
    public static Lens confident() {
        return HighestConfidenceLens.INSTANCE;
    }

    /** Every source's newest live claim: all current values, for callers that want the disagreement. */
    public static Lens all() {
        return AllCurrentValuesLens.INSTANCE;
    }
}
