package io.stemedb;

import java.util.Map;

/**
 * Counts of what a database holds: assertions (claims plus retractions) and the newest arrival
 * sequence number, with the replica's node id, its engine, and the engine's own figures (for
 * RocksDB: {@code total-sst-files-size}, {@code cur-size-all-mem-tables}, {@code
 * block-cache-usage}, {@code estimate-num-keys} and the {@code stats} text).
 */
public record Stats(long assertions, long claims, long retractions, long lastSequence, long nodeId, String engine,
        Map<String, String> engineProperties) {
    public Stats {
        engineProperties = Map.copyOf(engineProperties);
    }
}
