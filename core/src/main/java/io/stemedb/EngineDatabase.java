package io.stemedb;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.HlcClock;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import io.stemedb.storage.Engine;
import io.stemedb.storage.EngineStats;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StemeDB} over an {@link Engine}. Writers take one lock while they stamp, check and
 * commit, so HLC order matches commit order on this replica and a retraction's target check
 * cannot race with anything (the set only grows). Readers take no lock here; the engine gives
 * them consistent snapshots.
 */
final class EngineDatabase extends EngineView implements StemeDB {
    private static final Logger LOG = LoggerFactory.getLogger(EngineDatabase.class);

    private final String engineName;
    private final HlcClock clock;
    private final int maxValueBytes;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    EngineDatabase(Engine engine, String engineName, long nodeId, Clock wall, int maxValueBytes) {
        super(engine, null, null);
        this.engineName = engineName;
        this.clock = new HlcClock(wall, nodeId, engine.maxHlc().orElse(null));
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    void checkOpen() {
        if (closed.get()) {
            throw new ClosedException();
        }
    }

    @Override
    public PendingClaim assertion(String subject, String predicate, Value value) {
        checkOpen();
        return new PendingClaim(this, subject, predicate, value);
    }

    @Override
    public List<AssertionId> write(Consumer<Batch> body) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        Batch batch = new Batch();
        body.accept(batch);
        return commit(batch.drafts());
    }

    @Override
    public AssertionId retract(AssertionId target, String source) {
        return retract(target, source, Map.of());
    }

    @Override
    public AssertionId retract(AssertionId target, String source, Map<String, String> metadata) {
        Objects.requireNonNull(target, "target");
        return commit(List.of(hlc -> Retraction.of(target, source, hlc, metadata))).get(0);
    }

    /** Stamps, validates and stores drafts atomically. */
    List<AssertionId> commit(List<? extends Function<Hlc, ? extends Assertion>> drafts) {
        if (drafts.isEmpty()) {
            return List.of();
        }
        writeLock.lock();
        try {
            checkOpen();
            List<Assertion> batch = new ArrayList<>(drafts.size());
            List<AssertionId> ids = new ArrayList<>(drafts.size());
            for (Function<Hlc, ? extends Assertion> draft : drafts) {
                Assertion a = draft.apply(clock.now());
                checkLocal(a);
                batch.add(a);
                ids.add(a.id());
            }
            engine.commit(batch);
            return ids;
        } finally {
            writeLock.unlock();
        }
    }

    private void checkLocal(Assertion a) {
        checkValueSize(a);
        if (a instanceof Retraction) {
            AssertionId target = ((Retraction) a).target();
            Optional<Assertion> stored = engine.get(target);
            if (stored.isEmpty()) {
                throw new UnknownTargetException(target);
            }
            if (!(stored.get() instanceof Claim)) {
                throw new Assertion.InvalidAssertionException("target",
                        target + " is a retraction; only claims can be retracted (the set is two-phase: a retraction is final)");
            }
        }
    }

    private void checkValueSize(Assertion a) {
        if (a instanceof Claim) {
            int size = ((Claim) a).value().encodedSize();
            if (size > maxValueBytes) {
                throw new Assertion.InvalidAssertionException("value", String.format(
                        "is %,d bytes, more than this database's limit of %,d; raise maxValueBytes when building the "
                                + "database or store large content elsewhere and assert a reference to it", size, maxValueBytes));
            }
        }
    }

    @Override
    public MergeResult merge(Collection<? extends Assertion> assertions) {
        return mergeValid(new ArrayList<>(assertions), new ArrayList<>());
    }

    @Override
    public MergeResult mergeEncoded(Collection<EncodedAssertion> records) {
        List<Assertion> decoded = new ArrayList<>(records.size());
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        for (EncodedAssertion record : records) {
            try {
                decoded.add(record.decode());
            } catch (StemeException e) {
                rejected.add(new MergeResult.Rejected(record.id(), e.getMessage()));
            }
        }
        return mergeValid(decoded, rejected);
    }

    private MergeResult mergeValid(List<Assertion> candidates, List<MergeResult.Rejected> rejected) {
        checkOpen();
        List<Assertion> accepted = new ArrayList<>(candidates.size());
        Set<AssertionId> distinct = new HashSet<>();
        for (Assertion a : candidates) {
            try {
                checkValueSize(a);
            } catch (Assertion.InvalidAssertionException e) {
                rejected.add(new MergeResult.Rejected(a.id(), e.getMessage()));
                continue;
            }
            if (distinct.add(a.id())) {
                accepted.add(a);
            }
        }
        for (MergeResult.Rejected r : rejected) {
            LOG.warn("merge refused assertion {}: {}", r.id(), r.reason());
        }
        int added;
        writeLock.lock();
        try {
            checkOpen();
            accepted.forEach(a -> clock.observe(a.hlc()));
            added = accepted.isEmpty() ? 0 : engine.commit(accepted).size();
        } finally {
            writeLock.unlock();
        }
        return new MergeResult(added, accepted.size() - added, rejected);
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must be 0 or a sequence number already read, got " + afterSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        checkOpen();
        return engine.changesSince(afterSequence, limit);
    }

    @Override
    public ReadView asOf(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        checkOpen();
        return new EngineView(engine, instant, this);
    }

    @Override
    public Stats stats() {
        checkOpen();
        EngineStats s = engine.stats();
        return new Stats(s.assertions(), s.claims(), s.retractions(), s.lastSequence(), clock.node(), engineName);
    }

    @Override
    public long nodeId() {
        return clock.node();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            writeLock.lock();
            try {
                engine.close();
            } finally {
                writeLock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "StemeDB[" + engineName + ", node " + Hlc.nodeHex(clock.node()) + (closed.get() ? ", closed" : "") + "]";
    }
}
