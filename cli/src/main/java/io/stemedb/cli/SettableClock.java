package io.stemedb.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A wall clock that reads whatever instant it was last {@linkplain #set set} to, in UTC. The demo
 * loader gives it to {@link io.stemedb.StemeDB#builder()} and sets it to each record's
 * {@code recorded} time before committing that record, so every HLC timestamp (and with it every
 * assertion id) is the same from run to run. Thread-safe.
 */
final class SettableClock extends Clock {
    private volatile Instant now;

    SettableClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /** From now on the clock reads {@code instant}. */
    void set(Instant instant) {
        this.now = Objects.requireNonNull(instant, "instant");
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public long millis() {
        return now.toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("the demo clock runs in UTC only");
    }
}
