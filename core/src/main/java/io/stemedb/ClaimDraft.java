package io.stemedb;

import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.SigningKey;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A claim being written: its subject, predicate and value, and the fields set on it before it is
 * committed. The database gives it its HLC timestamp at commit and validates it then. Not
 * thread-safe: fill a draft on one thread.
 *
 * @param <T> the draft's own type, so that setters chain
 */
public abstract class ClaimDraft<T extends ClaimDraft<T>> {
    private final String subject;
    private final String predicate;
    private final Value value;
    private String source;
    private Double confidence;
    private Instant validFrom;
    private Instant validTo;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private SigningKey signingKey;

    ClaimDraft(String subject, String predicate, Value value) {
        this.subject = subject;
        this.predicate = predicate;
        this.value = Objects.requireNonNull(value, "value");
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /** Who makes the claim (required). */
    public T source(String source) {
        this.source = source;
        return self();
    }

    /** How sure the source is, a probability in [0, 1]. */
    public T confidence(double confidence) {
        this.confidence = confidence;
        return self();
    }

    /** The claim holds in the world from {@code from} (inclusive) on. */
    public T validFrom(Instant from) {
        this.validFrom = from;
        return self();
    }

    /** The claim holds in the world until {@code to} (exclusive). */
    public T validTo(Instant to) {
        this.validTo = to;
        return self();
    }

    /** The claim holds in the world during [{@code from}, {@code to}). */
    public T validDuring(Instant from, Instant to) {
        return validFrom(from).validTo(to);
    }

    /** One metadata entry (evidence, url...), replacing an earlier one with the same key. */
    public T metadata(String key, String value) {
        metadata.put(key, value);
        return self();
    }

    /**
     * Signs the claim with {@code key}: the commit stores, with the claim, an attestation in which
     * the key signs the claim's id (docs/format.md, "Signed claims"). The claim's id is the same as
     * unsigned. Lenses that {@link io.stemedb.lens.Lens#requireSignature() require a signature}
     * accept it once the database's key registry binds {@code key} to the claim's source at the
     * claim's time ({@link StemeDB#registerKey}).
     */
    public T signedWith(SigningKey key) {
        this.signingKey = Objects.requireNonNull(key, "key");
        return self();
    }

    /** What the writer runs: the claim's builder, signed if {@link #signedWith} was called. */
    Function<Hlc, Claim> drafted() {
        return signingKey == null ? this::build : new SignedDraft(this::build, signingKey);
    }

    Claim build(Hlc hlc) {
        Claim.Builder b = Claim.builder(subject, predicate, value).source(source).hlc(hlc)
                .validFrom(validFrom).validTo(validTo).metadata(metadata);
        if (confidence != null) {
            b.confidence(confidence);
        }
        return b.build();
    }
}
