package io.stemedb.model;

import java.util.Map;
import java.util.Objects;

/**
 * "Source S withdraws the claim with id T": the assertion that retracts another. Immutable and
 * thread-safe.
 *
 * <p>The assertion set is a two-phase set: once a replica has seen a retraction of a claim, that
 * claim is dead there for good, whoever retracted it and whatever arrives later; the retraction
 * records who withdrew it. A retraction may name an id the replica has not seen yet (the claim
 * may arrive later by sync); a retraction that names another retraction has no effect, since
 * only claims can die.
 */
public final class Retraction extends AbstractAssertion implements Assertion {
    private final AssertionId target;

    private Retraction(AssertionId target, String source, Hlc hlc, Map<String, String> metadata, byte[] canonical) {
        super(source, hlc, metadata, canonical);
        this.target = Objects.requireNonNull(target, "target");
    }

    /** A retraction of {@code target} by {@code source} at {@code hlc}, with optional metadata (null for none). */
    public static Retraction of(AssertionId target, String source, Hlc hlc, Map<String, String> metadata) {
        return new Retraction(target, source, hlc, metadata, null);
    }

    private Retraction(byte[] canonical, AssertionId target, String source, Hlc hlc, Map<String, String> metadata) {
        super(canonical, source, hlc, metadata);
        this.target = target;
    }

    /** A retraction read back from storage, built without checking its fields (see {@link CanonicalCodec#decodeStored}). */
    static Retraction stored(byte[] canonical, AssertionId target, String source, Hlc hlc, Map<String, String> metadata) {
        return new Retraction(canonical, target, source, hlc, metadata);
    }

    static Retraction decoded(AssertionId target, String source, Hlc hlc, Map<String, String> metadata, byte[] canonical) {
        return new Retraction(target, source, hlc, metadata, canonical);
    }

    /** The id of the assertion this one retracts. */
    public AssertionId target() {
        return target;
    }

    @Override
    public String toString() {
        return "retract " + target.shortHex() + " by " + source() + " at " + hlc() + (metadata().isEmpty() ? "" : " " + metadata());
    }
}
