package io.stemedb.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ManualClockTest {
    @Test
    void itMovesOnlyWhenTold() {
        ManualClock clock = ManualClock.at("2026-01-05T08:00:00Z");
        assertEquals(Instant.parse("2026-01-05T08:00:00Z"), clock.instant());
        assertEquals(Instant.parse("2026-01-05T08:00:00Z").toEpochMilli(), clock.millis());
        assertEquals(Instant.parse("2026-01-05T08:00:01.500Z"), clock.advance(Duration.ofMillis(1500)));
        assertEquals(Instant.parse("2026-01-05T07:00:01.500Z"), clock.advance(Duration.ofHours(-1)), "backwards too");
        clock.set(Instant.parse("2027-01-01T00:00:00.123456789Z"));
        assertEquals(Instant.parse("2027-01-01T00:00:00.123Z"), clock.instant(), "milliseconds, like the HLC");
        assertEquals(ZoneOffset.UTC, clock.getZone());
    }

    @Test
    void aZonedCopySharesTheTime() {
        ManualClock clock = ManualClock.at("2026-01-05T08:00:00Z");
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
        assertEquals(ZoneId.of("Europe/Paris"), paris.getZone());
        clock.advance(Duration.ofMinutes(5));
        assertEquals(Instant.parse("2026-01-05T08:05:00Z"), paris.instant());
        assertSame(clock, clock.withZone(ZoneOffset.UTC));
    }
}
