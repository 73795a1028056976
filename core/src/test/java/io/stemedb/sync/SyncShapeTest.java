package io.stemedb.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.merkle.SyncReport;
import io.stemedb.model.AssertionId;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The O(d log n) shape, counted rather than timed: between two replicas of 20,000 equal
 * assertions, one difference takes a handful of rounds and a few kilobytes; no difference takes
 * one round trip.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncShapeTest {
    static final int N = 20_000;
    StemeDB a;
    StemeDB b;

    @BeforeAll
    void twoEqualReplicas() {
        a = StemeDB.builder().nodeId(1).inMemory();
        b = StemeDB.builder().nodeId(2).inMemory();
        SyncFixtures.writeMany(a, "n", N);
        SyncFixtures.copy(a, b);
        assertEquals(N, b.stats().assertions());
    }

    @AfterAll
    void close() {
        a.close();
        b.close();
    }

    static String figures(SyncReport r) {
        return String.format("rounds %d, exchanges %d, sent %,d B, received %,d B, fetched %d, pushed %d",
                r.reconcileRounds(), r.exchanges(), r.bytesSent(), r.bytesReceived(), r.fetched(), r.pushed());
    }

    @Test
    void equalReplicasTakeOneRoundTrip() {
        SyncReport r = a.syncWith(b);
        System.out.println("sync shape, n=" + N + ", d=0: " + figures(r));
        assertTrue(r.wasInSync());
        assertEquals(1, r.reconcileRounds());
        assertEquals(1, r.exchanges());
        // The opening request holds the 16 fingerprints of the root's children; the reply is empty.
        assertTrue(r.bytesSent() + r.bytesReceived() < 16 * 24 + 64, figures(r));
    }

    @Test
    void oneDifferenceEitherWayTakesAFewRoundsAndAFewKilobytes() {
        AssertionId onA = SyncFixtures.write(a, "extra-a", 1);
        SyncReport push = a.syncWith(b);
        System.out.println("sync shape, n=" + N + ", d=1 (push): " + figures(push));
        assertEquals(1, push.pushed());
        assertEquals(1, push.peerStored());
        assertEquals(0, push.fetched());
        assertTrue(b.get(onA).isPresent());
        assertTrue(push.reconcileRounds() <= 6, figures(push));
        assertTrue(push.bytesSent() + push.bytesReceived() < 8 * 1024, figures(push));

        AssertionId onB = SyncFixtures.write(b, "extra-b", 1);
        SyncReport fetch = a.syncWith(b);
        System.out.println("sync shape, n=" + N + ", d=1 (fetch): " + figures(fetch));
        assertEquals(1, fetch.fetched());
        assertEquals(1, fetch.stored());
        assertEquals(0, fetch.pushed());
        assertTrue(a.get(onB).isPresent());
        assertTrue(fetch.reconcileRounds() <= 6, figures(fetch));
        assertTrue(fetch.bytesSent() + fetch.bytesReceived() < 8 * 1024, figures(fetch));

        assertEquals(1, a.syncWith(b).reconcileRounds());
    }

    @Test
    void tenDifferencesCostAboutTenTimesOne() {
        List<AssertionId> extra = SyncFixtures.writeMany(b, "ten", 10);
        SyncReport r = a.syncWith(b);
        System.out.println("sync shape, n=" + N + ", d=10: " + figures(r));
        assertEquals(10, r.fetched());
        extra.forEach(id -> assertTrue(a.get(id).isPresent()));
        assertTrue(r.reconcileRounds() <= 6, figures(r));
        // Far below shipping the 20,000 ids (640 KB): O(d log n).
        assertTrue(r.bytesSent() + r.bytesReceived() < 10 * 8 * 1024, figures(r));
    }
}
