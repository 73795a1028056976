package io.stemedb;

import java.time.Duration;
import java.util.Objects;

/**
 * When a commit reaches the disk, and so what a crash can lose. Immutable.
 *
 * <ul>
 *   <li>{@link #syncEachCommit()} (the default): a commit returns only after its write-ahead log
 *       record is fsynced. An acknowledged write survives a process crash, an OS crash and a
 *       power cut. Concurrent writers share fsyncs (group commit), so throughput grows with
 *       the number of writing threads.</li>
 *   <li>{@link #syncEvery(Duration)}: a commit returns once its log record is handed to the OS;
 *       a background thread fsyncs the log every interval. An acknowledged write survives a
 *       process crash (the OS still holds it); an OS crash or power cut can lose the writes of
 *       the last interval.</li>
 * </ul>
 * Databases in memory ignore durability: they hold nothing after the process ends.
 */
public final class Durability {
    private static final Durability SYNC_EACH_COMMIT = new Durability(null);

    private final Duration interval;

    private Durability(Duration interval) {
        this.interval = interval;
    }

    /** Fsync before every commit returns: nothing acknowledged is ever lost. */
    public static Durability syncEachCommit() {
        return SYNC_EACH_COMMIT;
    }

    /** Fsync every {@code interval}: faster commits, at most {@code interval} of writes lost by an OS crash. */
    public static Durability syncEvery(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("the sync interval must be positive and at most 10 minutes, got " + interval);
        }
        return new Durability(interval);
    }

    boolean syncsEachCommit() {
        return interval == null;
    }

    Duration interval() {
        return interval == null ? Duration.ofSeconds(1) : interval;
    }

    @Override
    public String toString() {
        return interval == null ? "syncEachCommit" : "syncEvery(" + interval + ")";
    }
}
