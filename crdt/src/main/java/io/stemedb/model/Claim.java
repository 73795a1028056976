package io.stemedb.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * "Source S says that subject X's predicate P is V": the assertion that carries a value.
 * Immutable and thread-safe; built with {@link #builder(String, String, Value)}, which validates
 * every field.
 *
 * <p>Besides the value, a claim may carry a {@linkplain #confidence() confidence} in [0, 1] and a
 * valid-time interval [{@link #validFrom()}, {@link #validTo()}): when the claim holds in the
 * world, as opposed to its {@link #hlc()}, when it was recorded. Either end may be open.
 */
public final class Claim extends AbstractAssertion implements Assertion {
    private final String subject;
    private final String predicate;
    private final Value value;
    private final double confidence; // NaN when absent
    private final Instant validFrom;
    private final Instant validTo;

    private Claim(Builder b, byte[] canonical) {
        super(checkedFirst(b).source, b.hlc, b.metadata, canonical);
        this.subject = b.subject;
        this.predicate = b.predicate;
        this.value = b.value;
        this.confidence = b.confidence == null ? Double.NaN : Checks.confidence(b.confidence);
        if (b.validFrom != null && b.validTo != null && !b.validTo.isAfter(b.validFrom)) {
            throw new InvalidAssertionException("validTo", b.validTo + " is not after validFrom " + b.validFrom
                    + "; the valid-time interval [validFrom, validTo) must not be empty");
        }
        this.validFrom = b.validFrom;
        this.validTo = b.validTo;
    }

    private Claim(byte[] canonical, String subject, String predicate, Value value, String source, Hlc hlc, double confidence,
            Instant validFrom, Instant validTo, Map<String, String> metadata) {
        super(canonical, source, hlc, metadata);
        this.subject = subject;
        this.predicate = predicate;
        this.value = value;
        this.confidence = confidence;
        this.validFrom = validFrom;
        this.validTo = validTo;
    }

    /** A claim read back from storage, built without checking its fields (see {@link CanonicalCodec#decodeStored}). */
    static Claim stored(byte[] canonical, String subject, String predicate, Value value, String source, Hlc hlc,
            double confidence, Instant validFrom, Instant validTo, Map<String, String> metadata) {
        return new Claim(canonical, subject, predicate, value, source, hlc, confidence, validFrom, validTo, metadata);
    }

    /** Checks the claim's own names and value before the shared fields, so errors come in field order. */
    private static Builder checkedFirst(Builder b) {
        Checks.name("subject", b.subject);
        Checks.name("predicate", b.predicate);
        Objects.requireNonNull(b.value, "value");
        Checks.valueSize(b.value);
        return b;
    }

    /** Starts a claim; {@link Builder#source} and {@link Builder#hlc} are required before {@link Builder#build()}. */
    public static Builder builder(String subject, String predicate, Value value) {
        return new Builder(subject, predicate, value);
    }

    static Claim decoded(Builder b, byte[] canonical) {
        return new Claim(b, canonical);
    }

    /** A builder that starts from this claim's fields, for deriving a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(subject, predicate, value).source(source()).hlc(hlc());
        if (hasConfidence()) {
            b.confidence(confidence);
        }
        return b.validFrom(validFrom).validTo(validTo).metadata(metadata());
    }

    public String subject() {
        return subject;
    }

    public String predicate() {
        return predicate;
    }

    public Value value() {
        return value;
    }

    public OptionalDouble confidence() {
        return hasConfidence() ? OptionalDouble.of(confidence) : OptionalDouble.empty();
    }

    boolean hasConfidence() {
        return !Double.isNaN(confidence);
    }

    double rawConfidence() {
        return confidence;
    }

    /** The start of the valid-time interval (inclusive), or empty for "since always". */
    public Optional<Instant> validFrom() {
        return Optional.ofNullable(validFrom);
    }

    /** The end of the valid-time interval (exclusive), or empty for "until further notice". */
    public Optional<Instant> validTo() {
        return Optional.ofNullable(validTo);
    }

    Instant rawValidFrom() {
        return validFrom;
    }

    Instant rawValidTo() {
        return validTo;
    }

    /** True when {@code t} lies in [validFrom, validTo). */
    public boolean isValidAt(Instant t) {
        return (validFrom == null || !t.isBefore(validFrom)) && (validTo == null || t.isBefore(validTo));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder()
                .append(subject).append('.').append(predicate).append(" = ").append(value)
                .append(" by ").append(source()).append(" at ").append(hlc());
        if (hasConfidence()) {
            s.append(" confidence ").append(confidence);
        }
        if (validFrom != null || validTo != null) {
            s.append(" valid [").append(validFrom == null ? "-inf" : validFrom)
                    .append(", ").append(validTo == null ? "+inf" : validTo).append(')');
        }
        if (!metadata().isEmpty()) {
            s.append(' ').append(metadata());
        }
        return s.toString();
    }

    /** Collects a claim's fields. Not thread-safe; {@link #build()} validates and may be called again. */
    public static final class Builder {
        private final String subject;
        private final String predicate;
        private final Value value;
        private String source;
        private Hlc hlc;
        private Double confidence;
        private Instant validFrom;
        private Instant validTo;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder(String subject, String predicate, Value value) {
            this.subject = subject;
            this.predicate = predicate;
            this.value = value;
        }

        public Builder source(String source) {
            this.source = source;
            return this;
        }

        public Builder hlc(Hlc hlc) {
            this.hlc = hlc;
            return this;
        }

        /** A probability in [0, 1]. */
        public Builder confidence(double confidence) {
            this.confidence = confidence;
            return this;
        }

        /** The start (inclusive) of the valid-time interval; null for none. */
        public Builder validFrom(Instant validFrom) {
            this.validFrom = validFrom;
            return this;
        }

        /** The end (exclusive) of the valid-time interval; null for none. */
        public Builder validTo(Instant validTo) {
            this.validTo = validTo;
            return this;
        }

        /** Adds one metadata entry, replacing an earlier one with the same key. */
        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /** Adds every entry of {@code entries}. */
        public Builder metadata(Map<String, String> entries) {
            entries.forEach(this::metadata);
            return this;
        }

        /** Validates the fields and makes the claim. */
        public Claim build() {
            return new Claim(this, null);
        }
    }
}
