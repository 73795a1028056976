package io.stemedb.storage;

/** What an engine holds: its assertions split into claims and retractions, and the newest sequence number. */
public record EngineStats(long claims, long retractions, long lastSequence) {
    /** Claims plus retractions. */
    public long assertions() {
        return claims + retractions;
    }
}
