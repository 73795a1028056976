package io.stemedb;

import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncTransport;

/** What {@link Replication} needs of the database it replicates, and no more. Implementations are thread-safe. */
interface ReplicaNode {
    /** The replica's node id. */
    long nodeId();

    /** False once the database is closed. */
    boolean isOpen();

    /** Runs one sync session with {@code peer}; fails with {@link StemeDB.ClosedException} once the database is closed. */
    SyncReport syncWith(SyncTransport peer);

    /** The digest of every stored id; fails with {@link StemeDB.ClosedException} once the database is closed. */
    IdDigest digest();

    /** Has {@code listener} run after each successful local write (not merges). */
    void addCommitListener(Runnable listener);

    void removeCommitListener(Runnable listener);
}
