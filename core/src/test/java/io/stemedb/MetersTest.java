package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.lens.Lenses;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Reads are all counted and one in {@link Meters#READ_SAMPLE} timed; their total time is estimated from those. */
class MetersTest {

    @Test
    void everyReadIsCountedAndTheTimedOnesEstimateTheTotal() {
        Meters m = new Meters();
        assertEquals(0, m.readNanosEstimate(), "no read timed yet: no time");
        for (int i = 0; i < 3; i++) {
            m.readDone(Meters.NOT_TIMED);
        }
        m.readDone(System.nanoTime() - 1_000);
        assertEquals(4, m.reads.sum());
        assertEquals(1, m.readsTimed.sum());
        long timed = m.readNanos.sum();
        assertTrue(timed >= 1_000, "the timed read took " + timed + " ns");
        assertEquals(4.0 * timed, m.readNanosEstimate(), "the mean of the timed reads, times the reads");
    }

    @Test
    void readsThroughAnAsOfViewAreCounted() {
        try (StemeDB db = StemeDB.inMemory()) {
            AssertionId id = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            long before = db.counters().reads();
            ReadView then = db.asOf(Instant.now().plusSeconds(60));
            assertEquals(Value.text("Alice"), then.resolve("acme", "ceo", Lenses.latest()).value().orElseThrow());
            assertEquals(1, then.history("acme", "ceo").claims().size());
            assertTrue(then.get(id).isPresent());
            assertEquals(1, then.bySource("hr").size());
            assertEquals(before + 4, db.counters().reads(), "a resolve, a history, a get and a bySource through the as-of view");
        }
    }

    @Test
    void aboutOneReadInTheSampleIsTimed() {
        int reads = 16_000;
        int timed = 0;
        for (int i = 0; i < reads; i++) {
            timed += Meters.readStart() == Meters.NOT_TIMED ? 0 : 1;
        }
        // expected 1,000; the standard deviation is about 31
        assertTrue(timed > 800 && timed < 1_200, timed + " of " + reads + " reads timed");
    }
}
