package io.stemedb.model;

import java.util.Map;

/**
 * What claims and retractions share: a source, an HLC timestamp, metadata, and an identity that
 * is their canonical bytes. Two assertions are equal when their canonical bytes are.
 */
abstract class AbstractAssertion {
    private final String source;
    private final Hlc hlc;
    private final Map<String, String> metadata;
    private final Encoded encoded;

    AbstractAssertion(String source, Hlc hlc, Map<String, String> metadata, byte[] canonical) {
        this.source = Checks.name("source", source);
        if (hlc == null) {
            throw new Assertion.InvalidAssertionException("hlc",
                    "is missing; give the assertion a timestamp (a database does this on commit)");
        }
        this.hlc = hlc;
        this.metadata = Checks.metadata(metadata);
        this.encoded = new Encoded((Assertion) this, canonical);
    }

    /** For records read back from storage: the fields were checked when the record was first stored. */
    AbstractAssertion(byte[] canonical, String source, Hlc hlc, Map<String, String> metadata) {
        this.source = source;
        this.hlc = hlc;
        this.metadata = metadata;
        this.encoded = new Encoded((Assertion) this, canonical);
    }

    public String source() {
        return source;
    }

    public Hlc hlc() {
        return hlc;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public AssertionId id() {
        return encoded.id();
    }

    /** Sets the id of a just-decoded assertion whose hash is already known; before it is shared. */
    void knownId(AssertionId id) {
        encoded.knownId(id);
    }

    public byte[] canonicalBytes() {
        return encoded.bytes().clone();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && encoded.sameBytes(((AbstractAssertion) o).encoded);
    }

    @Override
    public int hashCode() {
        return id().hashCode();
    }
}
