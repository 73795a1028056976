package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.merkle.SyncReport;
import io.stemedb.model.Value;
import org.junit.jupiter.api.Test;

/** Two replicas with overlapping and distinct assertions become equal after one session. */
class SyncSmokeTest {

    @Test
    void oneSessionMakesTwoReplicasEqual() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory(); StemeDB b = StemeDB.builder().nodeId(2).inMemory()) {
            for (int i = 0; i < 3000; i++) {
                a.assertion("s" + i, "p", Value.integer(i)).source("a").commit();
            }
            b.merge(a.changesSince(0, 2000).stream().map(io.stemedb.model.Change::assertion).toList());
            for (int i = 0; i < 50; i++) {
                b.assertion("t" + i, "p", Value.integer(i)).source("b").commit();
            }
            SyncReport report = a.syncWith(b);
            assertEquals(1000, report.pushed(), report.toString());
            assertEquals(50, report.fetched(), report.toString());
            assertEquals(a.stats().assertions(), b.stats().assertions());
            SyncReport again = a.syncWith(b);
            assertTrue(again.wasInSync(), again.toString());
            assertEquals(1, again.reconcileRounds(), again.toString());
        }
    }
}
