package io.stemedb;

/**
 * Counts of what a database holds: assertions (claims plus retractions) and the newest arrival
 * sequence number, with the replica's node id and engine.
 */
public record Stats(long assertions, long claims, long retractions, long lastSequence, long nodeId, String engine) {}
