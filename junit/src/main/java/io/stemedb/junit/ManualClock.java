package io.stemedb.junit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A wall clock that stands still until the test moves it, forwards or backwards. Give it to
 * {@code StemeDB.builder().clock(...)}, or let {@link StemeDBExtension} inject one that the
 * databases it injects already read.
 *
 * <p>It keeps milliseconds, the precision of StemeDB's hybrid logical clock: {@link #set(Instant)}
 * drops anything finer. Moving it backwards does not move a database's timestamps backwards (the
 * HLC never goes back), so set the start before the first write. Thread-safe; a clock made by
 * {@link #withZone} shares this clock's time.
 */
public final class ManualClock extends Clock {
    private final AtomicLong millis;
    private final ZoneId zone;

    /** A clock at {@code start}, in UTC. */
    public ManualClock(Instant start) {
        this(new AtomicLong(Objects.requireNonNull(start, "start").toEpochMilli()), ZoneOffset.UTC);
    }

    private ManualClock(AtomicLong millis, ZoneId zone) {
        this.millis = millis;
        this.zone = zone;
    }

    /** A clock at {@code instant}, written as {@link Instant#parse} reads it: {@code 2026-01-05T08:00:00Z}. */
    public static ManualClock at(String instant) {
        return new ManualClock(Instant.parse(instant));
    }

    /** Puts the clock at {@code instant}. */
    public void set(Instant instant) {
        millis.set(Objects.requireNonNull(instant, "instant").toEpochMilli());
    }

    /** Puts the clock at {@code instant}, written as {@link Instant#parse} reads it. */
    public void set(String instant) {
        set(Instant.parse(instant));
    }

    /** Moves the clock by {@code duration} (negative: backwards) and returns the new time. */
    public Instant advance(Duration duration) {
        return Instant.ofEpochMilli(millis.addAndGet(duration.toMillis()));
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return Objects.requireNonNull(newZone, "zone").equals(zone) ? this : new ManualClock(millis, newZone);
    }

    @Override
    public String toString() {
        return "ManualClock[" + instant() + "]";
    }
}
