package io.stemedb.sync;

import static io.stemedb.sync.SyncFixtures.assertConverged;
import static io.stemedb.sync.SyncFixtures.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncResponder;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A peer that sends a record whose bytes do not hash to its id gets it refused and reported; nothing of it is stored. */
class TamperedRecordTest {

    static List<Assertion> claims(long node, int count) {
        List<Assertion> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Claim.builder("s" + i, "p", Value.integer(i)).source("evil").hlc(Hlc.of(1_700_000_000_000L + i, 0, node)).build());
        }
        return out;
    }

    @Test
    void aMaliciousReplicaThatSendsAnotherAssertionsBytesUnderAnIdIsRefused() {
        List<Assertion> theirs = claims(7, 30);
        Assertion victim = theirs.get(11);
        // Valid bytes of an assertion the peer does not list, sent under the victim's id.
        Assertion forged = Claim.builder("acme", "ceo", Value.text("Mallory")).source("evil")
                .hlc(Hlc.of(1_700_000_000_000L, 0, 7)).build();
        HeapReplica evil = new HeapReplica(theirs,
                r -> r.id().equals(victim.id()) ? new EncodedAssertion(r.id(), forged.canonicalBytes()) : r);
        try (StemeDB db = StemeDB.builder().nodeId(1).inMemory()) {
            List<AssertionId> own = SyncFixtures.writeMany(db, "own", 50);
            SyncReport report = db.syncWith(SyncTransport.inProcess(new SyncResponder(evil, SyncLimits.DEFAULT)));
            assertEquals(30, report.fetched());
            assertEquals(29, report.stored());
            assertEquals(1, report.refusedHere().size(), report.toString());
            assertEquals(victim.id(), report.refusedHere().get(0).id());
            assertTrue(report.refusedHere().get(0).reason().contains(forged.id().toString())
                    || report.refusedHere().get(0).reason().toLowerCase().contains("hash"), report.refusedHere().get(0).reason());
            assertFalse(db.get(victim.id()).isPresent());
            assertFalse(db.get(forged.id()).isPresent());
            Set<AssertionId> expected = new LinkedHashSet<>(own);
            theirs.stream().filter(a -> a != victim).forEach(a -> expected.add(a.id()));
            assertConverged(List.of(db), expected);
            assertEquals(own.size(), report.pushed());
        }
    }

    @Test
    void aRecordCorruptedInTransitIsRefusedAndTheNextSessionRepairsIt() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory(); StemeDB b = StemeDB.builder().nodeId(2).inMemory()) {
            SyncFixtures.writeMany(b, "b", 40);
            SyncResponder honest = b.syncResponder();
            // Flip the last byte of every RECORDS reply (type byte 4): the last record of the frame.
            SyncTransport tamper = request -> {
                byte[] reply = honest.respond(request);
                if (reply.length > 6 && reply[5] == 4) {
                    reply[reply.length - 1] ^= 0x40;
                }
                return reply;
            };
            SyncReport report = a.syncWith(tamper);
            assertEquals(40, report.fetched());
            assertEquals(39, report.stored());
            assertEquals(1, report.refusedHere().size(), report.toString());
            AssertionId refused = report.refusedHere().get(0).id();
            assertFalse(a.get(refused).isPresent());
            assertTrue(b.get(refused).isPresent());
            assertEquals(39, ids(a).size());
            assertTrue(a.verify().ok());
            SyncFixtures.assertDigestIs(a, ids(a));
            SyncReport repair = a.syncWith(b);
            assertEquals(1, repair.stored());
            assertConverged(List.of(a, b), ids(b));
        }
    }

    @Test
    void whatAPeerRefusesIsReportedAsRefusedByPeer() {
        // The peer accepts values of at most 16 bytes; ours is bigger, so the peer refuses it.
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory(); StemeDB b = StemeDB.builder().nodeId(2).maxValueBytes(16).inMemory()) {
            AssertionId big = a.assertion("doc", "body", Value.text("x".repeat(100))).source("a").commit();
            AssertionId small = a.assertion("doc", "size", Value.integer(100)).source("a").commit();
            SyncReport report = a.syncWith(b);
            assertEquals(2, report.pushed());
            assertEquals(1, report.peerStored());
            assertEquals(1, report.refusedByPeer().size());
            assertEquals(big, report.refusedByPeer().get(0).id());
            assertTrue(b.get(small).isPresent());
            assertFalse(b.get(big).isPresent());
            List<Change> feed = b.changesSince(0, 10);
            assertEquals(1, feed.size());
        }
    }
}
