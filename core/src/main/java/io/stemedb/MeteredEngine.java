package io.stemedb;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import io.stemedb.storage.Engine;
import io.stemedb.storage.EngineStats;
import io.stemedb.storage.ErasureStats;
import io.stemedb.storage.VerifyReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An engine that counts the reads made through it in {@link Meters}: each fact's evidence, each
 * get by id, each bySource. Every {@link EngineView} of a database (the database itself and each
 * {@code asOf} view) reads through the same one, so every query is metered; the writer, sync and
 * the archive read the engine itself and are not counted as reads. Thread-safe, as the engine is.
 */
final class MeteredEngine implements Engine {
    private final Engine engine;
    private final Meters meters;

    MeteredEngine(Engine engine, Meters meters) {
        this.engine = engine;
        this.meters = meters;
    }

    /** Metered without a lambda: the read every query makes, so it allocates nothing of its own. */
    @Override
    public Evidence evidence(String subject, String predicate) {
        long start = Meters.readStart();
        try {
            return engine.evidence(subject, predicate);
        } finally {
            meters.readDone(start);
        }
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        return metered(() -> engine.get(id));
    }

    @Override
    public List<Assertion> bySource(String source) {
        return metered(() -> engine.bySource(source));
    }

    private <T> T metered(Supplier<T> read) {
        long start = Meters.readStart();
        try {
            return read.get();
        } finally {
            meters.readDone(start);
        }
    }

    @Override
    public List<Change> commit(List<? extends Assertion> assertions) {
        return engine.commit(assertions);
    }

    @Override
    public List<Change> commit(List<? extends Assertion> assertions, Map<String, byte[]> checkpoints) {
        return engine.commit(assertions, checkpoints);
    }

    @Override
    public Optional<byte[]> checkpoint(String name) {
        return engine.checkpoint(name);
    }

    @Override
    public boolean contains(AssertionId id) {
        return engine.contains(id);
    }

    @Override
    public Kind kindOf(AssertionId id) {
        return engine.kindOf(id);
    }

    @Override
    public List<String> subjects(@Nullable String afterSubject, int limit) {
        return engine.subjects(afterSubject, limit);
    }

    @Override
    public List<String> predicates(String subject) {
        return engine.predicates(subject);
    }

    @Override
    public List<String> subjectsWith(String predicate, Value value) {
        return engine.subjectsWith(predicate, value);
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        return engine.changesSince(afterSequence, limit);
    }

    @Override
    public IdDigest digest() {
        return engine.digest();
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        return engine.bucketDigest(bucket);
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte @Nullable [] high, int limit) {
        return engine.ids(low, high, limit);
    }

    @Override
    public long lastSequence() {
        return engine.lastSequence();
    }

    @Override
    public Optional<Erasure> erasedBy(AssertionId id) {
        return engine.erasedBy(id);
    }

    @Override
    public ErasureStats erasureStats() {
        return engine.erasureStats();
    }

    @Override
    public EngineStats stats() {
        return engine.stats();
    }

    @Override
    public Map<String, String> properties() {
        return engine.properties();
    }

    @Override
    public Optional<Hlc> maxHlc() {
        return engine.maxHlc();
    }

    @Override
    public long nodeId() {
        return engine.nodeId();
    }

    @Override
    public VerifyReport verify() {
        return engine.verify();
    }

    @Override
    public void compact() {
        engine.compact();
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return engine.capability(type);
    }

    @Override
    public void close() {
        engine.close();
    }
}
