package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.Optional;

/**
 * The last-writer-wins register view of one (subject, predicate): the live claim that is greatest
 * in {@link Assertion#RECORD_ORDER} (newest HLC timestamp; equal timestamps, which only one node
 * can produce, fall back to the id). A retracted winner hands over to the newest live claim
 * before it. Immutable and thread-safe.
 */
public final class LwwRegister {
    private final Claim winner;

    private LwwRegister(Claim winner) {
        this.winner = winner;
    }

    public static LwwRegister of(Evidence evidence) {
        var live = evidence.live();
        return new LwwRegister(live.isEmpty() ? null : live.get(live.size() - 1));
    }

    /** The winning claim, or empty when no claim is live. */
    public Optional<Claim> winner() {
        return Optional.ofNullable(winner);
    }

    public Optional<Value> value() {
        return winner().map(Claim::value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LwwRegister && java.util.Objects.equals(winner, ((LwwRegister) o).winner);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(winner);
    }

    @Override
    public String toString() {
        return "LwwRegister[" + winner + "]";
    }
}
