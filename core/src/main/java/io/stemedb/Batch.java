package io.stemedb;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The writes of one atomic {@link StemeDB#write}: claims and retractions that are stored all
 * together or not at all. Filled by the caller's lambda on one thread; not thread-safe.
 */
public final class Batch {
    /** Each draft as the writer will run it, asked for at commit (a claim draft may be signed after it was added). */
    private final List<Supplier<Function<Hlc, ? extends Assertion>>> drafts = new ArrayList<>();

    Batch() {}

    /** Adds a claim; set its fields on the returned draft (at least its source). */
    public Draft assertion(String subject, String predicate, Value value) {
        Draft draft = new Draft(subject, predicate, value);
        drafts.add(draft::drafted);
        return draft;
    }

    /**
     * Adds a retraction by {@code source} of the claim {@code target}, which must be stored
     * already.
     */
    public Batch retract(AssertionId target, String source) {
        return retract(target, source, Map.of());
    }

    /** Adds a retraction with metadata (a reason, for example). */
    public Batch retract(AssertionId target, String source, Map<String, String> metadata) {
        RetractionDraft retraction = new RetractionDraft(target, source, metadata);
        drafts.add(() -> retraction);
        return this;
    }

    List<Function<Hlc, ? extends Assertion>> drafts() {
        List<Function<Hlc, ? extends Assertion>> built = new ArrayList<>(drafts.size());
        drafts.forEach(d -> built.add(d.get()));
        return built;
    }

    /** A claim in a batch. */
    public static final class Draft extends ClaimDraft<Draft> {
        Draft(String subject, String predicate, Value value) {
            super(subject, predicate, value);
        }
    }
}
