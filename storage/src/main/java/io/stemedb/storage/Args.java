package io.stemedb.storage;

/** The argument checks every engine makes the same way, so that every engine fails alike. */
final class Args {
    private Args() {}

    static void limit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
    }

    static void feed(long afterSequence, int limit) {
        if (afterSequence < 0 || limit < 0) {
            throw new IllegalArgumentException("afterSequence and limit must not be negative, got "
                    + afterSequence + " and " + limit);
        }
    }

    static void bucket(int bucket) {
        if (bucket < 0 || bucket >= Engine.BUCKETS) {
            throw new IllegalArgumentException("buckets are 0.." + (Engine.BUCKETS - 1) + ", got " + bucket);
        }
    }
}
