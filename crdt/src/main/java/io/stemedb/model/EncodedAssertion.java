package io.stemedb.model;

import java.util.Objects;

/**
 * An assertion as it travels between replicas: the id the sender says it has and its canonical
 * bytes. Nothing is trusted until {@link #decode()} has re-hashed and validated it.
 */
public record EncodedAssertion(AssertionId id, byte[] bytes) {
    public EncodedAssertion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** The encoded form of {@code assertion}. */
    public static EncodedAssertion of(Assertion assertion) {
        return new EncodedAssertion(assertion.id(), assertion.canonicalBytes());
    }

    /**
     * Checks that the bytes hash to the id and are the canonical encoding of a valid assertion.
     *
     * @throws CanonicalCodec.IdMismatchException if they hash to another id
     * @throws CanonicalCodec.MalformedRecordException if they are not a canonical record
     * @throws Assertion.InvalidAssertionException if they encode an invalid assertion
     */
    public Assertion decode() {
        return CanonicalCodec.decodeVerified(id, bytes);
    }
}
