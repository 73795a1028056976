package io.stemedb.model;

import java.time.Clock;
import java.util.Objects;

/**
 * The hybrid logical clock of one replica. Every timestamp it issues is strictly greater than
 * every timestamp it issued or {@linkplain #observe observed} before, even if the wall clock
 * steps backwards. Thread-safe: {@link #now()} and {@link #observe} may be called from any thread.
 *
 * <p>The logical counter absorbs bursts within one millisecond; should it ever reach
 * {@link Integer#MAX_VALUE}, the clock moves its physical part one millisecond ahead of the wall
 * clock rather than wrap.
 */
public final class HlcClock {
    private final Clock wall;
    private final long node;
    private long lastPhysical;
    private int lastLogical;

    /** A clock for replica {@code node} that reads {@code wall}, starting after {@code floor} (may be null). */
    public HlcClock(Clock wall, long node, Hlc floor) {
        this.wall = Objects.requireNonNull(wall, "wall");
        this.node = node;
        if (floor != null) {
            lastPhysical = floor.physicalMillis();
            lastLogical = floor.logical();
        } else {
            lastPhysical = -1;
        }
    }

    public long node() {
        return node;
    }

    /** A new timestamp, greater than any before it. */
    public synchronized Hlc now() {
        long wallMillis = Math.max(0, wall.millis());
        long physical;
        int logical;
        if (wallMillis > lastPhysical) {
            physical = wallMillis;
            logical = 0;
        } else if (lastLogical < Integer.MAX_VALUE) {
            physical = lastPhysical;
            logical = lastLogical + 1;
        } else if (lastPhysical < Long.MAX_VALUE) {
            physical = lastPhysical + 1;
            logical = 0;
        } else {
            throw new StemeException("this replica's clock has reached the greatest HLC timestamp ("
                    + Hlc.of(lastPhysical, lastLogical, node) + ") and cannot issue another; it observed a timestamp "
                    + "from the far future, which a database refuses from peers beyond its maximum clock drift");
        }
        Hlc next = Hlc.of(physical, logical, node);
        lastPhysical = physical;
        lastLogical = logical;
        return next;
    }

    /** Advances this clock past {@code seen}, so that the next {@link #now()} orders after it. */
    public synchronized void observe(Hlc seen) {
        if (seen.physicalMillis() > lastPhysical
                || (seen.physicalMillis() == lastPhysical && seen.logical() > lastLogical)) {
            lastPhysical = seen.physicalMillis();
            lastLogical = seen.logical();
        }
    }

    /** The greatest timestamp issued or observed so far, or null if none. */
    public synchronized Hlc last() {
        return lastPhysical < 0 ? null : Hlc.of(lastPhysical, lastLogical, node);
    }
}
