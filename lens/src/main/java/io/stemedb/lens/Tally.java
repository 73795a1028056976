package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.MvRegister;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * A vote among sources, shared by the majority, quorum and weighted lenses: each source votes
 * once, with its newest live claim (the {@link MvRegister} heads), so a source that repeats itself
 * gains nothing. A vote's weight comes from the caller. The value with the greatest total wins;
 * a tie goes to the value whose newest supporting claim is newest in record order, which depends
 * only on content, so every replica breaks it the same way.
 */
final class Tally {
    /** One value's supporters and their total weight. */
    record Count(Value value, double weight, List<Claim> supporters) {
        Claim newest() {
            return supporters.get(supporters.size() - 1);
        }

        int sources() {
            return supporters.size();
        }
    }

    private Tally() {}

    /** The value with the greatest total weight, or null when nobody voted (or every weight is 0). */
    static Count winner(Evidence evidence, ToDoubleFunction<Claim> weight) {
        Map<Value, List<Claim>> byValue = new TreeMap<>();
        for (Claim head : MvRegister.of(evidence).heads().values()) {
            byValue.computeIfAbsent(head.value(), v -> new ArrayList<>()).add(head);
        }
        Count best = null;
        for (Map.Entry<Value, List<Claim>> e : byValue.entrySet()) {
            List<Claim> supporters = e.getValue();
            supporters.sort(Assertion.RECORD_ORDER);
            double total = 0;
            for (Claim c : supporters) {
                total += weight.applyAsDouble(c);
            }
            Count count = new Count(e.getKey(), total, List.copyOf(supporters));
            if (total > 0 && (best == null || total > best.weight()
                    || (total == best.weight() && Assertion.RECORD_ORDER.compare(count.newest(), best.newest()) > 0))) {
                best = count;
            }
        }
        return best;
    }
}
