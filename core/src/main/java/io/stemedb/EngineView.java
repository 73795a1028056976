package io.stemedb;

import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Utf8;
import io.stemedb.model.Value;
import io.stemedb.storage.Engine;
import io.stemedb.storage.EngineClosedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The queries of {@link ReadView} over an engine, either as it is now ({@code asOf == null}) or
 * as it was at an instant. Reads check that the database is still open. Thread-safe: it holds no
 * mutable state, and a read writes nothing shared (the engine gives each read a consistent state).
 */
final class EngineView implements ReadView {
    /** How many subjects an as-of view asks the engine for at a time while it filters them. */
    private static final int SUBJECT_BATCH = 64;

    private final Engine engine;
    private final Instant asOf;
    private final Lifecycle lifecycle;
    /** The database's signatures: attached to the evidence read once the database holds any. */
    private final Signatures signatures;

    /** A view of {@code engine} (for a database, its {@link MeteredEngine}) now ({@code asOf} null) or at {@code asOf}. */
    EngineView(Engine engine, Instant asOf, Lifecycle lifecycle, Signatures signatures) {
        this.engine = engine;
        this.asOf = asOf;
        this.lifecycle = lifecycle;
        this.signatures = signatures;
    }

    /** One engine call on an open database ({@link Lifecycle#call}). */
    private <T> T engine(Function<Engine, T> call) {
        return lifecycle.call(() -> call.apply(engine));
    }

    /** {@link #engine} for a fact's evidence, without a lambda: the read every query makes, so it allocates nothing of its own. */
    private Evidence engineEvidence(String subject, String predicate) {
        lifecycle.checkOpen();
        try {
            Evidence e = engine.evidence(subject, predicate);
            return signatures.active() ? e.withProofs(signatures) : e;
        } catch (EngineClosedException e) {
            throw new StemeDB.ClosedException();
        }
    }

    /** The view of the same engine at {@code instant}. */
    EngineView asOf(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        lifecycle.checkOpen();
        return new EngineView(engine, instant, lifecycle, signatures);
    }

    private boolean visible(Assertion a) {
        return asOf == null || !a.hlc().instant().isAfter(asOf);
    }

    private Evidence evidence(String subject, String predicate) {
        Evidence e = engineEvidence(subject, predicate);
        return asOf == null ? e : e.asOf(asOf);
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        Objects.requireNonNull(id, "id");
        return engine(en -> en.get(id)).filter(this::visible);
    }

    @Override
    public Evidence history(String subject, String predicate) {
        return evidence(required("subject", subject), required("predicate", predicate));
    }

    @Override
    public Resolution resolve(String subject, String predicate, Lens lens) {
        return apply(lens, history(subject, predicate));
    }

    private static Resolution apply(Lens lens, Evidence evidence) {
        Objects.requireNonNull(lens, "lens");
        Resolution r = lens.resolve(evidence);
        if (r == null) {
            throw new NullPointerException("lens " + lens.name() + " returned null; a lens returns Resolution.none(...) when it picks nothing");
        }
        return r;
    }

    @Override
    public SortedMap<String, Resolution> entity(String subject, Lens lens) {
        Objects.requireNonNull(lens, "lens");
        SortedMap<String, Resolution> result = new TreeMap<>(Utf8.CODE_POINT_ORDER);
        for (String predicate : predicates(required("subject", subject))) {
            Resolution r = apply(lens, evidence(subject, predicate));
            if (!r.isEmpty()) {
                result.put(predicate, r);
            }
        }
        return Collections.unmodifiableSortedMap(result);
    }

    private List<String> predicates(String subject) {
        return engine(en -> en.predicates(subject));
    }

    @Override
    public List<Conflict> conflicts(String subject) {
        List<Conflict> conflicts = new ArrayList<>();
        for (String predicate : predicates(required("subject", subject))) {
            Conflict c = Conflict.in(evidence(subject, predicate));
            if (c != null) {
                conflicts.add(c);
            }
        }
        return conflicts;
    }

    @Override
    public Page<Conflict> conflicts(@Nullable String afterSubject, int limit) {
        checkLimit(limit);
        List<Conflict> found = new ArrayList<>();
        String cursor = cursor(afterSubject);
        while (found.size() < limit) {
            List<String> subjects = subjects(cursor, Math.max(16, limit - found.size()));
            if (subjects.isEmpty()) {
                return new Page<>(found, null);
            }
            for (String subject : subjects) {
                found.addAll(conflicts(subject));
                cursor = subject;
                if (found.size() >= limit) {
                    break;
                }
            }
        }
        String last = cursor;
        boolean more = !engine(en -> en.subjects(last, 1)).isEmpty();
        return new Page<>(found, more ? cursor : null);
    }

    @Override
    public List<String> subjects(@Nullable String afterSubject, int limit) {
        checkLimit(limit);
        String after = cursor(afterSubject);
        if (asOf == null) {
            return engine(en -> en.subjects(after, limit));
        }
        List<String> visible = new ArrayList<>();
        String cursor = after;
        while (visible.size() < limit) {
            String from = cursor;
            List<String> batch = engine(en -> en.subjects(from, SUBJECT_BATCH));
            for (String subject : batch) {
                cursor = subject;
                if (predicates(subject).stream().anyMatch(p -> !evidence(subject, p).isEmpty())) {
                    visible.add(subject);
                    if (visible.size() == limit) {
                        break;
                    }
                }
            }
            if (batch.size() < SUBJECT_BATCH) {
                break;
            }
        }
        return visible;
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
    }

    @Override
    public List<String> find(String predicate, Value value, Lens lens) {
        required("predicate", predicate);
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(lens, "lens");
        List<String> found = new ArrayList<>();
        for (String subject : engine(en -> en.subjectsWith(predicate, value))) {
            if (apply(lens, evidence(subject, predicate)).values().contains(value)) {
                found.add(subject);
            }
        }
        return found;
    }

    @Override
    public List<Assertion> bySource(String source) {
        required("source", source);
        List<Assertion> found = new ArrayList<>(engine(en -> en.bySource(source)));
        found.removeIf(a -> !visible(a));
        return found;
    }

    /**
     * A name a query asks about, checked here, before any engine sees it, by the rules of stored
     * names: one no assertion can have (empty, an unpaired surrogate, over the size limit) fails
     * with the same {@link io.stemedb.model.Assertion.InvalidAssertionException} on every engine,
     * rather than reaching an engine's key encoding (which would replace a surrogate, or refuse
     * a long key with its own exception).
     */
    private static String required(String what, String name) {
        return Assertion.checkName(what, Objects.requireNonNull(name, what));
    }

    /** A paging cursor: null (from the first) or a name. */
    private static @Nullable String cursor(@Nullable String afterSubject) {
        return afterSubject == null ? null : required("afterSubject", afterSubject);
    }
}
