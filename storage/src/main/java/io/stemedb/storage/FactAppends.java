package io.stemedb.storage;

import io.stemedb.model.ByteSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The entries one write batch appends to facts: per fact, its key and its new entries in the
 * order they were added ({@link FactEntries}), so that each fact gets one merge operand however
 * many of the batch's assertions it holds.
 *
 * <p>Not thread-safe: one belongs to one batch under construction.
 */
final class FactAppends {
    /** One fact's key and the entries this batch appends to it. */
    record Append(byte[] factKey, FactCache.Fact fact, ByteSink entries) { }

    private final Map<FactCache.Fact, Append> byFact;

    FactAppends(int expectedFacts) {
        byFact = new HashMap<>(Math.max(16, expectedFacts * 4 / 3 + 1));
    }

    /** The entries appended to the fact with key {@code factKey}: add to them. */
    ByteSink entriesOf(byte[] factKey) {
        FactCache.Fact fact = FactCache.Fact.of(factKey);
        Append a = byFact.get(fact);
        if (a == null) {
            a = new Append(factKey, fact, new ByteSink(256));
            byFact.put(fact, a);
        }
        return a.entries();
    }

    /** The entries appended to {@code fact}, or null when none are. */
    ByteSink get(FactCache.Fact fact) {
        Append a = byFact.get(fact);
        return a == null ? null : a.entries();
    }

    /** The facts appended to. */
    Set<FactCache.Fact> facts() {
        return byFact.keySet();
    }

    /** The appends in the unsigned order of their fact keys, as a batch's entries go in (see {@link OrderedPuts}). */
    List<Append> inKeyOrder() {
        List<Append> ordered = new ArrayList<>(byFact.values());
        // a fact key's two halves, compared unsigned, are its bytes in order: no array reads
        ordered.sort((x, y) -> x.fact().high() != y.fact().high() ? Long.compareUnsigned(x.fact().high(), y.fact().high())
                : Long.compareUnsigned(x.fact().low(), y.fact().low()));
        return ordered;
    }
}
