package io.stemedb;

import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.util.Map;
import java.util.Objects;

/**
 * A claim or a retraction to {@linkplain StemeDB#bulkLoadDrafts bulk-load}, stamped by the
 * database as it is loaded (claims in input order; retractions after every claim of the load).
 *
 * <pre>{@code
 * db.bulkLoadDrafts(rows.stream().map(r -> BulkDraft.claim(r.id(), "name", Value.text(r.name())).source("crm")),
 *         ProgressListener.NONE);
 * }</pre>
 */
public sealed interface BulkDraft permits BulkDraft.Claim, BulkDraft.Retraction {

    /** A claim to load; set its fields on the returned draft (at least its source). */
    static Claim claim(String subject, String predicate, Value value) {
        return new Claim(subject, predicate, value);
    }

    /** A retraction by {@code source} of {@code target}, a claim stored already or loaded by the same load. */
    static Retraction retraction(AssertionId target, String source) {
        return new Retraction(target, source, Map.of());
    }

    /** A claim of a bulk load. Not thread-safe: fill it on one thread. */
    final class Claim extends ClaimDraft<Claim> implements BulkDraft {
        Claim(String subject, String predicate, Value value) {
            super(subject, predicate, value);
        }
    }

    /** A retraction of a bulk load, with its metadata (a reason, for example). */
    record Retraction(AssertionId target, String source, Map<String, String> metadata) implements BulkDraft {
        public Retraction {
            Objects.requireNonNull(target, "target");
            metadata = Map.copyOf(metadata);
        }
    }
}
