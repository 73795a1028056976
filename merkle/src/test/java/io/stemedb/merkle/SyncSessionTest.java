package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Sessions between two heap replicas: convergence, bounded frames, and peers that misbehave. */
class SyncSessionTest {
    static final SyncLimits SMALL = new SyncLimits(64 << 10, 16);

    /** A transport that records the size of every request and reply. */
    static final class Recording implements SyncTransport {
        final SyncTransport inner;
        final List<Integer> requests = new ArrayList<>();
        final List<Integer> replies = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();

        Recording(SyncTransport inner) {
            this.inner = inner;
        }

        @Override
        public byte[] exchange(byte[] request) {
            requests.add(request.length);
            types.add(SyncMessages.type(request));
            byte[] reply = inner.exchange(request);
            replies.add(reply.length);
            return reply;
        }
    }

    static void assertSameSet(TestReplica a, TestReplica b) {
        assertEquals(a.snapshot().keySet(), b.snapshot().keySet());
        assertEquals(a.digest(), b.digest());
        assertEquals(IdDigest.of(a.snapshot().keySet()), a.digest());
    }

    @Property(tries = 60)
    void oneSessionMakesTwoReplicasEqual(@ForAll @IntRange(max = 600) int onlyA, @ForAll @IntRange(max = 600) int shared,
            @ForAll @IntRange(max = 600) int onlyB, @ForAll @IntRange(min = 1, max = 40) int threshold) {
        TestReplica a = new TestReplica().withClaims(1, 0, onlyA + shared);
        TestReplica b = new TestReplica().withClaims(1, onlyA, onlyA + shared).withClaims(2, 0, onlyB);
        SyncLimits limits = new SyncLimits(64 << 10, threshold);
        SyncReport report = new SyncSession(a, SyncTransport.inProcess(new SyncResponder(b, limits)), limits).run();
        assertSameSet(a, b);
        assertEquals(onlyA + shared + onlyB, a.size());
        assertEquals(onlyB, report.fetched());
        assertEquals(onlyB, report.stored());
        assertEquals(onlyA, report.pushed());
        assertEquals(onlyA, report.peerStored());
        assertEquals(onlyA == 0 && onlyB == 0, report.wasInSync());
        SyncReport again = new SyncSession(b, SyncTransport.inProcess(new SyncResponder(a, limits)), limits).run();
        assertTrue(again.wasInSync());
        assertEquals(1, again.reconcileRounds());
        assertEquals(1, again.exchanges());
    }

    /**
     * Both sides descend a level per message, so a round trip covers two levels: if every range of
     * depth k holds at most the id-list threshold on either side, reconciliation ends within
     * k / 2 + 2 rounds, however many ids differ (one level per round would need k + 1).
     */
    @Property(tries = 40)
    void roundsGrowWithHalfTheDepthNotWithTheDifferences(@ForAll @IntRange(max = 4000) int shared,
            @ForAll @IntRange(max = 400) int onlyA, @ForAll @IntRange(max = 400) int onlyB,
            @ForAll @IntRange(min = 1, max = 20) int threshold) {
        TestReplica a = new TestReplica().withClaims(1, 0, onlyA + shared);
        TestReplica b = new TestReplica().withClaims(1, onlyA, onlyA + shared).withClaims(2, 0, onlyB);
        int k = depthWhereEveryRangeIsSmall(a, threshold);
        k = Math.max(k, depthWhereEveryRangeIsSmall(b, threshold));
        SyncLimits limits = new SyncLimits(4 << 20, threshold);
        SyncReport report = new SyncSession(a, SyncTransport.inProcess(new SyncResponder(b, limits)), limits).run();
        assertSameSet(a, b);
        assertTrue(report.reconcileRounds() <= k / 2 + 2, report.reconcileRounds() + " rounds for depth " + k);
        assertEquals(report.reconcileRounds(), report.exchanges() - (report.fetched() > 0 ? 1 : 0) - (report.pushed() > 0 ? 1 : 0),
                "no reply was cut, and the few records moved in one frame each way");
    }

    /** The least depth at which no range holds more than {@code threshold} of the replica's ids. */
    static int depthWhereEveryRangeIsSmall(TestReplica r, int threshold) {
        for (int depth = 0; ; depth++) {
            java.util.Map<String, Integer> perRange = new java.util.HashMap<>();
            for (AssertionId id : r.snapshot().keySet()) {
                perRange.merge(java.util.HexFormat.of().formatHex(id.toBytes()).substring(0, depth), 1, Integer::sum);
            }
            if (perRange.values().stream().allMatch(c -> c <= threshold)) {
                return depth;
            }
        }
    }

    @Test
    void largeDifferencesMoveInBoundedFramesBothWays() {
        TestReplica a = new TestReplica().withClaims(1, 0, 6000);
        TestReplica b = new TestReplica().withClaims(2, 0, 6000);
        Recording t = new Recording(SyncTransport.inProcess(new SyncResponder(b, SMALL)));
        SyncReport report = new SyncSession(a, t, SMALL).run();
        assertSameSet(a, b);
        assertEquals(6000, report.fetched());
        assertEquals(6000, report.pushed());
        for (int i = 0; i < t.requests.size(); i++) {
            assertTrue(t.requests.get(i) <= SMALL.maxFrameBytes(), "request " + i + " is " + t.requests.get(i) + " bytes");
            assertTrue(t.replies.get(i) <= SMALL.maxFrameBytes(), "reply " + i + " is " + t.replies.get(i) + " bytes");
        }
        // About 6,000 records of ~60 bytes each way: several fetch and push frames of at most 64 KiB.
        long fetches = t.types.stream().filter(x -> x == SyncMessages.FETCH).count();
        long pushes = t.types.stream().filter(x -> x == SyncMessages.PUSH).count();
        assertTrue(fetches >= 4, "fetch frames: " + fetches);
        assertTrue(pushes >= 4, "push frames: " + pushes);
        assertEquals(report.exchanges(), t.requests.size());
        assertEquals(report.bytesSent(), t.requests.stream().mapToLong(Integer::longValue).sum());
        assertEquals(report.bytesReceived(), t.replies.stream().mapToLong(Integer::longValue).sum());
    }

    @Test
    void anEmptyReplicaReceivesEverythingThroughCutRepliesAndComesBackEqual() {
        // The empty side sends empty id lists for 16 ranges of ~700 ids each; the peer's lists do not
        // all fit one 64 KiB reply, so it cuts its reply and the session asks for the rest again.
        TestReplica empty = new TestReplica();
        TestReplica full = new TestReplica().withClaims(1, 0, 11_000);
        Recording t = new Recording(SyncTransport.inProcess(new SyncResponder(full, SMALL)));
        SyncReport report = new SyncSession(empty, t, SMALL).run();
        assertSameSet(empty, full);
        assertEquals(11_000, report.stored());
        long reconciles = t.types.stream().filter(x -> x == SyncMessages.RECONCILE).count();
        assertTrue(reconciles > report.reconcileRounds() || report.reconcileRounds() > 2,
                "the replies were cut: " + reconciles + " reconcile exchanges in " + report.reconcileRounds() + " rounds");
        t.replies.forEach(r -> assertTrue(r <= SMALL.maxFrameBytes(), r + " bytes"));
        // FETCH requests ask for about as many ids as a reply holds records, not a whole frame of
        // ids each time: in all, well under 2.5 times the 32 bytes of each id fetched.
        long fetchBytes = 0;
        for (int i = 0; i < t.types.size(); i++) {
            if (t.types.get(i) == SyncMessages.FETCH) {
                fetchBytes += t.requests.get(i);
            }
        }
        assertTrue(fetchBytes < 2.5 * 32 * 11_000, fetchBytes + " bytes of FETCH requests");
    }

    /** A peer whose reconcile replies are rewritten by {@code rewrite}, and that gives up after 1,000 exchanges. */
    static SyncTransport hostile(TestReplica peer, UnaryOperator<List<SyncMessages.Item>> rewrite, AtomicInteger count) {
        SyncResponder honest = new SyncResponder(peer, SyncLimits.DEFAULT);
        return request -> {
            if (count.incrementAndGet() > 1000) {
                throw new AssertionError("the session did not stop");
            }
            byte[] reply = honest.respond(request);
            if (SyncMessages.type(reply) != SyncMessages.RECONCILE_REPLY) {
                return reply;
            }
            List<SyncMessages.Item> items = SyncMessages.decodeItems(reply, SyncMessages.RECONCILE_REPLY);
            return SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY, rewrite.apply(items));
        };
    }

    @Test
    void aPeerThatAnswersAboutRangesNotAskedIsRefusedRatherThanFollowedForever() {
        TestReplica a = new TestReplica().withClaims(1, 0, 500);
        TestReplica b = new TestReplica().withClaims(2, 0, 500);
        AtomicInteger count = new AtomicInteger();
        // Always claim the root differs, with its children: an honest session would descend forever.
        SyncTransport t = hostile(b, items -> {
            List<SyncMessages.Fingerprint> children = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                children.add(SyncMessages.Fingerprint.of(IdDigest.of(List.of(TestReplica.claim(3, c).id()))));
            }
            return List.of(new SyncMessages.Item(IdRange.ROOT, new SyncMessages.Children(children)));
        }, count);
        SyncException.MalformedMessage e = assertThrows(SyncException.MalformedMessage.class,
                () -> new SyncSession(a, t, SyncLimits.DEFAULT).run());
        assertTrue(e.getMessage().contains("not asked"), e.getMessage());
        assertEquals(500, a.size());
    }

    @Test
    void aPeerWhoseDifferenceNamesPositionsPastTheIdsSentIsRefused() {
        // Three ids: the session asks about the root by its ids, and the peer answers with a difference.
        TestReplica a = new TestReplica().withClaims(1, 0, 3);
        TestReplica b = new TestReplica().withClaims(2, 0, 3);
        AtomicInteger count = new AtomicInteger();
        SyncTransport t = hostile(b, items -> List.of(new SyncMessages.Item(IdRange.ROOT,
                new SyncMessages.Diff(List.of(), new int[] {1, 3}))), count);
        SyncException.MalformedMessage e = assertThrows(SyncException.MalformedMessage.class,
                () -> new SyncSession(a, t, SyncLimits.DEFAULT).run());
        assertTrue(e.getMessage().contains("past the 3 ids sent"), e.getMessage());
        assertEquals(3, a.size());
        assertEquals(3, b.size());
    }

    @Test
    void aPeerThatCutsEveryReplyBeforeAnsweringIsRefused() {
        TestReplica a = new TestReplica().withClaims(1, 0, 500);
        TestReplica b = new TestReplica().withClaims(2, 0, 500);
        AtomicInteger count = new AtomicInteger();
        SyncTransport t = hostile(b, items -> items.isEmpty() ? items
                : List.of(new SyncMessages.Item(items.get(0).range(), SyncMessages.Fingerprint.of(IdDigest.empty()))), count);
        // The first reply answers the root (the only range asked) by a cut: refused, not asked again forever.
        SyncException.MalformedMessage e = assertThrows(SyncException.MalformedMessage.class,
                () -> new SyncSession(a, t, SyncLimits.DEFAULT).run());
        assertTrue(e.getMessage().contains("cut"), e.getMessage());
        assertTrue(count.get() < 10);
    }

    @Test
    void aPeerThatListsIdsOutsideTheRangeIsRefused() {
        // 40 ids on each side, all different: the root splits into 16 ranges, whose id lists are swapped.
        TestReplica a = new TestReplica().withClaims(1, 0, 40);
        TestReplica b = new TestReplica().withClaims(2, 0, 40);
        AssertionId stray = TestReplica.claim(4, 4).id();
        SyncTransport t = hostile(b, items -> {
            List<SyncMessages.Item> out = new ArrayList<>();
            for (SyncMessages.Item item : items) {
                if (item.claim() instanceof SyncMessages.Ids && !item.range().contains(stray)) {
                    List<AssertionId> ids = new ArrayList<>(((SyncMessages.Ids) item.claim()).ids());
                    ids.add(stray);
                    out.add(new SyncMessages.Item(item.range(), new SyncMessages.Ids(ids)));
                } else {
                    out.add(item);
                }
            }
            return out;
        }, new AtomicInteger());
        SyncException.MalformedMessage e = assertThrows(SyncException.MalformedMessage.class,
                () -> new SyncSession(a, t, SyncLimits.DEFAULT).run());
        assertTrue(e.getMessage().contains("does not contain"), e.getMessage());
        assertEquals(40, a.size());
    }

    @Test
    void aRecordTamperedInTransitIsRefusedAndNotStored() {
        TestReplica a = new TestReplica().withClaims(1, 0, 100);
        TestReplica b = new TestReplica().withClaims(1, 0, 100).withClaims(2, 0, 3);
        SyncResponder honest = new SyncResponder(b, SyncLimits.DEFAULT);
        SyncTransport tamper = request -> {
            byte[] reply = honest.respond(request);
            if (SyncMessages.type(reply) == SyncMessages.RECORDS) {
                reply[reply.length - 1] ^= 1; // the last byte of the last record
            }
            return reply;
        };
        SyncReport report = new SyncSession(a, tamper, SyncLimits.DEFAULT).run();
        assertEquals(3, report.fetched());
        assertEquals(2, report.stored());
        assertEquals(1, report.refusedHere().size());
        AssertionId refused = report.refusedHere().get(0).id();
        assertTrue(b.snapshot().containsKey(refused));
        assertFalse(a.snapshot().containsKey(refused));
        assertEquals(102, a.size());
        assertEquals(IdDigest.of(a.snapshot().keySet()), a.digest());
        // The next, honest session brings it.
        SyncReport honestReport = new SyncSession(a, SyncTransport.inProcess(honest), SyncLimits.DEFAULT).run();
        assertEquals(1, honestReport.stored());
        assertSameSet(a, b);
    }

    @Test
    void aRecordThePeerRefusesIsReportedAsRefusedByPeer() {
        TestReplica a = new TestReplica().withClaims(1, 0, 10);
        TestReplica b = new TestReplica();
        // A record stored with the wrong bytes (as a corrupt disk would have it): the peer re-hashes and refuses it.
        EncodedAssertion good = EncodedAssertion.of(TestReplica.claim(5, 5));
        a.merge(List.of(good));
        SyncReplica corrupt = new SyncReplica() {
            @Override
            public List<EncodedAssertion> fetch(List<AssertionId> ids) {
                List<EncodedAssertion> out = new ArrayList<>();
                for (EncodedAssertion r : a.fetch(ids)) {
                    out.add(r.id().equals(good.id()) ? new EncodedAssertion(r.id(), TestReplica.claim(6, 6).canonicalBytes()) : r);
                }
                return out;
            }

            @Override
            public IdDigest digest() {
                return a.digest();
            }

            @Override
            public IdDigest bucketDigest(int bucket) {
                return a.bucketDigest(bucket);
            }

            @Override
            public List<AssertionId> ids(byte[] low, byte[] high, int limit) {
                return a.ids(low, high, limit);
            }

            @Override
            public MergeOutcome merge(List<EncodedAssertion> records) {
                return a.merge(records);
            }
        };
        SyncReport report = new SyncSession(corrupt, SyncTransport.inProcess(new SyncResponder(b, SyncLimits.DEFAULT)),
                SyncLimits.DEFAULT).run();
        assertEquals(11, report.pushed());
        assertEquals(10, report.peerStored());
        assertEquals(1, report.refusedByPeer().size());
        assertEquals(good.id(), report.refusedByPeer().get(0).id());
        assertEquals(10, b.size());
        assertFalse(b.snapshot().containsKey(good.id()));
    }

    static io.stemedb.model.Claim big(long node, int bytes) {
        return io.stemedb.model.Claim.builder("doc", "body", io.stemedb.model.Value.bytes(new byte[bytes])).source("s")
                .hlc(io.stemedb.model.Hlc.of(1_700_000_000_000L, 0, node)).build();
    }

    @Test
    void aRecordTooLargeForAFrameIsReportedBothWaysAndDoesNotBlockTheRest() {
        // 64 KiB frames; one record of 100 KB on each side, among 300 small ones.
        TestReplica a = new TestReplica().withClaims(1, 0, 300);
        TestReplica b = new TestReplica().withClaims(2, 0, 300);
        io.stemedb.model.Claim bigOnA = big(1, 100_000);
        io.stemedb.model.Claim bigOnB = big(2, 100_000);
        a.add(bigOnA);
        b.add(bigOnB);
        Recording t = new Recording(SyncTransport.inProcess(new SyncResponder(b, SMALL)));
        SyncReport report = new SyncSession(a, t, SMALL).run();
        assertEquals(300, report.stored());
        assertEquals(300, report.peerStored());
        assertEquals(List.of(bigOnB.id()), report.refusedHere().stream().map(SyncReplica.Refused::id).toList());
        assertTrue(report.refusedHere().get(0).reason().contains("larger than a sync frame"));
        assertEquals(List.of(bigOnA.id()), report.refusedByPeer().stream().map(SyncReplica.Refused::id).toList());
        assertTrue(report.refusedByPeer().get(0).reason().contains("more than a sync frame"));
        assertEquals(601, a.size());
        assertEquals(601, b.size());
        t.replies.forEach(r -> assertTrue(r <= SMALL.maxFrameBytes(), r + " bytes"));
        t.requests.forEach(r -> assertTrue(r <= SMALL.maxFrameBytes(), r + " bytes"));
    }

    @Test
    void aFetchOfManyIdsReadsAboutOneFrameOfRecords() {
        TestReplica full = new TestReplica().withClaims(1, 0, 3000);
        CountingReplica counting = new CountingReplica(full);
        List<AssertionId> all = full.ids(new byte[0], null, SMALL.idsPerFrame());
        byte[] reply = new SyncResponder(counting, SMALL).respond(SyncMessages.encodeIds(SyncMessages.FETCH, all));
        List<EncodedAssertion> records = SyncMessages.decodeRecords(reply, SyncMessages.RECORDS);
        assertTrue(reply.length <= SMALL.maxFrameBytes());
        assertTrue(records.size() > 100 && records.size() < all.size(), records.size() + " of " + all.size() + " records");
        assertEquals(all.subList(0, records.size()), records.stream().map(EncodedAssertion::id).toList());
        // Read a few records past what fit, not all that were asked.
        assertTrue(counting.recordsRead.get() <= records.size() + SyncResponder.READ_CHUNK,
                counting.recordsRead.get() + " records read for " + records.size());
    }
}
