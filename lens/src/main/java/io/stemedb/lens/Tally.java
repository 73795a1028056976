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
 * <p><b>Design.</b> A vote runs on every read through these lenses, so it works on one array of
 * the live claims instead of maps of lists: no allocation per claim, and it leans on the live
 * claims being in record order, so that it never compares timestamps (each claim's timestamp is
 * an object of its own, one more cache line to fetch per claim). A fact usually has a few claims:
 * up to {@link #SMALL} of them, the heads are found by walking the claims newest first and
 * keeping each source's first, which leaves them in record order; beyond, by a stable sort by
 * source (O(n log n)) and a sort of the heads back into record order. The heads are then sorted,
 * stably, by value, so each value's supporters stay in record order, the order their weights are
 * summed in. Both sorts only bring equal sources or values together, whatever order they put
 * them in, so they compare cached hash codes first and the strings only when those are equal
 * (Value's own order compares text code point by code point). Up to {@link #SMALL} claims are
 * sorted by an insertion sort here, which the JIT compiles with the comparison inlined, rather
 * than by the JDK's sort, whose comparator call is shared by every sort in the process.
 */
final class Tally {
    /** Facts of up to this many live claims are handled in place, without the JDK's sort. */
    private static final int SMALL = 32;
    /** Equal sources together. */
    private static final Comparator<Claim> BY_SOURCE = (a, b) -> {
        int byHash = Integer.compare(a.source().hashCode(), b.source().hashCode());
        return byHash != 0 ? byHash : a.source().compareTo(b.source());
    };
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

    /** Each source's newest claim among {@code live} (claims in record order), in record order. */
    static Claim[] heads(List<Claim> live) {
        int n = live.size();
        if (n > SMALL) {
            Claim[] claims = live.toArray(new Claim[0]);
            sort(claims, BY_SOURCE);
            int heads = 0;
            for (int i = 0; i < n; i++) {
                // the sort is stable: a source's claims stay in record order, its newest last
                if (i == n - 1 || !claims[i].source().equals(claims[i + 1].source())) {
                    claims[heads++] = claims[i];
                }
            }
            Claim[] result = Arrays.copyOf(claims, heads);
            sort(result, Assertion.RECORD_ORDER);
            return result;
        }
        Claim[] newestFirst = new Claim[n];
        int heads = 0;
        for (int i = n - 1; i >= 0; i--) {
            Claim c = live.get(i);
            if (!hasSource(newestFirst, heads, c.source())) {
                newestFirst[heads++] = c;
            }
        }
        Claim[] result = new Claim[heads];
        for (int i = 0; i < heads; i++) {
            result[i] = newestFirst[heads - 1 - i];
        }
        return result;
    }

    private static boolean hasSource(Claim[] claims, int count, String source) {
        int hash = source.hashCode();
        for (int i = 0; i < count; i++) {
            String s = claims[i].source();
            if (s == source || (s.hashCode() == hash && s.equals(source))) {
                return true;
            }
        }
        return false;
    }

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
