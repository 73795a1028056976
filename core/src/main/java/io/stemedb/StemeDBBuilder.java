package io.stemedb;

import io.stemedb.model.Assertion;
import io.stemedb.storage.InMemoryEngine;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;

/**
 * Settings for a {@link StemeDB}. Every setter checks its argument at once and fails with a
 * message that names the setting; unset settings take the defaults stated on each setter. Not
 * thread-safe; a builder may build several databases.
 */
public final class StemeDBBuilder {
    /** The default value size limit: 1 MiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;

    private Long nodeId;
    private Clock clock = Clock.systemUTC();
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;

    StemeDBBuilder() {}

    /**
     * The replica's node id, carried by every HLC timestamp it makes. Default: random. Two
     * replicas that merge with each other must have different node ids.
     */
    public StemeDBBuilder nodeId(long nodeId) {
        this.nodeId = nodeId;
        return this;
    }

    /** The wall clock the HLC reads. Default: the system UTC clock. Tests pass a fixed or stepping clock. */
    public StemeDBBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The largest value, in encoded bytes, that a write or a merge accepts. Default 1 MiB; at most
     * {@link Assertion#MAX_VALUE_BYTES} (16 MiB).
     */
    public StemeDBBuilder maxValueBytes(int maxValueBytes) {
        if (maxValueBytes < 1 || maxValueBytes > Assertion.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(String.format(
                    "maxValueBytes must be between 1 and %,d (16 MiB), got %,d", Assertion.MAX_VALUE_BYTES, maxValueBytes));
        }
        this.maxValueBytes = maxValueBytes;
        return this;
    }

    /** A database on the Java heap: no files, no native code. */
    public StemeDB inMemory() {
        long node = nodeId != null ? nodeId : new SecureRandom().nextLong();
        return new EngineDatabase(new InMemoryEngine(), "in-memory", node, clock, maxValueBytes);
    }
}
