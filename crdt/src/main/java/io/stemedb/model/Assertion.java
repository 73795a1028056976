package io.stemedb.model;

import java.util.Comparator;
import java.util.Map;

/**
 * An immutable, attributed claim recorded in StemeDB: either a {@link Claim} ("source S says that
 * subject X's predicate P is V"), a {@link Retraction} (source S withdraws the assertion with a
 * given id) or an {@link Erasure} (source S deletes the content of some claims, keeping their
 * ids). Nothing but an erasure's targets is ever deleted, and an erasure is itself an assertion.
 *
 * <p>Every assertion is identified by the BLAKE3-256 hash of its canonical encoding
 * ({@link CanonicalCodec}, specified in docs/format.md): the same content has the same
 * {@link #id()} on every machine, forever. Instances are immutable and thread-safe; they are
 * validated when built, so an assertion that exists is a valid one.
 */
public sealed interface Assertion permits Claim, Retraction, Erasure {

    /** The most UTF-8 bytes a subject, predicate, source or reference may take. */
    int MAX_NAME_BYTES = 1024;
    /** The most entries a metadata map may hold. */
    int MAX_METADATA_ENTRIES = 64;
    /** The most UTF-8 bytes of a metadata key. */
    int MAX_METADATA_KEY_BYTES = 256;
    /** The most UTF-8 bytes of a metadata value. */
    int MAX_METADATA_VALUE_BYTES = 4096;
    /**
     * The hard ceiling on a value's encoded size, whatever a database is configured to accept
     * (a database's own limit, by default 1 MiB, is usually lower).
     */
    int MAX_VALUE_BYTES = 16 * 1024 * 1024;

    /**
     * The order in which StemeDB lists assertions everywhere: by HLC timestamp, then by id. It
     * depends only on content, so every replica lists the same set the same way.
     */
    Comparator<Assertion> RECORD_ORDER = (a, b) -> {
        // spelled out rather than composed from Comparator.comparing: it runs on every resolve
        int byTime = a.hlc().compareTo(b.hlc());
        return byTime != 0 ? byTime : a.id().compareTo(b.id());
    };

    /** The BLAKE3-256 hash of {@link #canonicalBytes()}. */
    AssertionId id();

    /**
     * The prefix of the sources StemeDB keeps for itself (its key registry, its attestations):
     * what their claims say is checked on arrival, and a database reads them at every open.
     */
    String RESERVED_SOURCE_PREFIX = "stemedb:";

    /** Who makes this assertion: a system, a person, a feed. */
    String source();

    /** When and where it was recorded: the HLC timestamp of the replica that created it. */
    Hlc hlc();

    /** Optional string metadata (evidence, url...), in canonical key order; empty when there is none. */
    Map<String, String> metadata();

    /** A copy of the canonical encoding, the bytes the id is the hash of. */
    byte[] canonicalBytes();

    /**
     * Checks a subject, predicate, source or reference name by the rules every assertion's names
     * follow (present, non-empty, well-formed Unicode, at most {@link #MAX_NAME_BYTES} UTF-8
     * bytes): what a query may ask about, since no stored assertion has another.
     *
     * @return {@code name}
     * @throws InvalidAssertionException naming {@code field} and the rule broken
     */
    static String checkName(String field, String name) {
        return Checks.name(field, name);
    }

    /** Thrown when an assertion or one of its parts breaks a rule; nothing was changed. */
    final class InvalidAssertionException extends StemeException {
        private static final long serialVersionUID = 1L;
        private final String field;

        public InvalidAssertionException(String field, String reason) {
            super("invalid " + field + ": " + reason);
            this.field = field;
        }

        /** The part that was wrong: subject, predicate, source, value, confidence, validTo, metadata, hlc... */
        public String field() {
            return field;
        }
    }
}
