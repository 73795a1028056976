package io.stemedb;

import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.HlcClock;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.storage.Engine;
import io.stemedb.storage.BulkLoading;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assertions from elsewhere: merges (from another replica, sync, an archive) and bulk loads. Each
 * assertion is validated here (value size, clock drift), then stored through the
 * {@link GroupCommitWriter}. Thread-safe.
 */
final class Intake {
    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);

    private final Engine engine;
    private final Lifecycle lifecycle;
    private final GroupCommitWriter writer;
    private final DatabaseLimits limits;
    private final Meters meters;
    private final Signatures signatures;

    Intake(Engine engine, Lifecycle lifecycle, GroupCommitWriter writer, DatabaseLimits limits, Meters meters,
            Signatures signatures) {
        this.signatures = signatures;
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.writer = writer;
        this.limits = limits;
        this.meters = meters;
    }

    MergeResult merge(Collection<? extends Assertion> assertions) {
        return mergeValid(new ArrayList<>(assertions), new ArrayList<>(), Map.of());
    }

    MergeResult mergeEncoded(Collection<EncodedAssertion> records) {
        return mergeEncoded(records, Map.of());
    }

    /** {@link #mergeEncoded(Collection)}, storing {@code checkpoints} in the same atomic commit, even if nothing is new. */
    MergeResult mergeEncoded(Collection<EncodedAssertion> records, Map<String, byte[]> checkpoints) {
        Map<String, byte[]> copies = new java.util.LinkedHashMap<>();
        checkpoints.forEach((name, value) -> {
            Engine.checkCheckpoint(name, value);
            copies.put(name, value.clone());
        });
        List<Assertion> decoded = new ArrayList<>(records.size());
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        for (EncodedAssertion record : records) {
            try {
                decoded.add(record.decode());
            } catch (StemeException e) {
                rejected.add(new MergeResult.Rejected(record.id(), e.getMessage()));
            }
        }
        return mergeValid(decoded, rejected, copies);
    }

    private MergeResult mergeValid(List<Assertion> candidates, List<MergeResult.Rejected> rejected,
            Map<String, byte[]> checkpoints) {
        long start = System.nanoTime();
        MergeResult result = mergeTimed(candidates, rejected, checkpoints);
        meters.merged(result.added(), start);
        return result;
    }

    private MergeResult mergeTimed(List<Assertion> candidates, List<MergeResult.Rejected> rejected,
            Map<String, byte[]> checkpoints) {
        lifecycle.checkWritable();
        List<Assertion> accepted = new ArrayList<>(candidates.size());
        Set<AssertionId> distinct = new HashSet<>();
        int valid = 0;
        long latestAcceptable = latestAcceptable();
        for (Assertion a : candidates) {
            if (!acceptable(a, latestAcceptable, rejected)) {
                continue;
            }
            valid++;
            if (distinct.add(a.id())) {
                accepted.add(a);
            }
        }
        for (MergeResult.Rejected r : rejected) {
            LOG.warn("merge refused assertion {}: {}", r.id(), r.reason());
        }
        if (accepted.isEmpty() && checkpoints.isEmpty()) {
            return new MergeResult(0, valid, rejected);
        }
        int added = writer.merge(accepted, checkpoints).size();
        return new MergeResult(added, valid - added, rejected);
    }

    BulkLoadResult bulkLoad(Iterator<? extends Assertion> assertions, ProgressListener progress) {
        Objects.requireNonNull(assertions, "assertions");
        return loadValid(sink -> assertions.forEachRemaining(sink), progress);
    }

    /** A bulk load of assertions validated as a merge validates them; {@code source} pushes them. */
    BulkLoadResult loadValid(Consumer<Consumer<Assertion>> source, ProgressListener progress) {
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        long latestAcceptable = latestAcceptable();
        long[] read = new long[1];
        HlcClock clock = writer.clock();
        return load(sink -> source.accept(a -> {
            read[0]++;
            if (!acceptable(a, latestAcceptable, rejected)) {
                return;
            }
            clock.observe(a.hlc());
            sink.accept(a);
        }), isClaim -> List.of(), progress, rejected, read, false);
    }

    BulkLoadResult bulkLoadDrafts(Iterator<? extends BulkDraft> drafts, ProgressListener progress) {
        Objects.requireNonNull(drafts, "drafts");
        List<BulkDraft.Retraction> retractions = new ArrayList<>();
        long[] read = new long[1];
        HlcClock clock = writer.clock();
        return load(sink -> drafts.forEachRemaining(d -> {
            read[0]++;
            if (d instanceof BulkDraft.Retraction r) {
                retractions.add(r);
            } else if (d instanceof BulkDraft.Claim c) {
                Claim claim = c.build(clock.now());
                limits.checkValueSize(claim);
                signatures.check(claim);
                sink.accept(claim);
            }
        }), isClaim -> {
            List<Assertion> late = new ArrayList<>(retractions.size());
            for (BulkDraft.Retraction r : retractions) {
                if (!isClaim.test(r.target())) {
                    throw new StemeDB.UnknownTargetException(r.target());
                }
                late.add(Retraction.of(r.target(), r.source(), clock.now(), r.metadata()));
            }
            return late;
        }, progress, List.of(), read, true);
    }

    /** Runs a bulk load with every other writer held off ({@link GroupCommitWriter#exclusively}). */
    private BulkLoadResult load(Consumer<Consumer<Assertion>> unwatched, Function<Predicate<AssertionId>, List<Assertion>> late,
            ProgressListener progress, List<MergeResult.Rejected> rejected, long[] read, boolean freshlyStamped) {
        Objects.requireNonNull(progress, "progress");
        long start = System.nanoTime();
        List<Assertion> signed = new ArrayList<>();
        Consumer<Consumer<Assertion>> feed = sink -> unwatched.accept(a -> {
            if (Signatures.inNamespace(a) || signatures.isAttested(a)) {
                signed.add(a);
            }
            sink.accept(a);
        });
        BulkLoadResult result = writer.exclusively(() -> {
            Optional<BulkLoading> bulk = engine.capability(BulkLoading.class);
            if (bulk.isPresent()) {
                BulkLoading.BulkLoaded r = bulk.get().bulkLoad(new BulkLoading.BulkInput() {
                    @Override
                    public void feed(Consumer<Assertion> sink) {
                        feed.accept(sink);
                    }

                    @Override
                    public List<Assertion> late(Predicate<AssertionId> isClaim) {
                        return late.apply(isClaim);
                    }

                    @Override
                    public void progress(String phase, long done, long total) {
                        progress.progress(phase, done, total);
                    }

                    @Override
                    public boolean freshlyStamped() {
                        return freshlyStamped;
                    }
                });
                for (MergeResult.Rejected r0 : rejected) {
                    LOG.warn("bulk load refused assertion {}: {}", r0.id(), r0.reason());
                }
                return new BulkLoadResult(read[0], r.added(), r.duplicates(), rejected, r.deferred(), r.runs());
            }
            return loadInOneCommit(feed, late, rejected, read[0]);
        });
        signed.forEach(signatures::stored);
        meters.merged(result.added(), start);
        return result;
    }

    /** A bulk load into an engine without a bulk path: one atomic commit, the load's claims first, then the rest. */
    private BulkLoadResult loadInOneCommit(Consumer<Consumer<Assertion>> feed,
            Function<Predicate<AssertionId>, List<Assertion>> late, List<MergeResult.Rejected> rejected, long read) {
        List<Assertion> ordered = new ArrayList<>();
        List<Assertion> after = new ArrayList<>();
        Set<AssertionId> loadedClaims = new HashSet<>();
        feed.accept(a -> {
            if (a instanceof Claim) {
                ordered.add(a);
                loadedClaims.add(a.id());
            } else {
                after.add(a);
            }
        });
        after.addAll(late.apply(id -> loadedClaims.contains(id) || engine.kindOf(id) == Engine.Kind.CLAIM));
        ordered.addAll(after);
        long added = engine.commit(ordered).size();
        return new BulkLoadResult(read, added, ordered.size() - added, rejected, after.size(), 0);
    }

    private long latestAcceptable() {
        return limits.wall().millis() + limits.maxClockDrift().toMillis();
    }

    /**
     * Whether an assertion from elsewhere (a merge, a bulk load) may be stored: within the value
     * size limit, accepted by the erasure policy if it is an erasure, and not stamped further
     * ahead of this replica's clock than it tolerates. If
     * not, the reason is added to {@code rejected}.
     */
    private boolean acceptable(Assertion a, long latestAcceptable, List<MergeResult.Rejected> rejected) {
        try {
            limits.checkValueSize(a);
            limits.checkErasure(a);
            signatures.check(a);
            if (a.hlc().physicalMillis() > latestAcceptable) {
                throw new Assertion.InvalidAssertionException("hlc", a.hlc() + " is more than "
                        + limits.maxClockDrift() + " ahead of this replica's clock; fix the sending replica's clock "
                        + "(or raise maxClockDrift) and sync again");
            }
            return true;
        } catch (Assertion.InvalidAssertionException e) {
            rejected.add(new MergeResult.Rejected(a.id(), e.getMessage()));
            return false;
        }
    }
}
