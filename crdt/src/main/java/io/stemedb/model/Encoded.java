package io.stemedb.model;

import java.util.Arrays;

/**
 * The canonical bytes and id of one assertion, computed on first use and then kept. Lazy because
 * an assertion read back from storage already has its bytes and rarely needs its hash; racy but
 * safe in the way of {@link String#hashCode()}: the computation is deterministic, so threads that
 * race compute the same result.
 */
final class Encoded {
    private final Assertion owner;
    private volatile byte[] bytes;
    private volatile AssertionId id;

    Encoded(Assertion owner, byte[] bytes) {
        this.owner = owner;
        this.bytes = bytes;
    }

    byte[] bytes() {
        byte[] b = bytes;
        if (b == null) {
            b = CanonicalCodec.encodeFields(owner);
            bytes = b;
        }
        return b;
    }

    AssertionId id() {
        AssertionId i = id;
        if (i == null) {
            i = AssertionId.hashOf(bytes());
            id = i;
        }
        return i;
    }

    void knownId(AssertionId known) {
        id = known;
    }

    boolean sameBytes(Encoded other) {
        return Arrays.equals(bytes(), other.bytes());
    }
}
