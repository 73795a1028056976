package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A vote among sources, shared by the majority, quorum and weighted lenses: each source votes
 * once, with its newest live claim (the {@link io.stemedb.crdt.MvRegister} heads), so a source that repeats itself
 * gains nothing. A vote's weight comes from the caller. The value with the greatest total wins;
 * a tie goes to the value whose newest supporting claim is newest in record order, which depends
 * only on content, so every replica breaks it the same way.
 *
 * <p><b>Design.</b> A vote runs on every read through these lenses, so it works on one array of
 * the live claims, sorted twice (by source to find the heads, then by value to count them),
 * instead of maps of lists: no allocation per claim, O(n log n). A fact usually has a few claims;
 * up to {@link #INSERTION_SORT} of them are sorted by an insertion sort here, which the JIT
 * compiles with the comparison inlined, rather than by the JDK's sort, whose comparator call is
 * shared by every sort in the process and so dispatched at run time. The sorts only
 * need to bring equal sources and equal values together, not to put them in their natural order,
 * so they compare cached hash codes first and the strings only when those are equal (Value's own
 * order compares text code point by code point). Ties between equal values, and the sort by
 * source, which is stable, keep record order: the order in which totals are summed.
 */
final class Tally {
    /** Equal sources together, each source's claims in the record order they came in (the sort is stable). */
    private static final Comparator<Claim> BY_SOURCE = (a, b) -> {
        int byHash = Integer.compare(a.source().hashCode(), b.source().hashCode());
        return byHash != 0 ? byHash : a.source().compareTo(b.source());
    };
    /** Equal values together, each value's claims in record order. */
    private static final Comparator<Claim> BY_VALUE = (a, b) -> {
        Value x = a.value();
        Value y = b.value();
        int byHash = Integer.compare(x.hashCode(), y.hashCode());
        int byValue = byHash != 0 ? byHash : x.equals(y) ? 0 : x.compareTo(y);
        return byValue != 0 ? byValue : Assertion.RECORD_ORDER.compare(a, b);
    };

    /** Up to this many claims are sorted in place by {@link #sort}'s insertion sort. */
    private static final int INSERTION_SORT = 32;

    /** One value's supporters, in record order, and their total weight. */
    record Count(Value value, double weight, List<Claim> supporters) {
        Claim newest() {
            return supporters.get(supporters.size() - 1);
        }

        int sources() {
            return supporters.size();
        }
    }

    private Tally() {}

    /** Each source's newest claim among {@code live} (in record order), grouped by source. */
    static Claim[] heads(List<Claim> live) {
        Claim[] claims = live.toArray(new Claim[0]);
        if (claims.length < 2) {
            return claims;
        }
        sort(claims, BY_SOURCE);
        int heads = 0;
        for (int i = 0; i < claims.length; i++) {
            if (i == claims.length - 1 || !claims[i].source().equals(claims[i + 1].source())) {
                claims[heads++] = claims[i];
            }
        }
        return heads == claims.length ? claims : Arrays.copyOf(claims, heads);
    }

    /** Sorts {@code claims} by {@code order}, stably: claims it finds equal stay in the order they came in. */
    static void sort(Claim[] claims, Comparator<? super Claim> order) {
        if (claims.length > INSERTION_SORT) {
            Arrays.sort(claims, order);
            return;
        }
        for (int i = 1; i < claims.length; i++) {
            Claim c = claims[i];
            int j = i - 1;
            while (j >= 0 && order.compare(claims[j], c) > 0) {
                claims[j + 1] = claims[j];
                j--;
            }
            claims[j + 1] = c;
        }
    }

    /**
     * The value with the greatest total weight, or null when nobody voted (or every weight is 0).
     * The winner does not depend on the order the values are visited in: totals and then newest
     * supporters are compared, and no two values share their newest supporter.
     */
    static Count winner(Evidence evidence, ToDoubleFunction<Claim> weight) {
        Claim[] votes = heads(evidence.live());
        sort(votes, BY_VALUE);
        int bestFrom = -1;
        int bestTo = -1;
        double bestTotal = 0;
        for (int from = 0, to; from < votes.length; from = to) {
            double total = 0;
            to = from;
            do {
                total += weight.applyAsDouble(votes[to++]);
            } while (to < votes.length && votes[to].value().equals(votes[from].value()));
            if (total > 0 && (bestFrom < 0 || total > bestTotal
                    || (total == bestTotal && Assertion.RECORD_ORDER.compare(votes[to - 1], votes[bestTo - 1]) > 0))) {
                bestFrom = from;
                bestTo = to;
                bestTotal = total;
            }
        }
        return bestFrom < 0 ? null
                : new Count(votes[bestFrom].value(), bestTotal, List.of(Arrays.copyOfRange(votes, bestFrom, bestTo)));
    }
}
