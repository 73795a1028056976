package io.stemedb.lens;

import io.stemedb.model.TextInput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The parser behind {@link Lenses#parse}: recursive descent over the lens expression language, so
 * that every error names the column where it is. Thread-safe: every parse has its own state.
 *
 * <pre>
 * expression := primary ( "." method )*
 * primary    := "(" expression ")"
 *             | "latest" [ "(" ")" ] | "majority" [ "(" ")" ] | "confident" [ "(" ")" ] | "all" [ "(" ")" ]
 *             | "trust" "[" word ( "&gt;" word )* [ "," "others" "ignored" ] "]"
 *             | "weighted" "[" word "=" number ( "," word "=" number )* "]"
 *             | "quorum" "(" integer ")"
 *             | "trust" "(" word ( "," word )* ")" | "trustOnly" "(" word ( "," word )* ")"
 *             | "weighted" "(" word "=" number ( "," word "=" number )* ")"
 * method     := "orElse" "(" expression ")"
 *             | "asOf" "(" time ")" | "validAt" "(" time ")"
 *             | "onlySources" "(" word ( "," word )* ")"
 *             | "minConfidence" "(" number ")"
 *             | "withMetadata" "(" word "=" word ")"
 *             | "requireSignature" "(" ")"
 * word       := a run of characters other than whitespace and , ( ) = " ' (and, inside [ ], also [ ] &gt;)
 *             | a string in "double" or 'single' quotes (backslash escapes the quote and itself)
 * time       := an ISO-8601 instant, a date-time with an offset, or a date (midnight UTC)
 * </pre>
 *
 * The bracketed forms are the built-in lenses' own {@link Lens#name() names}
 * ({@code trust[hr > crm]}, {@code trust[hr, others ignored]}, {@code weighted[crm=1.0, hr=2.0]});
 * {@code trust(hr, crm)}, {@code trustOnly(hr)} and {@code weighted(hr=2, crm=1)} are aliases of
 * them. Names of lenses and methods are matched ignoring case.
 */
final class LensParser {
    /** The lens names, as documented. */
    static final List<String> LENSES = List.of("latest", "trust", "trustOnly", "weighted", "majority", "quorum",
            "confident", "all");
    /** The method names, as documented. */
    static final List<String> METHODS = List.of("orElse", "asOf", "validAt", "onlySources", "minConfidence",
            "withMetadata", "requireSignature");


    private final String text;
    private int pos;
    private int depth;
    private int parts;
    /** Inside the brackets of trust[...] or weighted[...], where [ ] and &gt; end a word too. */
    private boolean inBrackets;

    private LensParser(String text) {
        this.text = text;
    }

    /** Parses a lens expression; see {@link Lenses#parse}. */
    static Lens parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        return new LensParser(expression).all();
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
        if (++depth > Lenses.MAX_DEPTH) {
            throw error(pos, "the lens expression is nested more than " + Lenses.MAX_DEPTH + " deep (parentheses and orElse); "
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

    /** Counts one more lens or method, within {@link Lenses#MAX_PARTS}. */
    private void part(int at) {
        if (++parts > Lenses.MAX_PARTS) {
            throw error(at, "the lens expression has more than " + Lenses.MAX_PARTS + " lenses and methods; write a shorter one");
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
            throw error(start, "unknown lens '" + TextInput.excerpt(name) + "'" + suggestion(name, LENSES) + "; the lenses are "
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
                skipSpace();
                if (peek('[')) {
                    return ranking();
                }
                return Lenses.trust(sources(canonical, "sources, most trusted first, for example trust(hr, crm)"));
            case "trustOnly":
                return Lenses.trustOnly(sources(canonical, "sources, most trusted first, for example trustOnly(hr, crm)"));
            case "weighted":
                skipSpace();
                if (peek('[')) {
                    pos++;
                    inBrackets = true;
                    Map<String, Double> weights = weights(']');
                    inBrackets = false;
                    return Lenses.weighted(weights);
                }
                open("weighted");
                return Lenses.weighted(weights(')'));
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
            throw error(start, "unknown method '" + TextInput.excerpt(name) + "'" + suggestion(name, METHODS) + "; the methods are "
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
                    throw error(at, "minConfidence needs a confidence between 0 and 1, got " + TextInput.excerpt(text.substring(at, pos)));
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
                String value = word("the value of metadata key '" + TextInput.excerpt(key) + "'");
                result = lens.withMetadata(key, value);
                break;
            }
            case "requireSignature":
                skipSpace();
                result = lens.requireSignature();
                break;
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
                throw error(at, owner + " lists '" + TextInput.excerpt(w) + "' twice");
            }
            words.add(w);
            skipSpace();
            if (peek(',')) {
                pos++;
                continue;
            }
            expectClose(owner, "',' or ')' after '" + TextInput.excerpt(w) + "'");
            return words.toArray(String[]::new);
        }
    }

    /**
     * The name of a trust lens, {@code trust[hr > crm]} or {@code trust[hr > crm, others ignored]}:
     * sources most trusted first, separated by '&gt;'.
     */
    private Lens ranking() {
        pos++;
        inBrackets = true;
        List<String> sources = new ArrayList<>();
        skipSpace();
        if (peek(']')) {
            throw error(pos, "trust needs at least one of its sources, most trusted first, for example trust[hr > crm]");
        }
        while (true) {
            skipSpace();
            int at = pos;
            String w = word("a source name");
            if (sources.contains(w)) {
                throw error(at, "trust lists '" + TextInput.excerpt(w) + "' twice");
            }
            sources.add(w);
            skipSpace();
            if (peek('>')) {
                pos++;
                continue;
            }
            boolean othersIgnored = false;
            if (peek(',')) {
                pos++;
                skipSpace();
                int othersAt = pos;
                String others = word("'others ignored'");
                skipSpace();
                String ignored = atEnd() || peek(']') ? "" : word("'others ignored'");
                if (!others.equals("others") || !ignored.equals("ignored")) {
                    throw error(othersAt, "expected 'others ignored' after the last source of trust[...], got '"
                            + TextInput.excerpt(text.substring(othersAt, pos)) + "'; write trust[hr > crm] or trust[hr > crm, others ignored]");
                }
                othersIgnored = true;
                skipSpace();
            }
            expect(']', "'>', ', others ignored' or ']' after '" + TextInput.excerpt(w) + "'");
            inBrackets = false;
            String[] ranking = sources.toArray(String[]::new);
            return othersIgnored ? Lenses.trustOnly(ranking) : Lenses.trust(ranking);
        }
    }

    /** source=weight pairs separated by commas, after the opening bracket or parenthesis, up to {@code close}. */
    private Map<String, Double> weights(char close) {
        Map<String, Double> weights = new LinkedHashMap<>();
        skipSpace();
        if (peek(close)) {
            throw error(pos, "weighted needs at least one source=weight, for example weighted(hr=2, crm=1)");
        }
        while (true) {
            skipSpace();
            int at = pos;
            String source = word("a source name, as in weighted(hr=2, crm=1)");
            if (weights.containsKey(source)) {
                throw error(at, "weighted gives '" + TextInput.excerpt(source) + "' a weight twice");
            }
            skipSpace();
            expect('=', "'=' and a weight after '" + TextInput.excerpt(source) + "', as in weighted(" + source + "=2)");
            skipSpace();
            int w = pos;
            double weight = number("weighted", "the weight of '" + TextInput.excerpt(source) + "'");
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw error(w, "the weight of '" + TextInput.excerpt(source) + "' must be a finite number of at least 0, got "
                        + TextInput.excerpt(text.substring(w, pos)));
            }
            weights.put(source, weight);
            skipSpace();
            if (peek(',')) {
                pos++;
                continue;
            }
            expect(close, "',' or '" + close + "' after the weight of '" + TextInput.excerpt(source) + "'");
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
            throw error(at, "quorum needs a whole number of sources of at least 1, got '" + TextInput.excerpt(w) + "'");
        }
        expectClose("quorum");
        return k;
    }

    private Instant time(String method) {
        skipSpace();
        int at = pos;
        String w = word("a time, for example " + method + "(2023-03-20T00:00:00Z)");
        try {
            return TextInput.instant(w);
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
            throw error(at, owner + " needs a number for " + what + ", got '" + TextInput.excerpt(w) + "'");
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

    private boolean isDelimiter(char c) {
        return Character.isWhitespace(c) || c == ',' || c == '(' || c == ')' || c == '=' || c == '"' || c == '\''
                || (inBrackets && (c == '[' || c == ']' || c == '>'));
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
        return "'" + TextInput.excerpt(text.substring(pos, end)) + "'";
    }

    private Lenses.InvalidLensException error(int at, String problem) {
        return new Lenses.InvalidLensException(text, at + 1, problem);
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
