package io.stemedb.model;

import java.time.Instant;

/**
 * A hybrid logical clock timestamp (Kulkarni, Demirbas et al., "Logical Physical Clocks and
 * Consistent Snapshots in Globally Distributed Databases", 2014): wall-clock milliseconds, a
 * logical counter that orders events within one millisecond, and the id of the replica that made
 * it. Immutable and thread-safe.
 *
 * <p>Timestamps are totally ordered by (physical, logical, node as unsigned); two replicas never
 * produce the same timestamp because their node ids differ.
 */
public final class Hlc implements Comparable<Hlc> {
    private final long physicalMillis;
    private final int logical;
    private final long node;

    private Hlc(long physicalMillis, int logical, long node) {
        this.physicalMillis = physicalMillis;
        this.logical = logical;
        this.node = node;
    }

    /**
     * A timestamp. {@code physicalMillis} counts milliseconds since 1970-01-01T00:00Z and must not
     * be negative; {@code logical} must not be negative; {@code node} is any 64-bit replica id.
     */
    public static Hlc of(long physicalMillis, int logical, long node) {
        if (physicalMillis < 0) {
            throw new Assertion.InvalidAssertionException(
                    "hlc", "physical time " + physicalMillis + " ms is before 1970; HLC times start at the epoch");
        }
        if (logical < 0) {
            throw new Assertion.InvalidAssertionException(
                    "hlc", "logical counter " + logical + " is negative; it counts up from 0");
        }
        return new Hlc(physicalMillis, logical, node);
    }

    public long physicalMillis() {
        return physicalMillis;
    }

    public int logical() {
        return logical;
    }

    public long node() {
        return node;
    }

    /** The physical part as an instant. */
    public Instant instant() {
        return Instant.ofEpochMilli(physicalMillis);
    }

    /** True when this timestamp orders strictly after {@code other}. */
    public boolean isAfter(Hlc other) {
        return compareTo(other) > 0;
    }

    /** Orders by (physical, logical) only: the order the clock itself guarantees, ignoring the node. */
    int compareTime(Hlc o) {
        int c = Long.compare(physicalMillis, o.physicalMillis);
        return c != 0 ? c : Integer.compare(logical, o.logical);
    }

    @Override
    public int compareTo(Hlc o) {
        int c = compareTime(o);
        return c != 0 ? c : Long.compareUnsigned(node, o.node);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Hlc)) {
            return false;
        }
        Hlc h = (Hlc) o;
        return physicalMillis == h.physicalMillis && logical == h.logical && node == h.node;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(physicalMillis) * 31 * 31 + logical * 31 + Long.hashCode(node);
    }

    /** For example {@code 2026-11-20T10:00:00Z+3@00000000000000ff}. */
    @Override
    public String toString() {
        return instant() + "+" + logical + "@" + nodeHex(node);
    }

    /** A node id as 16 lowercase hex digits, the way StemeDB prints it everywhere. */
    public static String nodeHex(long node) {
        return String.format("%016x", node);
    }
}
