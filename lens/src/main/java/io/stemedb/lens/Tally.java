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
 * once, with its newest live claim (the {@link io.stemedb.crdt.MvRegister} heads), so a source
 * that repeats itself gains nothing. A vote's weight comes from the caller. The value with the
 * greatest total wins; a tie goes to the value whose newest supporting claim is newest in record
 * order, which depends only on content, so every replica breaks it the same way.
 *
 * <p><b>Design.</b> A vote runs on every read through these lenses, so it works on one array
 * instead of maps of lists: no allocation per claim, O(n log n). The heads come from the
 * evidence, which computes them once ({@link Evidence#heads()}), in record order; they are sorted,
 * stably, by value, so each value's supporters stay in record order, the order their weights are
 * summed in, and no timestamp is compared but to break a tie between totals. The sort only brings
 * equal values together, whatever order it puts them in, so it compares cached hash codes first
 * and the values only when those are equal (Value's own order compares text code point by code
 * point). Up to {@link #SMALL} votes are sorted by an insertion sort here, which the JIT compiles
 * with the comparison inlined, rather than by the JDK's sort, whose comparator call is shared by
 * every sort in the process.
 */
final class Tally {
    /** Up to this many votes are sorted in place, without the JDK's sort. */
    private static final int SMALL = 32;
    /** Equal values together. */
    private static final Comparator<Claim> BY_VALUE = (a, b) -> {
        Value x = a.value();
        Value y = b.value();
        int byHash = Integer.compare(x.hashCode(), y.hashCode());
        return byHash != 0 ? byHash : x.equals(y) ? 0 : x.compareTo(y);
    };

    /** One value's supporters, in record order, and their total weight. */
    record Count(Value value, double weight, List<Claim> supporters) {
        int sources() {
            return supporters.size();
        }
    }

    private Tally() {}

    /** Sorts {@code claims} by {@code order}, stably: claims it finds equal stay in the order they came in. */
    private static void sort(Claim[] claims, Comparator<? super Claim> order) {
        if (claims.length > SMALL) {
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
        Claim[] votes = evidence.heads().toArray(new Claim[0]);
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
