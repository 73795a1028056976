package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Peers that lie, in process: real {@link SyncTransport}s whose replies are well-formed messages
 * but not honest ones. A session refuses a reply that does not fit what it asked, and otherwise
 * stays within its bounds ({@link SyncLimits}) and ends with {@link SyncException.SessionLimit};
 * a responder bounds the work of one request. Bounds that an honest peer far behind reaches are
 * progressive: session after session, the replicas converge.
 */
class HostilePeerTest {
    /** Fingerprints that match nothing, each claiming a huge count. */
    static SyncMessages.Children fakeChildren(Random random) {
        List<SyncMessages.Fingerprint> children = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            byte[] fp = new byte[IdDigest.FINGERPRINT_LENGTH];
            random.nextBytes(fp);
            children.add(new SyncMessages.Fingerprint(fp, 1L << 40));
        }
        return new SyncMessages.Children(children);
    }

    /**
     * The attack of the issue: every range asked, however it was asked, is answered with 16 fake
     * children claiming a trillion ids each. It records the largest request it was sent.
     */
    static final class FakeChildrenPeer implements SyncTransport {
        final Random random = new Random(7);
        int exchanges;
        int largestRequest;

        @Override
        public byte[] exchange(byte[] request) {
            exchanges++;
            List<SyncMessages.Item> asked = SyncMessages.decodeItems(request, SyncMessages.RECONCILE);
            largestRequest = Math.max(largestRequest, asked.size());
            List<SyncMessages.Item> reply = new ArrayList<>();
            for (SyncMessages.Item item : asked) {
                if (item.range().depth() < IdRange.MAX_DEPTH) {
                    reply.add(new SyncMessages.Item(item.range(), fakeChildren(random)));
                }
            }
            return SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY, reply);
        }
    }

    @Test
    void aPeerThatAnswersEveryRangeWithFakeChildrenCannotGrowTheSessionBeyondItsBounds() {
        for (int held : new int[] {0, 5, 3000}) {
            TestReplica a = new TestReplica().withClaims(1, 0, held);
            FakeChildrenPeer liar = new FakeChildrenPeer();
            SyncLimits limits = SyncLimits.DEFAULT.withSessionBounds(300, SyncLimits.DEFAULT_MAX_SESSION_IDS,
                    SyncLimits.DEFAULT_MAX_ROUNDS, 8L << 20, Duration.ofMinutes(5));
            SyncException e = assertThrows(SyncException.class, () -> new SyncSession(a, liar, limits).run());
            assertTrue(e instanceof SyncException.SessionLimit || e instanceof SyncException.MalformedMessage, e.toString());
            assertTrue(liar.largestRequest <= 300, "open ranges beyond the bound: " + liar.largestRequest);
            // one level per round at most, so the session ends before the depth of a single id
            assertTrue(liar.exchanges <= IdRange.MAX_DEPTH + 2, "exchanges: " + liar.exchanges);
            assertEquals(held, a.size(), "nothing stored from a liar");
        }
    }

    @Test
    void aPeerThatSplitsARangeAskedByItsIdsIsRefused() {
        // The peer holds many more: ranges two levels down are asked by this side's few ids, and the liar splits them.
        TestReplica a = new TestReplica().withClaims(1, 0, 40);
        TestReplica b = new TestReplica().withClaims(1, 0, 40).withClaims(2, 0, 3000);
        SyncResponder honest = new SyncResponder(b, SyncLimits.DEFAULT);
        Random random = new Random(3);
        SyncTransport splitter = request -> {
            if (SyncMessages.type(request) != SyncMessages.RECONCILE) {
                return honest.respond(request);
            }
            List<SyncMessages.Item> reply = new ArrayList<>();
            for (SyncMessages.Item item : SyncMessages.decodeItems(request, SyncMessages.RECONCILE)) {
                reply.add(item.claim() instanceof SyncMessages.Ids && item.range().depth() > 0
                        ? new SyncMessages.Item(item.range(), fakeChildren(random))
                        : SyncMessages.decodeItems(honest.respond(SyncMessages.encodeItems(SyncMessages.RECONCILE,
                                List.of(item))), SyncMessages.RECONCILE_REPLY).stream().findFirst().orElse(null));
            }
            reply.removeIf(java.util.Objects::isNull);
            return SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY, reply);
        };
        SyncException.MalformedMessage e = assertThrows(SyncException.MalformedMessage.class,
                () -> new SyncSession(a, splitter, SyncLimits.DEFAULT).run());
        assertTrue(e.getMessage().contains("asked by its ids"), e.getMessage());
        assertEquals(40, a.size());
    }

    @Test
    void aPeerThatFloodsIdsStopsAtTheIdBoundAndAnHonestOneCatchesUpOverSessions() {
        TestReplica a = new TestReplica();
        TestReplica b = new TestReplica().withClaims(2, 0, 1000);
        SyncLimits limits = SyncLimits.DEFAULT.withSessionBounds(SyncLimits.DEFAULT_MAX_OPEN_RANGES, 150,
                SyncLimits.DEFAULT_MAX_ROUNDS, SyncLimits.DEFAULT_MAX_SESSION_BYTES, SyncLimits.DEFAULT_MAX_SESSION_TIME);
        assertConvergesOverSessions(a, b, limits, 12, "ids to exchange");
    }

    @Test
    void aPeerThatAnswersOneRangeARoundIsCutOffAtTheRoundBound() {
        TestReplica a = new TestReplica().withClaims(1, 0, 600);
        TestReplica b = new TestReplica().withClaims(2, 0, 600);
        SyncResponder honest = new SyncResponder(b, SyncLimits.DEFAULT);
        int[] rounds = {0};
        // Answers the first range asked, then cuts: valid, and each round makes the least progress there is.
        SyncTransport trickle = request -> {
            if (SyncMessages.type(request) != SyncMessages.RECONCILE) {
                return honest.respond(request);
            }
            rounds[0]++;
            List<SyncMessages.Item> asked = SyncMessages.decodeItems(request, SyncMessages.RECONCILE);
            List<SyncMessages.Item> reply = new ArrayList<>(SyncMessages.decodeItems(honest.respond(
                    SyncMessages.encodeItems(SyncMessages.RECONCILE, asked.subList(0, 1))), SyncMessages.RECONCILE_REPLY));
            if (asked.size() > 1) {
                reply.add(new SyncMessages.Item(asked.get(1).range(), SyncMessages.Fingerprint.of(IdDigest.empty())));
            }
            return SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY, reply);
        };
        SyncLimits limits = SyncLimits.DEFAULT.withSessionBounds(SyncLimits.DEFAULT_MAX_OPEN_RANGES,
                SyncLimits.DEFAULT_MAX_SESSION_IDS, 10, SyncLimits.DEFAULT_MAX_SESSION_BYTES, SyncLimits.DEFAULT_MAX_SESSION_TIME);
        SyncException.SessionLimit e = assertThrows(SyncException.SessionLimit.class,
                () -> new SyncSession(a, trickle, limits).run());
        assertTrue(e.getMessage().contains("10 rounds"), e.getMessage());
        assertEquals(10, rounds[0]);
        assertTrue(a.size() > 600, "what the ten rounds found was fetched: " + a.size());
    }

    @Test
    void theOpenRangeBoundKeepsTheFirstRangesAndTheNextSessionsTheRest() {
        TestReplica a = new TestReplica().withClaims(1, 0, 3000);
        TestReplica b = new TestReplica().withClaims(2, 0, 3000);
        SyncLimits limits = new SyncLimits(64 << 10, 4).withSessionBounds(20, SyncLimits.DEFAULT_MAX_SESSION_IDS,
                SyncLimits.DEFAULT_MAX_ROUNDS, SyncLimits.DEFAULT_MAX_SESSION_BYTES, SyncLimits.DEFAULT_MAX_SESSION_TIME);
        assertConvergesOverSessions(a, b, limits, 400, "open ranges");
    }

    @Test
    void theByteBoundEndsASessionAtOnceAndWhatWasMergedStays() {
        TestReplica a = new TestReplica();
        TestReplica b = new TestReplica().withClaims(2, 0, 5000);
        SyncLimits limits = new SyncLimits(64 << 10, 16).withSessionBounds(SyncLimits.DEFAULT_MAX_OPEN_RANGES,
                SyncLimits.DEFAULT_MAX_SESSION_IDS, SyncLimits.DEFAULT_MAX_ROUNDS, 400_000, SyncLimits.DEFAULT_MAX_SESSION_TIME);
        assertConvergesOverSessions(a, b, limits, 20, "bytes");
    }

    /** Runs sessions from {@code a} with {@code b} until one completes; each before ends at the named bound. */
    private static void assertConvergesOverSessions(TestReplica a, TestReplica b, SyncLimits limits, int most, String bound) {
        int limited = 0;
        while (true) {
            try {
                new SyncSession(a, SyncTransport.inProcess(new SyncResponder(b, SyncLimits.DEFAULT)), limits).run();
                break;
            } catch (SyncException.SessionLimit e) {
                assertTrue(e.getMessage().contains(bound), e.getMessage());
                limited++;
                assertTrue(limited <= most, "no progress after " + limited + " sessions: " + e.getMessage());
            }
        }
        assertTrue(limited > 0, "the bound should have been reached at least once");
        SyncSessionTest.assertSameSet(a, b);
    }

    @Test
    void aSlowPeerIsCutOffAtTheTimeBound() {
        TestReplica a = new TestReplica().withClaims(1, 0, 600);
        TestReplica b = new TestReplica().withClaims(2, 0, 600);
        SyncResponder honest = new SyncResponder(b, SyncLimits.DEFAULT);
        SyncTransport slow = request -> {
            try {
                Thread.sleep(60);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SyncException.PeerFailed("interrupted", e);
            }
            return honest.respond(request);
        };
        SyncLimits limits = SyncLimits.DEFAULT.withSessionBounds(SyncLimits.DEFAULT_MAX_OPEN_RANGES,
                SyncLimits.DEFAULT_MAX_SESSION_IDS, SyncLimits.DEFAULT_MAX_ROUNDS, SyncLimits.DEFAULT_MAX_SESSION_BYTES,
                Duration.ofMillis(100));
        SyncException.SessionLimit e = assertThrows(SyncException.SessionLimit.class,
                () -> new SyncSession(a, slow, limits).run());
        assertTrue(e.getMessage().contains("time bound"), e.getMessage());
    }

    @Test
    void theResponderRefusesARequestOfTooManyRangesBeforeDoingAnyWork() {
        CountingReplica b = new CountingReplica(new TestReplica().withClaims(2, 0, 2000));
        SyncResponder responder = new SyncResponder(b, SyncLimits.DEFAULT);
        // The 4 MiB request of the issue: about 220,000 ranges, each the whole id space.
        List<SyncMessages.Item> items = new ArrayList<>();
        for (int i = 0; i < 220_000; i++) {
            items.add(new SyncMessages.Item(IdRange.ROOT, SyncMessages.Fingerprint.of(IdDigest.empty())));
        }
        byte[] request = SyncMessages.encodeItems(SyncMessages.RECONCILE, items);
        assertTrue(request.length <= SyncLimits.DEFAULT.maxFrameBytes(), "a request within the frame: " + request.length);
        String error = SyncMessagesTest.errorText(responder.respond(request));
        assertTrue(error.contains("220000 ranges") && error.contains("maxItemsPerRequest"), error);
        assertEquals(0, b.bucketReads.get() + b.idsListed.get(), "refused before any digest was read");
        // as many ids to fetch: refused the same way
        List<AssertionId> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(TestReplica.claim(9, i).id());
        }
        assertTrue(SyncMessagesTest.errorText(responder.respond(SyncMessages.encodeIds(SyncMessages.FETCH, ids)))
                .contains("100000 ids"));
        assertEquals(0, b.recordsRead.get());
    }

    @Test
    void theResponderRefusesOverlappingOrUnorderedRangesSoNoRequestReadsABucketTwice() {
        CountingReplica b = new CountingReplica(new TestReplica().withClaims(2, 0, 2000));
        SyncResponder responder = new SyncResponder(b, SyncLimits.DEFAULT);
        List<SyncMessages.Item> repeated = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            repeated.add(new SyncMessages.Item(IdRange.ROOT.child(1), SyncMessages.Fingerprint.of(IdDigest.empty())));
        }
        List<SyncMessages.Item> nested = List.of(
                new SyncMessages.Item(IdRange.ROOT.child(1), SyncMessages.Fingerprint.of(IdDigest.empty())),
                new SyncMessages.Item(IdRange.ROOT.child(1).child(4), SyncMessages.Fingerprint.of(IdDigest.empty())));
        List<SyncMessages.Item> backwards = List.of(
                new SyncMessages.Item(IdRange.ROOT.child(5), SyncMessages.Fingerprint.of(IdDigest.empty())),
                new SyncMessages.Item(IdRange.ROOT.child(2), SyncMessages.Fingerprint.of(IdDigest.empty())));
        for (List<SyncMessages.Item> bad : List.of(repeated, nested, backwards)) {
            String error = SyncMessagesTest.errorText(responder.respond(SyncMessages.encodeItems(SyncMessages.RECONCILE, bad)));
            assertTrue(error.contains("id order"), error);
        }
        assertEquals(0, b.bucketReads.get(), "refused before any digest was read");
        // The most a valid request can ask: every depth-4 range the bound allows, each bucket read once.
        List<SyncMessages.Item> all = new ArrayList<>();
        for (int i = 0; i < SyncLimits.DEFAULT_MAX_ITEMS_PER_REQUEST; i++) {
            byte[] nibbles = {(byte) (i >> 12 & 15), (byte) (i >> 8 & 15), (byte) (i >> 4 & 15), (byte) (i & 15)};
            all.add(new SyncMessages.Item(IdRange.of(nibbles), SyncMessages.Fingerprint.of(IdDigest.empty())));
        }
        int type = SyncMessages.type(responder.respond(SyncMessages.encodeItems(SyncMessages.RECONCILE, all)));
        assertEquals(SyncMessages.RECONCILE_REPLY, type);
        assertTrue(b.bucketReads.get() <= 65_536, "bucket digests read: " + b.bucketReads.get());
    }
}
