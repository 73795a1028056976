package io.stemedb;

import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncReplica;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.storage.Engine;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A database as the sync protocol sees it: digests and id ranges straight from the engine, and
 * received records merged through {@link Intake#mergeEncoded}, which re-hashes and validates each.
 * Thread-safe.
 */
final class EngineSyncReplica implements SyncReplica {
    private final Engine engine;
    private final Lifecycle lifecycle;
    private final Intake intake;

    EngineSyncReplica(Engine engine, Lifecycle lifecycle, Intake intake) {
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.intake = intake;
    }

    @Override
    public IdDigest digest() {
        return lifecycle.call(engine::digest);
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        return lifecycle.call(() -> engine.bucketDigest(bucket));
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte @Nullable [] high, int limit) {
        return lifecycle.call(() -> engine.ids(low, high, limit));
    }

    @Override
    public List<EncodedAssertion> fetch(List<AssertionId> ids) {
        List<EncodedAssertion> records = new ArrayList<>(ids.size());
        for (AssertionId id : ids) {
            lifecycle.call(() -> engine.get(id)).map(EncodedAssertion::of).ifPresent(records::add);
        }
        return records;
    }

    @Override
    public boolean isErased(AssertionId id) {
        return lifecycle.call(() -> engine.erasedBy(id)).isPresent();
    }

    @Override
    public MergeOutcome merge(List<EncodedAssertion> records) {
        MergeResult r = intake.mergeEncoded(records);
        List<Refused> refused = new ArrayList<>();
        r.rejected().forEach(x -> refused.add(new Refused(x.id(), x.reason())));
        return new MergeOutcome(r.added(), r.duplicates(), refused);
    }
}
