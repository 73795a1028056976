package io.stemedb.storage;

import java.nio.file.Path;

/**
 * Opens engines, so that their users name the {@link Engine} contract and its capabilities, never
 * an implementation. Opening an engine in memory loads no RocksDB class.
 */
public final class Engines {
    private Engines() {}

    /** An empty engine on the Java heap for replica {@code nodeId}. */
    public static Engine inMemory(long nodeId) {
        return new InMemoryEngine(nodeId);
    }

    /**
     * The RocksDB engine of the database in {@code directory}, created if needed with node id
     * {@code proposedNodeId} (an existing database keeps its own); see {@link RocksEngine#open}.
     */
    public static Engine rocksDb(Path directory, RocksSettings settings, long proposedNodeId) {
        return RocksEngine.open(directory, settings, proposedNodeId);
    }
}
