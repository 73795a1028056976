package io.stemedb.backup;

import io.stemedb.crdt.IdDigest;
import java.time.Instant;

/**
 * What an archive holds, as its header states and its records prove: how many assertions, the
 * digest (Merkle root) of their ids, when it was made, what it was filtered by, and its size.
 */
public record ArchiveSummary(long count, IdDigest digest, Instant createdAt, String filter, boolean compressed,
        long bytes) {}
