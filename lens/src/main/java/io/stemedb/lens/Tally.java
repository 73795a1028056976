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
 * the live claims, sorted twice (by source to find the heads, by value to count them), instead of
 * maps of lists: no allocation per claim, O(n log n), and no temporary arrays for the few claims a
 * fact usually has (the JDK sorts fewer than 32 elements in place). Both sorts are stable, so
 * claims that sort equal stay in record order, which is the order the totals are summed in.
 */
final class Tally {
    private static final Comparator<Claim> BY_SOURCE = Comparator.comparing(Claim::source);
    private static final Comparator<Claim> BY_VALUE = Comparator.comparing(Claim::value);

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

    /** Each source's newest claim among {@code live} (in record order), in record order. */
    static Claim[] heads(List<Claim> live) {
        Claim[] claims = live.toArray(new Claim[0]);
        if (claims.length < 2) {
            return claims;
        }
        Arrays.sort(claims, BY_SOURCE);
        int heads = 0;
        for (int i = 0; i < claims.length; i++) {
            if (i == claims.length - 1 || !claims[i].source().equals(claims[i + 1].source())) {
                claims[heads++] = claims[i];
            }
        }
        Arrays.sort(claims, 0, heads, Assertion.RECORD_ORDER);
        return heads == claims.length ? claims : Arrays.copyOf(claims, heads);
    }

    /** The value with the greatest total weight, or null when nobody voted (or every weight is 0). */
    static Count winner(Evidence evidence, ToDoubleFunction<Claim> weight) {
        Claim[] votes = heads(evidence.live());
        Arrays.sort(votes, BY_VALUE);
        int bestFrom = -1;
        int bestTo = -1;
        double bestTotal = 0;
        for (int from = 0, to; from < votes.length; from = to) {
            double total = 0;
            to = from;
            do {
                total += weight.applyAsDouble(votes[to++]);
            } while (to < votes.length && votes[to].value().compareTo(votes[from].value()) == 0);
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
