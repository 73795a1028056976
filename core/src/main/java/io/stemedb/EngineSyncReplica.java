package io.stemedb;

import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncReplica;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.util.ArrayList;
import java.util.List;

/**
 * A database as the sync protocol sees it: digests and id ranges straight from the engine, and
 * received records merged through {@link StemeDB#mergeEncoded}, which re-hashes and validates each.
 */
final class EngineSyncReplica implements SyncReplica {
    private final EngineDatabase db;

    EngineSyncReplica(EngineDatabase db) {
        this.db = db;
    }

    @Override
    public IdDigest digest() {
        return db.engine(en -> en.digest());
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        return db.engine(en -> en.bucketDigest(bucket));
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte[] high, int limit) {
        return db.engine(en -> en.ids(low, high, limit));
    }

    @Override
    public List<EncodedAssertion> fetch(List<AssertionId> ids) {
        List<EncodedAssertion> records = new ArrayList<>(ids.size());
        for (AssertionId id : ids) {
            db.engine(en -> en.get(id)).map(EncodedAssertion::of).ifPresent(records::add);
        }
        return records;
    }

    @Override
    public MergeOutcome merge(List<EncodedAssertion> records) {
        MergeResult r = db.mergeEncoded(records);
        List<Refused> refused = new ArrayList<>();
        r.rejected().forEach(x -> refused.add(new Refused(x.id(), x.reason())));
        return new MergeOutcome(r.added(), r.duplicates(), refused);
    }

}
