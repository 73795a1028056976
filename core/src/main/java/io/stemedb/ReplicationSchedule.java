package io.stemedb;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a {@link Replication}'s sessions with a peer are due: every interval after a success, and
 * after a failure an exponential backoff from the smaller of the interval and 250 ms, doubling up
 * to the larger of the interval and 30 s. Immutable.
 */
record ReplicationSchedule(long intervalNanos, long firstRetryNanos, long maxBackoffNanos) {

    static ReplicationSchedule of(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the replication interval must be positive, got " + interval);
        }
        long nanos = saturatedNanos(interval);
        return new ReplicationSchedule(nanos, Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(250)),
                Math.max(nanos, TimeUnit.SECONDS.toNanos(30)));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** The wait after {@code failures} failures in a row. */
    long backoffNanos(int failures) {
        long delay = firstRetryNanos;
        for (int i = 1; i < failures && delay < maxBackoffNanos; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxBackoffNanos);
    }
}
