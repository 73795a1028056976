package io.stemedb.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension registered as a field, with a fixed clock start. */
class RegisteredExtensionTest {
    @RegisterExtension
    static final StemeDBExtension STEMEDB = StemeDBExtension.withClockAt("2030-01-01T00:00:00Z");

    @Test
    void theClockStartsWhereTheExtensionSays(StemeDB db, ManualClock clock) {
        assertEquals(Instant.parse("2030-01-01T00:00:00Z"), clock.instant());
        AssertionId id = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        assertEquals(Instant.parse("2030-01-01T00:00:00Z"), db.get(id).orElseThrow().hlc().instant());
    }

    @Test
    void everyTestStartsThere(ManualClock clock) {
        assertEquals(Instant.parse("2030-01-01T00:00:00Z"), clock.instant(), "the other test's moves are not kept");
        clock.set("2031-01-01T00:00:00Z");
    }

    @Test
    void everyTestStartsThereToo(ManualClock clock) {
        assertEquals(Instant.parse("2030-01-01T00:00:00Z"), clock.instant(), "the other test's moves are not kept");
        clock.set("2031-01-01T00:00:00Z");
    }
}
