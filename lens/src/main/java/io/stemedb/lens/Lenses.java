package io.stemedb.lens;

import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
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
 *
 * <p><b>Read again, a fact costs no lens.</b> Each lens of this table keeps its resolution on the
 * evidence it resolved ({@link io.stemedb.crdt.Evidence#remember}, one slot per evidence, keyed by
 * the lens instance), and the engines hand the same evidence to every read of a fact until a
 * commit changes it: a fact read again through the same lens returns the resolution it returned
 * (measured: majority through the in-memory engine 1.1 µs before, 0.3 µs after; JMH
 * {@code HotReadBench}). So keep a lens rather than build it per read: {@code trust(...)} and
 * {@code weighted(...)} make a new instance each call. Of the compositions, the filters
 * ({@code onlySources}, {@code validAt}, {@code minConfidence}, {@code withMetadata},
 * {@code filter}, {@code requireSignature}) remember their answer too, which is why a filter's
 * predicate must be a pure function of the claim; the others pass evidence to the lenses they
 * compose, which remember on it in turn.
 *
 * <p>{@link #parse(String)} reads a lens from text, in the lens expression language that
 * {@code --lens} and the server's {@code lens=} take:
 *
 * <pre>{@code
 * Lens lens = Lenses.parse("trust[hr > crm].orElse(latest).validAt(2023-03-20)");
 * // the same as Lenses.trust("hr", "crm").orElse(Lenses.latest()).validAt(Instant.parse("2023-03-20T00:00:00Z"))
 * }</pre>
 */
public final class Lenses {
    /** How deep parentheses and orElse(...) may nest in an expression: far beyond any real lens, far below a stack overflow. */
    public static final int MAX_DEPTH = 32;
    /** How many lenses and methods one expression may hold: each wraps the last, and resolving unwraps them all. */
    public static final int MAX_PARTS = 256;

    private static final Lens MAJORITY = new VoteLens("majority", c -> 1.0, 1);
    private static final Lens SIGNED_ONLY = LatestWinsLens.INSTANCE.requireSignature();

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

    /**
     * The newest proven claim: {@code latest().requireSignature()}, which ignores every claim not
     * signed by a key registered for its source at its time ({@link Lens#requireSignature()}).
     */
    public static Lens signedOnly() {
        return SIGNED_ONLY;
    }

    /**
     * The lens an expression describes. The language spells every built-in lens by its
     * {@link Lens#name() name} and every composition of {@link Lens}'s default methods except
     * {@code filter}, so the name of any lens built from them parses back to a lens that answers
     * the same (when its sources and metadata are plain words):
     *
     * <pre>
     * latest   majority   confident   all   quorum(2)
     * trust[hr &gt; crm]   trust[hr &gt; crm, others ignored]   weighted[crm=1.0, hr=2.0]
     * lens.orElse(lens)   lens.asOf(time)   lens.validAt(time)   lens.onlySources(hr, crm)
     * lens.minConfidence(0.5)   lens.withMetadata(key=value)   (lens)
     * </pre>
     *
     * Aliases: {@code trust(hr, crm)} for {@code trust[hr > crm]}, {@code trustOnly(hr, crm)} for
     * {@code trust[hr > crm, others ignored]}, {@code weighted(hr=2, crm=1)} for
     * {@code weighted[crm=1.0, hr=2.0]}, and {@code latest()}, {@code majority()},
     * {@code confident()}, {@code all()}. Names of lenses and methods are matched ignoring case;
     * whitespace may appear between any two tokens. A time is an ISO-8601 instant
     * ({@code 2023-03-20T00:00:00Z}), a date-time with an offset ({@code 2023-03-20T09:00:00+02:00})
     * or a date, meaning midnight UTC ({@code 2023-03-20}). A source, key or value that holds
     * spaces or punctuation is quoted, {@code "web scraper"} or {@code 'a,b'}, with a backslash
     * before a quote or backslash inside. An expression nests at most {@link #MAX_DEPTH} deep and
     * holds at most {@link #MAX_PARTS} lenses and methods.
     *
     * @throws InvalidLensException naming the problem, its column and what to write instead
     */
    public static Lens parse(String expression) {
        return LensParser.parse(expression);
    }

    /**
     * A lens expression that does not parse: what is wrong, at which column (1-based), and what to
     * write instead. The message quotes at most the first 60 characters of the expression.
     */
    public static final class InvalidLensException extends StemeException {
        private static final long serialVersionUID = 1L;
        private final String expression;
        private final int column;
        private final String problem;

        InvalidLensException(String expression, int column, String problem) {
            super(problem + " (column " + column + " of \"" + TextInput.excerpt(expression) + "\")");
            this.expression = expression;
            this.column = column;
            this.problem = problem;
        }

        /** The expression that failed. */
        public String expression() {
            return expression;
        }

        /** The 1-based column the problem is at (one past the end when the expression ended too soon). */
        public int column() {
            return column;
        }

        /** What is wrong, without the position. */
        public String problem() {
            return problem;
        }

        /** Two lines: the expression, and a caret under the column. */
        public String pointer() {
            return expression + System.lineSeparator() + " ".repeat(column - 1) + "^";
        }
    }
}
