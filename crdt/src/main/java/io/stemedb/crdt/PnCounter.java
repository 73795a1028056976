package io.stemedb.crdt;

import io.stemedb.model.Claim;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import java.math.BigInteger;

/**
 * The PN-counter view of one (subject, predicate): every live claim with an integer value is an
 * increment (a negative value a decrement), and the counter is their sum. Each increment is its
 * own assertion, so merging replicas never double-counts, and retracting an increment undoes it.
 * Claims of other value types are not increments and are ignored. The sum is exact: it is kept
 * as increments P and decrements N apart (as in the PN-Counter of Shapiro et al. 2011), so no
 * arrival order can make it overflow differently. Immutable and thread-safe.
 */
public final class PnCounter {
    private final BigInteger increments;
    private final BigInteger decrements;

    private PnCounter(BigInteger increments, BigInteger decrements) {
        this.increments = increments;
        this.decrements = decrements;
    }

    public static PnCounter of(Evidence evidence) {
        BigInteger p = BigInteger.ZERO;
        BigInteger n = BigInteger.ZERO;
        for (Claim c : evidence.live()) {
            if (c.value().type() == Value.Type.INTEGER) {
                long v = c.value().asLong();
                if (v >= 0) {
                    p = p.add(BigInteger.valueOf(v));
                } else {
                    n = n.subtract(BigInteger.valueOf(v));
                }
            }
        }
        return new PnCounter(p, n);
    }

    /** The sum of the increments. */
    public BigInteger increments() {
        return increments;
    }

    /** The sum of the decrements, as a non-negative number. */
    public BigInteger decrements() {
        return decrements;
    }

    /** The exact value, increments minus decrements. */
    public BigInteger exact() {
        return increments.subtract(decrements);
    }

    /**
     * The value as a long.
     *
     * @throws CounterOverflowException if it does not fit; read {@link #exact()} instead
     */
    public long value() {
        BigInteger v = exact();
        if (v.bitLength() > 63) {
            throw new CounterOverflowException(v);
        }
        return v.longValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PnCounter && increments.equals(((PnCounter) o).increments)
                && decrements.equals(((PnCounter) o).decrements);
    }

    @Override
    public int hashCode() {
        return increments.hashCode() * 31 + decrements.hashCode();
    }

    @Override
    public String toString() {
        return "PnCounter[" + exact() + "]";
    }

    /** Thrown by {@link #value()} when the exact sum does not fit in a long. */
    public static final class CounterOverflowException extends StemeException {
        private static final long serialVersionUID = 1L;

        CounterOverflowException(BigInteger value) {
            super("counter value " + value + " does not fit in a long; read PnCounter.exact() instead");
        }
    }
}
