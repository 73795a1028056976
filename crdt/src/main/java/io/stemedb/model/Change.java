package io.stemedb.model;

import java.util.Objects;

/**
 * An assertion and the arrival sequence number it got in one replica. Sequence numbers are local:
 * two replicas holding the same set number it differently.
 */
public record Change(long sequence, Assertion assertion) {
    public Change {
        Objects.requireNonNull(assertion, "assertion");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence numbers start at 1, got " + sequence);
        }
    }
}
