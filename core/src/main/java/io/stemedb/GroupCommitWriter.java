package io.stemedb;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Hlc;
import io.stemedb.model.HlcClock;
import io.stemedb.storage.Engine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every write of one database goes through here: local writes, merges, and (holding every other
 * writer off) bulk loads. Thread-safe.
 *
 * <p><b>Design: group commit with stamps reserved in order.</b> A local writer first checks its
 * retractions' targets (the set only grows, so a target found stays found). Then, under the short
 * {@code stampLock}, it takes one HLC stamp per draft and appends an entry to the queue: nothing
 * else happens under that lock, so stamp order is queue order. Outside the lock it builds its
 * assertions with the stamps it reserved (encoding and BLAKE3 hashing, the costly part) and
 * validates them, then marks its entry built (or, if a draft is invalid, removes it: the batch
 * stores nothing and leaves a gap in the stamps, which nothing depends on). Then it waits for
 * {@code commitLock}; whoever holds it (the leader) takes the longest prefix of the queue whose
 * entries are built, hands it to the engine as one atomic commit and gives every writer of the
 * group its own result; if the queue's head is still being built, the leader waits for it. While
 * a leader waits for its fsync, later writers build their assertions and queue up behind it, and
 * share the next commit: the classic group commit of database logs (Helland et al., "Group Commit
 * Timers and High Volume Transaction Systems", 1987; DeWitt et al., "Implementation Techniques
 * for Main Memory Database Systems", 1984). Because stamps are taken in queue order and the
 * queue is committed in order, a prefix at a time, arrival order equals HLC order for local
 * writes, and each batch is one engine commit or part of one.
 */
final class GroupCommitWriter {
    private final Engine engine;
    private final HlcClock clock;
    private final DatabaseLimits limits;
    private final Lifecycle lifecycle;
    private final Meters meters;
    /** Orders stamping and queueing; guards {@link #queue} and each queued entry's {@code built} and {@code assertions}. */
    private final ReentrantLock stampLock = new ReentrantLock();
    /** Signalled, under {@link #stampLock}, when a queued entry is built or leaves the queue. */
    private final Condition entryBuilt = stampLock.newCondition();
    /** Held by the leader for one engine commit; guards each entry's {@code done}, {@code added} and {@code failure}. */
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Guarded by {@link #stampLock}. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final CommitListeners listeners;
    /** Checks every signature and registry entry before it is stored, and learns those stored. */
    private final Signatures signatures;

    /** One writer's assertions in the queue, and later its outcome. */
    private static final class Pending {
        /** Set under {@link #stampLock} before the entry can be taken; null until built. */
        List<Assertion> assertions;
        /** Named checkpoints committed with the entry's assertions; set before the entry is queued. */
        Map<String, byte[]> checkpoints = Map.of();
        /** Guarded by {@link #stampLock}. */
        boolean built;
        /** The rest guarded by {@link #commitLock}. */
        List<Change> added;
        RuntimeException failure;
        boolean done;
    }

    GroupCommitWriter(Engine engine, HlcClock clock, DatabaseLimits limits, Lifecycle lifecycle, Meters meters,
            CommitListeners listeners, Signatures signatures) {
        this.engine = engine;
        this.signatures = signatures;
        this.clock = clock;
        this.limits = limits;
        this.lifecycle = lifecycle;
        this.meters = meters;
        this.listeners = listeners;
    }

    /** Stamps, validates and stores drafts atomically; returns their ids in order. */
    List<AssertionId> write(List<? extends Function<Hlc, ? extends Assertion>> drafts) {
        if (drafts.isEmpty()) {
            return List.of();
        }
        long start = System.nanoTime();
        try {
            List<AssertionId> ids = stampAndStore(drafts);
            meters.wrote(ids.size(), start);
            return ids;
        } catch (RuntimeException e) {
            meters.writeErrors.increment();
            throw e;
        }
    }

    private List<AssertionId> stampAndStore(List<? extends Function<Hlc, ? extends Assertion>> drafts) {
        lifecycle.checkWritable();
        for (Function<Hlc, ? extends Assertion> draft : drafts) {
            if (draft instanceof RetractionDraft r && r.target() != null) {
                checkTarget(r.target());
            }
        }
        Hlc[] stamps = new Hlc[drafts.size()];
        Pending pending = new Pending();
        stampLock.lock();
        try {
            lifecycle.checkWritable();
            for (int i = 0; i < stamps.length; i++) {
                stamps[i] = clock.now();
            }
            queue.addLast(pending);
        } finally {
            stampLock.unlock();
        }
        List<Assertion> batch = null;
        List<AssertionId> ids = new ArrayList<>(stamps.length);
        try {
            batch = new ArrayList<>(stamps.length);
            for (int i = 0; i < stamps.length; i++) {
                Assertion a = drafts.get(i).apply(stamps[i]);
                limits.checkValueSize(a);
                signatures.check(a);
                batch.add(a);
                ids.add(a.id());
                if (drafts.get(i) instanceof SignedDraft signed) {
                    batch.add(signed.attestation((io.stemedb.model.Claim) a));
                }
            }
        } catch (RuntimeException | Error e) {
            batch = null;
            throw e;
        } finally {
            built(pending, batch);
        }
        await(pending);
        listeners.committed();
        return ids;
    }

    /** A local retraction's target must be a stored claim: checked once, from the engine's id index. */
    private void checkTarget(AssertionId target) {
        Engine.Kind kind = lifecycle.call(() -> engine.kindOf(target));
        if (kind == Engine.Kind.ABSENT) {
            throw new StemeDB.UnknownTargetException(target);
        }
        if (kind == Engine.Kind.RETRACTION) {
            throw new Assertion.InvalidAssertionException("target",
                    target + " is a retraction; only claims can be retracted (the set is two-phase: a retraction is final)");
        }
        if (kind == Engine.Kind.ERASURE) {
            throw new Assertion.InvalidAssertionException("target",
                    target + " is an erasure; only claims can be retracted (an erasure is final: its content is gone)");
        }
    }

    /** Marks {@code p} built with {@code assertions}, or, if they are null (a draft failed), takes it out of the queue. */
    private void built(Pending p, List<Assertion> assertions) {
        stampLock.lock();
        try {
            if (assertions == null) {
                queue.remove(p);
            } else {
                p.assertions = assertions;
                p.built = true;
            }
            entryBuilt.signalAll();
        } finally {
            stampLock.unlock();
        }
    }

    /**
     * Stores assertions from elsewhere, validated already, as one group-commit entry: the clock
     * observes each (so later local writes order after them). Returns those that were new.
     */
    List<Change> merge(List<Assertion> accepted) {
        return merge(accepted, Map.of());
    }

    /**
     * {@link #merge(List)}, with {@code checkpoints} stored in the same engine commit (see
     * {@link Engine#commit(List, Map)}); when several entries of one group commit name the same
     * checkpoint, the later entry's value is stored.
     */
    List<Change> merge(List<Assertion> accepted, Map<String, byte[]> checkpoints) {
        Pending pending = new Pending();
        pending.checkpoints = checkpoints;
        stampLock.lock();
        try {
            lifecycle.checkWritable();
            accepted.forEach(a -> clock.observe(a.hlc()));
            pending.assertions = accepted;
            pending.built = true;
            queue.addLast(pending);
        } finally {
            stampLock.unlock();
        }
        await(pending);
        return pending.added;
    }

    /**
     * Runs {@code work} with every other writer held off: what is queued is committed first, then
     * {@code work} runs holding both locks, so no local write is stamped meanwhile and HLC order
     * stays arrival order. {@code work} may stamp with {@link #clock()}.
     */
    <T> T exclusively(Supplier<T> work) {
        lifecycle.checkWritable();
        commitLock.lock();
        try {
            stampLock.lock();
            try {
                commitAll();
                lifecycle.checkWritable();
                return work.get();
            } finally {
                stampLock.unlock();
            }
        } finally {
            commitLock.unlock();
        }
    }

    /** The clock; only for work run {@link #exclusively}. */
    HlcClock clock() {
        return clock;
    }

    /**
     * Commits what writers had already queued (they were past their checks, so they get their
     * answer), then runs {@code closeEngine}. The caller has marked the database closed, so no
     * entry is queued after this began.
     */
    void close(Runnable closeEngine) {
        commitLock.lock();
        try {
            commitAll();
            closeEngine.run();
        } finally {
            commitLock.unlock();
        }
    }

    /** Waits until {@code p} is committed, leading the commit of its group if no one else does. */
    private void await(Pending p) {
        commitLock.lock();
        try {
            while (!p.done) {
                commitGroup(takeBuilt());
            }
        } finally {
            commitLock.unlock();
        }
        if (p.failure != null) {
            throw p.failure;
        }
    }

    /** Commits every entry queued, waiting for those being built; the caller holds {@link #commitLock}. */
    private void commitAll() {
        for (List<Pending> group = takeBuilt(); !group.isEmpty(); group = takeBuilt()) {
            commitGroup(group);
        }
    }

    /**
     * Takes the built entries at the head of the queue, after waiting for the head to be built
     * (it is being built outside the lock, and always finishes); empty when the queue is. The
     * caller holds {@link #commitLock}.
     */
    private List<Pending> takeBuilt() {
        stampLock.lock();
        try {
            while (!queue.isEmpty() && !queue.peekFirst().built) {
                entryBuilt.awaitUninterruptibly();
            }
            List<Pending> group = new ArrayList<>();
            while (!queue.isEmpty() && queue.peekFirst().built) {
                group.add(queue.pollFirst());
            }
            return group;
        } finally {
            stampLock.unlock();
        }
    }

    /** Commits {@code group} as one engine commit and gives each entry its outcome; the caller holds {@link #commitLock}. */
    private void commitGroup(List<Pending> group) {
        if (group.isEmpty()) {
            return;
        }
        List<Assertion> all = new ArrayList<>();
        Map<String, byte[]> checkpoints = new HashMap<>();
        for (Pending g : group) {
            all.addAll(g.assertions);
            checkpoints.putAll(g.checkpoints);
        }
        try {
            List<Change> changes = checkpoints.isEmpty() ? engine.commit(all) : engine.commit(all, checkpoints);
            for (Change c : changes) {
                signatures.stored(c.assertion());
            }
            if (group.size() == 1) {
                // the engine answers the new assertions in the order given, each once: the one writer's answer as it is
                group.get(0).added = new ArrayList<>(changes);
                return;
            }
            Map<AssertionId, Change> added = new HashMap<>();
            for (Change c : changes) {
                added.put(c.assertion().id(), c);
            }
            for (Pending g : group) {
                g.added = new ArrayList<>();
                for (Assertion a : g.assertions) {
                    Change c = added.remove(a.id());
                    if (c != null) {
                        g.added.add(c);
                    }
                }
            }
        } catch (RuntimeException e) {
            group.forEach(g -> g.failure = e);
        } finally {
            group.forEach(g -> g.done = true);
        }
    }
}
