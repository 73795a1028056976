package io.stemedb.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A {@code @BeforeEach} fills the database the test reads; the {@code @AfterEach} still sees it open. */
@StemeDBTest
class LifecycleMethodsTest {
    private StemeDB seeded;
    private ManualClock seedClock;

    @BeforeEach
    void seed(StemeDB db, ManualClock clock) {
        clock.set("2026-03-01T00:00:00Z");
        db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        seeded = db;
        seedClock = clock;
    }

    @Test
    void theTestReadsTheSeededDatabase(StemeDB db, ManualClock clock) {
        assertSame(seeded, db);
        assertSame(seedClock, clock);
        assertEquals(Instant.parse("2026-03-01T00:00:00Z"), clock.instant());
        assertEquals(Optional.of(Value.text("Alice")), db.resolve("acme", "ceo", Lenses.latest()).value());
        db.assertion("acme", "hq", Value.text("Paris")).source("hr").commit();
    }

    @Test
    void aSecondTestIsSeededAfresh(StemeDB db) {
        assertEquals(1, db.stats().assertions(), "only the seed, nothing from the other test");
    }

    @AfterEach
    void check(StemeDB db) {
        assertSame(seeded, db);
        assertEquals(Optional.of(Value.text("Alice")), db.resolve("acme", "ceo", Lenses.latest()).value(),
                "still open after the test");
    }
}
