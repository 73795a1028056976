package io.stemedb;

import java.util.Map;

/**
 * Counts of what a database holds: assertions (claims plus retractions) and the newest arrival
 * sequence number, with the replica's node id, its engine, and the engine's own figures (for
 * RocksDB: {@code total-sst-files-size}, {@code cur-size-all-mem-tables}, {@code
 * block-cache-usage}, {@code estimate-num-keys} and the {@code stats} text), and the figures of
 * the components added with {@link StemeDB#addStats} (their {@code extensions}, keys prefixed with
 * the component's name: {@code kafka.published}...).
 */
public record Stats(long assertions, long claims, long retractions, long lastSequence, long nodeId, String engine,
        Map<String, String> engineProperties, Map<String, String> extensions) {
    public Stats {
        engineProperties = Map.copyOf(engineProperties);
        extensions = Map.copyOf(extensions);
    }

    /** Stats with no {@linkplain #extensions() extension figures}. */
    public Stats(long assertions, long claims, long retractions, long lastSequence, long nodeId, String engine,
            Map<String, String> engineProperties) {
        this(assertions, claims, retractions, lastSequence, nodeId, engine, engineProperties, Map.of());
    }
}
