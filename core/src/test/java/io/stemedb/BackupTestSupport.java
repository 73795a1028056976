package io.stemedb;

import io.stemedb.crdt.IdDigest;

/**
 * What the backup tests in {@code io.stemedb.backup} need from inside the core: the id digest a
 * database keeps in its counters (the Merkle root sync starts from), as opposed to one recomputed
 * from the ids it lists.
 */
public final class BackupTestSupport {
    private BackupTestSupport() {}

    /** The digest of the whole id set, as the engine keeps it (updated in every commit's batch). */
    public static IdDigest storedDigest(StemeDB db) {
        return ((EngineDatabase) db).storedDigest();
    }
}
