package io.stemedb.lens;

/**
 * The built-in lenses. Each is immutable, thread-safe and deterministic: it answers the same for
 * the same assertion set, whatever the order in which the assertions arrived.
 */
public final class Lenses {
    private Lenses() {}

    /** The newest live claim wins (tie-break: node id, then assertion id). */
    public static Lens latest() {
        return LatestWinsLens.INSTANCE;
    }
}
