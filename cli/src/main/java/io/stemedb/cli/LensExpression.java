package io.stemedb.cli;

import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The lens expressions of {@code --lens}: a small language that spells every built-in lens of
 * {@link Lenses} and every composition of {@link Lens}'s default methods. Parsed by hand, by
 * recursive descent, so that every error names the column where it is.
 *
 * <pre>
 * expression := primary ( "." method )*
 * primary    := "(" expression ")"
 *             | "latest" [ "(" ")" ] | "majority" [ "(" ")" ] | "confident" [ "(" ")" ] | "all" [ "(" ")" ]
 *             | "trust" "(" word ( "," word )* ")" | "trustOnly" "(" word ( "," word )* ")"
 *             | "weighted" "(" word "=" number ( "," word "=" number )* ")"
 *             | "quorum" "(" integer ")"
 * method     := "orElse" "(" expression ")"
 *             | "asOf" "(" time ")" | "validAt" "(" time ")"
 *             | "onlySources" "(" word ( "," word )* ")"
 *             | "minConfidence" "(" number ")"
 *             | "withMetadata" "(" word "=" word ")"
 * word       := a run of characters other than whitespace and , ( ) = " '
 *             | a string in "double" or 'single' quotes (backslash escapes the quote and itself)
 * time       := a word in one of the forms of {@link Times#parse}
 * </pre>
 *
 * Names of lenses and methods are matched ignoring case. Whitespace may appear between any two
 * tokens. For example {@code trust(hr, crm).orElse(latest).validAt(2023-03-20)} or
 * {@code weighted(hr=2, crm=1).minConfidence(0.5)}. Thread-safe: every parse has its own state.
 */
public final class LensExpression {
    /** The lens names, as documented. */
    public static final List<String> LENSES = List.of("latest", "trust", "trustOnly", "weighted", "majority", "quorum",
            "confident", "all");
    /** The method names, as documented. */
    public static final List<String> METHODS = List.of("orElse", "asOf", "validAt", "onlySources", "minConfidence",
            "withMetadata");

    /** How deep parentheses and orElse(...) may nest: far beyond any real lens, far below a stack overflow. */
    public static final int MAX_DEPTH = 32;
    /** How many lenses and methods one expression may hold: each wraps the last, and resolving unwraps them all. */
    public static final int MAX_PARTS = 256;

    private final String text;
    private int pos;
    private int depth;
    private int parts;

    private LensExpression(String text) {
        this.text = text;
    }

    /**
     * Parses a lens expression.
     *
     * @throws SyntaxException naming the problem and its column
     */
    public static Lens parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        return new LensExpression(expression).all();
    }

    /** A lens expression that does not parse: what is wrong and at which column (1-based). */
    public static final class SyntaxException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String expression;
        private final int column;
        private final String problem;

        SyntaxException(String expression, int column, String problem) {
            super(problem + " (column " + column + " of \"" + JsonLines.excerpt(expression) + "\")");
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

    // ---------------------------------------------------------------- grammar

    private Lens all() {
        skipSpace();
        if (atEnd()) {
            throw error(pos, "the lens expression is empty; write a lens such as latest, trust(hr, crm) or majority");
        }
        Lens lens = expression();
        skipSpace();
        if (!atEnd()) {
            throw error(pos, "unexpected " + describeHere() + " after a complete lens; "
                    + "compose lenses with methods, for example latest.asOf(2023-03-20) or trust(hr).orElse(latest)");
        }
        return lens;
    }

    private Lens expression() {
        if (++depth > MAX_DEPTH) {
            throw error(pos, "the lens expression is nested more than " + MAX_DEPTH + " deep (parentheses and orElse); "
                    + "write a flatter one");
        }
        Lens lens = primary();
        while (true) {
            skipSpace();
            if (!peek('.')) {
                depth--;
                return lens;
            }
            pos++;
            skipSpace();
            lens = method(lens);
        }
    }

    /** Counts one more lens or method, within {@link #MAX_PARTS}. */
    private void part(int at) {
        if (++parts > MAX_PARTS) {
            throw error(at, "the lens expression has more than " + MAX_PARTS + " lenses and methods; write a shorter one");
        }
    }

    private Lens primary() {
        skipSpace();
        if (peek('(')) {
            pos++;
            Lens inner = expression();
            expectClose("the parenthesized lens");
            return inner;
        }
        int start = pos;
        part(start);
        String name = name("a lens (" + String.join(", ", LENSES) + ")");
        String canonical = canonical(name, LENSES);
        if (canonical == null) {
            throw error(start, "unknown lens '" + JsonLines.excerpt(name) + "'" + suggestion(name, LENSES) + "; the lenses are "
                    + String.join(", ", LENSES) + (canonical(name, METHODS) != null
                            ? " (" + name + " is a method: write it after a lens and a dot, e.g. latest." + name + "(...))"
                            : ""));
        }
        switch (canonical) {
            case "latest":
                optionalEmptyArgs(canonical);
                return Lenses.latest();
            case "majority":
                optionalEmptyArgs(canonical);
                return Lenses.majority();
            case "confident":
                optionalEmptyArgs(canonical);
                return Lenses.confident();
            case "all":
                optionalEmptyArgs(canonical);
                return Lenses.all();
            case "trust":
                return Lenses.trust(sources(canonical, "sources, most trusted first, for example trust(hr, crm)"));
            case "trustOnly":
                return Lenses.trustOnly(sources(canonical, "sources, most trusted first, for example trustOnly(hr, crm)"));
            case "weighted":
                return Lenses.weighted(weights());
            case "quorum":
                return Lenses.quorum(quorumSize());
            default:
                throw new AssertionError(canonical);
        }
    }

    private Lens method(Lens lens) {
        int start = pos;
        part(start);
        String name = name("a method (" + String.join(", ", METHODS) + ")");
        String canonical = canonical(name, METHODS);
        if (canonical == null) {
            throw error(start, "unknown method '" + JsonLines.excerpt(name) + "'" + suggestion(name, METHODS) + "; the methods are "
                    + String.join(", ", METHODS));
        }
        open(canonical);
        Lens result;
        switch (canonical) {
            case "orElse": {
                Lens fallback = expression();
                result = lens.orElse(fallback);
                break;
            }
            case "asOf":
                result = lens.asOf(time(canonical));
                break;
            case "validAt":
                result = lens.validAt(time(canonical));
                break;
            case "onlySources":
                result = lens.onlySources(wordList(canonical, "sources, for example onlySources(hr, crm)"));
                return result;
            case "minConfidence": {
                skipSpace();
                int at = pos;
                double min = number(canonical, "a confidence between 0 and 1");
                if (!(min >= 0.0 && min <= 1.0)) {
                    throw error(at, "minConfidence needs a confidence between 0 and 1, got " + JsonLines.excerpt(text.substring(at, pos)));
                }
                result = lens.minConfidence(min);
                break;
            }
            case "withMetadata": {
                skipSpace();
                String key = word("a metadata key, for example withMetadata(url=https://example.com)");
                skipSpace();
                expect('=', "'=' between the metadata key and its value, as in withMetadata(" + key + "=value)");
                skipSpace();
                String value = word("the value of metadata key '" + JsonLines.excerpt(key) + "'");
                result = lens.withMetadata(key, value);
                break;
            }
            default:
                throw new AssertionError(canonical);
        }
        expectClose(canonical);
        return result;
    }

    // ---------------------------------------------------------------- argument lists

    private void optionalEmptyArgs(String lens) {
        skipSpace();
        if (peek('(')) {
            pos++;
            skipSpace();
            if (!peek(')')) {
                throw error(pos, lens + " takes no arguments: write " + lens + " or " + lens + "()");
            }
            pos++;
        }
    }

    private String[] sources(String lens, String what) {
        open(lens);
        return wordList(lens, what);
    }

    /** One or more words separated by commas, then the closing parenthesis. */
    private String[] wordList(String owner, String what) {
        List<String> words = new ArrayList<>();
        skipSpace();
        if (peek(')')) {
            throw error(pos, owner + " needs at least one of its " + what);
        }
        while (true) {
            skipSpace();
            int at = pos;
            String w = word("a source name");
            if (words.contains(w)) {
                throw error(at, owner + " lists '" + JsonLines.excerpt(w) + "' twice");
            }
            words.add(w);
            skipSpace();
            if (peek(',')) {
                pos++;
                continue;
            }
            expectClose(owner, "',' or ')' after '" + JsonLines.excerpt(w) + "'");
            return words.toArray(String[]::new);
        }
    }

    private Map<String, Double> weights() {
        open("weighted");
        Map<String, Double> weights = new LinkedHashMap<>();
        skipSpace();
        if (peek(')')) {
            throw error(pos, "weighted needs at least one source=weight, for example weighted(hr=2, crm=1)");
        }
        while (true) {
            skipSpace();
            int at = pos;
            String source = word("a source name, as in weighted(hr=2, crm=1)");
            if (weights.containsKey(source)) {
                throw error(at, "weighted gives '" + JsonLines.excerpt(source) + "' a weight twice");
            }
            skipSpace();
            expect('=', "'=' and a weight after '" + JsonLines.excerpt(source) + "', as in weighted(" + source + "=2)");
            skipSpace();
            int w = pos;
            double weight = number("weighted", "the weight of '" + JsonLines.excerpt(source) + "'");
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw error(w, "the weight of '" + JsonLines.excerpt(source) + "' must be a finite number of at least 0, got "
                        + JsonLines.excerpt(text.substring(w, pos)));
            }
            weights.put(source, weight);
            skipSpace();
            if (peek(',')) {
                pos++;
                continue;
            }
            expectClose("weighted", "',' or ')' after the weight of '" + JsonLines.excerpt(source) + "'");
            return weights;
        }
    }

    private int quorumSize() {
        open("quorum");
        skipSpace();
        int at = pos;
        String w = word("the number of sources that must agree, as in quorum(2)");
        int k;
        try {
            k = Integer.parseInt(w);
        } catch (NumberFormatException e) {
            k = 0;
        }
        if (k < 1) {
            throw error(at, "quorum needs a whole number of sources of at least 1, got '" + JsonLines.excerpt(w) + "'");
        }
        expectClose("quorum");
        return k;
    }

    private Instant time(String method) {
        skipSpace();
        int at = pos;
        String w = word("a time, for example " + method + "(2023-03-20T00:00:00Z)");
        try {
            return Times.parse(w);
        } catch (IllegalArgumentException e) {
            throw error(at, method + " needs a time: " + e.getMessage());
        }
    }

    private double number(String owner, String what) {
        int at = pos;
        String w = word(what);
        try {
            double d = Double.parseDouble(w);
            if (Double.isNaN(d) || !w.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                throw new NumberFormatException(w);
            }
            return d;
        } catch (NumberFormatException e) {
            throw error(at, owner + " needs a number for " + what + ", got '" + JsonLines.excerpt(w) + "'");
        }
    }

    // ---------------------------------------------------------------- tokens

    private String name(String what) {
        skipSpace();
        int start = pos;
        if (atEnd()) {
            throw error(pos, "expected " + what + " but the expression ended");
        }
        if (!Character.isLetter(text.charAt(pos))) {
            throw error(pos, "expected " + what + ", got " + describeHere());
        }
        while (!atEnd() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        return text.substring(start, pos);
    }

    /** A bare word or a quoted string. */
    private String word(String what) {
        skipSpace();
        if (atEnd()) {
            throw error(pos, "expected " + what + " but the expression ended");
        }
        char c = text.charAt(pos);
        if (c == '"' || c == '\'') {
            return quoted(c);
        }
        int start = pos;
        while (!atEnd() && !isDelimiter(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error(pos, "expected " + what + ", got " + describeHere());
        }
        return text.substring(start, pos);
    }

    private String quoted(char quote) {
        int start = pos;
        pos++;
        StringBuilder s = new StringBuilder();
        while (!atEnd()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                if (s.length() == 0) {
                    throw error(start, "an empty string is not a name");
                }
                return s.toString();
            }
            if (c == '\\') {
                if (atEnd()) {
                    break;
                }
                char next = text.charAt(pos++);
                if (next != '\\' && next != '"' && next != '\'') {
                    throw error(pos - 2, "unknown escape \\" + next + " in a quoted string; only \\\\, \\\" and \\' are escapes");
                }
                s.append(next);
            } else {
                s.append(c);
            }
        }
        throw error(start, "the string starting here has no closing " + quote);
    }

    private static boolean isDelimiter(char c) {
        return Character.isWhitespace(c) || c == ',' || c == '(' || c == ')' || c == '=' || c == '"' || c == '\'';
    }

    private void open(String owner) {
        skipSpace();
        expect('(', "'(' after " + owner);
    }

    private void expectClose(String owner) {
        expectClose(owner, "')' to close " + owner);
    }

    private void expectClose(String owner, String what) {
        skipSpace();
        expect(')', what);
    }

    private void expect(char c, String what) {
        if (atEnd()) {
            throw error(pos, "expected " + what + " but the expression ended");
        }
        if (text.charAt(pos) != c) {
            throw error(pos, "expected " + what + ", got " + describeHere());
        }
        pos++;
    }

    private boolean peek(char c) {
        return !atEnd() && text.charAt(pos) == c;
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private void skipSpace() {
        while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private String describeHere() {
        if (atEnd()) {
            return "the end of the expression";
        }
        int end = pos;
        if (Character.isLetterOrDigit(text.charAt(pos))) {
            while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                end++;
            }
        } else {
            end = pos + 1;
        }
        return "'" + JsonLines.excerpt(text.substring(pos, end)) + "'";
    }

    private SyntaxException error(int at, String problem) {
        return new SyntaxException(text, at + 1, problem);
    }

    // ---------------------------------------------------------------- names

    private static String canonical(String name, List<String> names) {
        for (String n : names) {
            if (n.equalsIgnoreCase(name)) {
                return n;
            }
        }
        return null;
    }

    private static String suggestion(String name, List<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String n : names) {
            int d = distance(name.toLowerCase(Locale.ROOT), n.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = n;
            }
        }
        return bestDistance <= 2 ? " (did you mean " + best + "?)" : "";
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
