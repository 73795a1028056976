package io.stemedb.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncReport;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A database may accept values up to 16 MiB, but a sync frame holds 4 MiB: such a record cannot
 * travel. It is reported on every session (so the operator sees it), and it does not stop the
 * other records from replicating.
 */
class OversizedRecordTest {

    @Test
    void aRecordLargerThanAFrameIsReportedAndTheRestStillReplicates() {
        int big = SyncLimits.DEFAULT.maxFrameBytes() + (1 << 20);
        try (StemeDB a = StemeDB.builder().nodeId(1).maxValueBytes(8 << 20).inMemory();
                StemeDB b = StemeDB.builder().nodeId(2).maxValueBytes(8 << 20).inMemory()) {
            AssertionId onA = a.assertion("doc", "body", Value.bytes(new byte[big])).source("a").commit();
            List<AssertionId> smallOnA = SyncFixtures.writeMany(a, "a", 20);
            AssertionId onB = b.assertion("doc", "body", Value.bytes(new byte[big + 1])).source("b").commit();
            List<AssertionId> smallOnB = SyncFixtures.writeMany(b, "b", 20);

            SyncReport r = a.syncWith(b);
            assertEquals(List.of(onA), r.refusedByPeer().stream().map(x -> x.id()).toList(), r.toString());
            assertEquals(List.of(onB), r.refusedHere().stream().map(x -> x.id()).toList(), r.toString());
            assertEquals(20, r.peerStored());
            assertEquals(20, r.stored());
            smallOnA.forEach(id -> assertTrue(b.get(id).isPresent()));
            smallOnB.forEach(id -> assertTrue(a.get(id).isPresent()));
            assertFalse(b.get(onA).isPresent());
            assertFalse(a.get(onB).isPresent());
            // And again next time: it is not silently forgotten.
            SyncReport again = a.syncWith(b);
            assertEquals(1, again.refusedByPeer().size());
            assertEquals(1, again.refusedHere().size());
        }
    }
}
