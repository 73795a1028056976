package io.stemedb;

import io.stemedb.merkle.SyncLimits;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import java.time.Clock;
import java.time.Duration;

/**
 * What a database accepts: the wall clock it reads, the value size limit, the clock drift it
 * tolerates, its sync bounds, which erasures it takes from elsewhere, and the root key (raw
 * Ed25519 public key, or null) that signs its key registry's entries.
 */
record DatabaseLimits(Clock wall, int maxValueBytes, Duration maxClockDrift, SyncLimits sync, ErasurePolicy erasures,
        byte[] rootKey) {

    /** Fails if {@code a} is a claim whose value is larger than this database accepts. */
    void checkValueSize(Assertion a) {
        if (a instanceof Claim c) {
            int size = c.value().encodedSize();
            if (size > maxValueBytes) {
                throw new Assertion.InvalidAssertionException("value", String.format(
                        "is %,d bytes, more than this database's limit of %,d; raise maxValueBytes when building the "
                                + "database or store large content elsewhere and assert a reference to it", size, maxValueBytes));
            }
        }
    }

    /** Fails if {@code a} is an erasure from elsewhere that this database's {@link ErasurePolicy} refuses. */
    void checkErasure(Assertion a) {
        if (a instanceof io.stemedb.model.Erasure e && !erasures.accepts(e)) {
            throw new Assertion.InvalidAssertionException("erasure", "by " + e.source() + " (" + e.reason() + ") is refused by "
                    + "this database's erasure policy; an operator of this replica can make the same erasure locally");
        }
    }
}
