package io.stemedb;

import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncResponder;
import io.stemedb.merkle.SyncSession;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.storage.Engine;
import java.time.Duration;
import java.util.List;

/**
 * The sync entry points of one database: sessions it runs, the responder it mounts, and the
 * {@link ReplicaNode} its {@link Replication}s see. Thread-safe; holds no mutable state.
 */
final class Syncing implements ReplicaNode {
    private final Engine engine;
    private final Lifecycle lifecycle;
    private final CommitListeners listeners;
    private final EngineSyncReplica replica;
    private final SyncLimits limits;

    Syncing(Engine engine, Lifecycle lifecycle, CommitListeners listeners, Intake intake, DatabaseLimits limits) {
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.listeners = listeners;
        this.replica = new EngineSyncReplica(engine, lifecycle, intake);
        // A frame must hold the largest record this database accepts, or that record could never sync.
        SyncLimits sync = limits.sync();
        this.limits = new SyncLimits(Math.max(sync.maxFrameBytes(), limits.maxValueBytes() + (1 << 20)),
                sync.idListThreshold(), sync.maxItemsPerRequest(), sync.maxOpenRanges(), sync.maxSessionIds(),
                sync.maxRounds(), sync.maxSessionBytes(), sync.maxSessionTime());
    }

    @Override
    public SyncReport syncWith(SyncTransport peer) {
        lifecycle.checkWritable();
        return new SyncSession(replica, peer, limits).run();
    }

    Replication replicate(List<SyncTransport> peers, Duration interval) {
        lifecycle.checkWritable();
        return new Replication(this, peers, interval);
    }

    SyncResponder responder() {
        lifecycle.checkOpen();
        return new SyncResponder(replica, limits);
    }

    @Override
    public long nodeId() {
        return lifecycle.call(engine::nodeId);
    }

    @Override
    public boolean isOpen() {
        return lifecycle.isOpen();
    }

    @Override
    public IdDigest digest() {
        return lifecycle.call(engine::digest);
    }

    @Override
    public void addCommitListener(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public void removeCommitListener(Runnable listener) {
        listeners.remove(listener);
    }
}
