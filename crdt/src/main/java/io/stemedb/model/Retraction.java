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
public final class Retraction implements Assertion {
    private final AssertionId target;
    private final String source;
    private final Hlc hlc;
    private final Map<String, String> metadata;
    private final Encoded encoded;

    private Retraction(AssertionId target, String source, Hlc hlc, Map<String, String> metadata, byte[] canonical) {
        this.target = Objects.requireNonNull(target, "target");
        this.source = Checks.name("source", source);
        if (hlc == null) {
            throw new InvalidAssertionException("hlc", "is missing; give the retraction a timestamp (a database does this on commit)");
        }
        this.hlc = hlc;
        this.metadata = Checks.metadata(metadata);
        this.encoded = new Encoded(this, canonical);
    }

    /** A retraction of {@code target} by {@code source} at {@code hlc}, with optional metadata (null for none). */
    public static Retraction of(AssertionId target, String source, Hlc hlc, Map<String, String> metadata) {
        return new Retraction(target, source, hlc, metadata, null);
    }

    static Retraction decoded(AssertionId target, String source, Hlc hlc, Map<String, String> metadata, byte[] canonical) {
        return new Retraction(target, source, hlc, metadata, canonical);
    }

    /** The id of the assertion this one retracts. */
    public AssertionId target() {
        return target;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public Hlc hlc() {
        return hlc;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public AssertionId id() {
        return encoded.id();
    }

    @Override
    public byte[] canonicalBytes() {
        return encoded.bytes().clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Retraction && encoded.sameBytes(((Retraction) o).encoded);
    }

    @Override
    public int hashCode() {
        return id().hashCode();
    }

    @Override
    public String toString() {
        return "retract " + target.shortHex() + " by " + source + " at " + hlc + (metadata.isEmpty() ? "" : " " + metadata);
    }
}
