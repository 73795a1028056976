package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.ByteSource;
import io.stemedb.model.EncodedAssertion;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Wire format v2: every message type round-trips, and the framing is what docs/format.md says. */
class SyncMessagesTest {

    static AssertionId id(int n) {
        return TestReplica.claim(1, n).id();
    }

    static SyncMessages.Fingerprint fp(int n) {
        return SyncMessages.Fingerprint.of(IdDigest.of(List.of(id(n), id(n + 1))));
    }

    /** Decodes an ERROR message's text. */
    static String errorText(byte[] message) {
        ByteSource in = SyncMessages.open(message, SyncMessages.ERROR);
        String text = in.string("error message");
        in.expectEnd();
        return text;
    }

    static void assertSameItems(List<SyncMessages.Item> expected, List<SyncMessages.Item> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).range(), actual.get(i).range(), "range of item " + i);
            SyncMessages.Claim e = expected.get(i).claim();
            SyncMessages.Claim a = actual.get(i).claim();
            assertEquals(e.getClass(), a.getClass(), "mode of item " + i);
            if (e instanceof SyncMessages.Fingerprint) {
                assertSameFingerprint((SyncMessages.Fingerprint) e, (SyncMessages.Fingerprint) a);
            } else if (e instanceof SyncMessages.Ids) {
                assertEquals(((SyncMessages.Ids) e).ids(), ((SyncMessages.Ids) a).ids());
            } else if (e instanceof SyncMessages.Diff) {
                assertEquals(((SyncMessages.Diff) e).onlyHere(), ((SyncMessages.Diff) a).onlyHere());
                assertArrayEquals(((SyncMessages.Diff) e).missingPositions(), ((SyncMessages.Diff) a).missingPositions());
            } else {
                List<SyncMessages.Fingerprint> ec = ((SyncMessages.Children) e).children();
                List<SyncMessages.Fingerprint> ac = ((SyncMessages.Children) a).children();
                assertEquals(16, ac.size());
                for (int c = 0; c < 16; c++) {
                    assertSameFingerprint(ec.get(c), ac.get(c));
                }
            }
        }
    }

    static void assertSameFingerprint(SyncMessages.Fingerprint e, SyncMessages.Fingerprint a) {
        assertArrayEquals(e.fingerprint(), a.fingerprint());
        assertEquals(e.count(), a.count());
    }

    static List<SyncMessages.Item> sampleItems() {
        List<SyncMessages.Fingerprint> children = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            children.add(c % 3 == 0 ? SyncMessages.Fingerprint.of(IdDigest.empty()) : fp(c));
        }
        return List.of(
                new SyncMessages.Item(IdRange.ROOT, fp(0)),
                new SyncMessages.Item(IdRange.ROOT.child(7), new SyncMessages.Ids(List.of(id(1), id(2), id(3)))),
                new SyncMessages.Item(IdRange.ROOT.child(7).child(15).child(0), new SyncMessages.Ids(List.of())),
                new SyncMessages.Item(IdRange.ROOT.child(0xa).child(3), new SyncMessages.Children(children)),
                new SyncMessages.Item(IdRange.ROOT.child(0xf).child(0xf).child(0xf), fp(9)),
                new SyncMessages.Item(IdRange.ROOT.child(1), new SyncMessages.Diff(List.of(id(4)), new int[] {0, 2, 300})),
                new SyncMessages.Item(IdRange.ROOT.child(2), new SyncMessages.Diff(List.of(), new int[0])),
                new SyncMessages.Item(IdRange.ROOT.child(3), SyncMessages.Fingerprint.of(IdDigest.of(List.of(id(1))))));
    }

    @Test
    void reconcileAndItsReplyRoundTrip() {
        List<SyncMessages.Item> items = sampleItems();
        for (int type : new int[] {SyncMessages.RECONCILE, SyncMessages.RECONCILE_REPLY}) {
            byte[] bytes = SyncMessages.encodeItems(type, items);
            assertEquals(type, SyncMessages.type(bytes));
            assertSameItems(items, SyncMessages.decodeItems(bytes, type));
        }
        assertSameItems(List.of(), SyncMessages.decodeItems(SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY, List.of()),
                SyncMessages.RECONCILE_REPLY));
    }

    @Test
    void aRangeOfAWholeIdRoundTrips() {
        AssertionId one = id(5);
        byte[] bytes = one.toBytes();
        byte[] nibbles = new byte[IdRange.MAX_DEPTH];
        for (int i = 0; i < nibbles.length; i++) {
            nibbles[i] = (byte) (i % 2 == 0 ? (bytes[i / 2] >> 4) & 0xf : bytes[i / 2] & 0xf);
        }
        List<SyncMessages.Item> items = List.of(new SyncMessages.Item(IdRange.of(nibbles), new SyncMessages.Ids(List.of(one))));
        assertSameItems(items, SyncMessages.decodeItems(SyncMessages.encodeItems(SyncMessages.RECONCILE, items),
                SyncMessages.RECONCILE));
    }

    @Test
    void fetchRoundTrips() {
        List<AssertionId> ids = List.of(id(1), id(2), id(3));
        byte[] bytes = SyncMessages.encodeIds(SyncMessages.FETCH, ids);
        assertEquals(SyncMessages.FETCH, SyncMessages.type(bytes));
        assertEquals(ids, SyncMessages.decodeIds(bytes, SyncMessages.FETCH));
        assertEquals(List.of(), SyncMessages.decodeIds(SyncMessages.encodeIds(SyncMessages.FETCH, List.of()), SyncMessages.FETCH));
    }

    @Test
    void recordsAndPushRoundTrip() {
        List<EncodedAssertion> records = List.of(EncodedAssertion.of(TestReplica.claim(1, 1)),
                EncodedAssertion.of(TestReplica.claim(2, 2)), new EncodedAssertion(id(3), new byte[0]));
        for (int type : new int[] {SyncMessages.RECORDS, SyncMessages.PUSH}) {
            List<EncodedAssertion> back = SyncMessages.decodeRecords(SyncMessages.encodeRecords(type, records), type);
            assertEquals(records.size(), back.size());
            for (int i = 0; i < records.size(); i++) {
                assertEquals(records.get(i).id(), back.get(i).id());
                assertArrayEquals(records.get(i).bytes(), back.get(i).bytes());
            }
        }
    }

    @Test
    void pushReplyRoundTrips() {
        SyncReplica.MergeOutcome outcome = new SyncReplica.MergeOutcome(300, 7,
                List.of(new SyncReplica.Refused(id(1), "bytes hash to another id"), new SyncReplica.Refused(id(2), "é ✓ 😀")));
        SyncReplica.MergeOutcome back = SyncMessages.decodePushReply(SyncMessages.encodePushReply(outcome));
        assertEquals(outcome, back);
    }

    @Test
    void errorRoundTripsAndIsRaisedWhenAnotherTypeWasExpected() {
        byte[] error = SyncMessages.encodeError("the request is too big");
        assertEquals(SyncMessages.ERROR, SyncMessages.type(error));
        assertEquals("the request is too big", errorText(error));
        SyncException e = assertThrows(SyncException.class, () -> SyncMessages.decodeRecords(error, SyncMessages.RECORDS));
        assertTrue(e.getMessage().contains("the request is too big"), e.getMessage());
    }

    @Test
    void theFramingIsAsDocumented() {
        // STMS, version 2, type 3 (FETCH), count 1, one 32-byte id.
        byte[] fetch = SyncMessages.encodeIds(SyncMessages.FETCH, List.of(id(1)));
        assertEquals("53544d53" + "02" + "03" + "01" + id(1), HexFormat.of().formatHex(fetch));
        // RECONCILE of the root by fingerprint: count 1, depth 0, no path, mode 1, 16-byte fingerprint, varint count.
        IdDigest d = IdDigest.of(List.of(id(1), id(2)));
        byte[] reconcile = SyncMessages.encodeItems(SyncMessages.RECONCILE,
                List.of(new SyncMessages.Item(IdRange.ROOT, SyncMessages.Fingerprint.of(d))));
        assertEquals("53544d53" + "02" + "01" + "01" + "00" + "01" + HexFormat.of().formatHex(d.fingerprint())
                + "02", HexFormat.of().formatHex(reconcile));
        // An odd path: depth 3 packs into two bytes, the unused low nibble zero.
        byte[] odd = SyncMessages.encodeItems(SyncMessages.RECONCILE,
                List.of(new SyncMessages.Item(IdRange.ROOT.child(0xa).child(3).child(0xf), new SyncMessages.Ids(List.of()))));
        assertEquals("53544d53" + "02" + "01" + "01" + "03" + "a3f0" + "02" + "00", HexFormat.of().formatHex(odd));
        // A DIFF answer: mode 4, the ids only the answerer holds, then the positions of those it lacks.
        byte[] diff = SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY,
                List.of(new SyncMessages.Item(IdRange.ROOT, new SyncMessages.Diff(List.of(id(1)), new int[] {1, 200}))));
        assertEquals("53544d53" + "02" + "02" + "01" + "00" + "04" + "01" + id(1) + "02" + "01" + "c801",
                HexFormat.of().formatHex(diff));
        // PUSH_REPLY: added, duplicates, refused count, then id and reason for each.
        byte[] pushReply = SyncMessages.encodePushReply(new SyncReplica.MergeOutcome(200, 1, List.of()));
        assertEquals("53544d53" + "02" + "06" + "c801" + "01" + "00", HexFormat.of().formatHex(pushReply));
        // ERROR: a string.
        assertEquals("53544d53" + "02" + "07" + "02" + "6869", HexFormat.of().formatHex(SyncMessages.encodeError("hi")));
    }

    @Test
    void aDifferentVersionOrMagicIsRefusedWithAMessage() {
        byte[] fetch = SyncMessages.encodeIds(SyncMessages.FETCH, List.of());
        byte[] v1 = fetch.clone();
        v1[4] = 1;
        SyncException.MalformedMessage e = assertThrows(SyncException.MalformedMessage.class,
                () -> SyncMessages.decodeIds(v1, SyncMessages.FETCH));
        assertTrue(e.getMessage().contains("version 1"), e.getMessage());
        byte[] magic = fetch.clone();
        magic[0] = 'X';
        assertThrows(SyncException.MalformedMessage.class, () -> SyncMessages.decodeIds(magic, SyncMessages.FETCH));
        assertThrows(SyncException.MalformedMessage.class, () -> SyncMessages.type(new byte[5]));
        assertThrows(SyncException.MalformedMessage.class, () -> SyncMessages.decodeIds(fetch, SyncMessages.RECORDS));
    }

    @Test
    void countsThatClaimHugeSizesAreRefusedBeforeAnythingIsAllocated() {
        byte[][] liars = {
            // RECONCILE claiming 2^31 - 1 items.
            SyncMessages.header(SyncMessages.RECONCILE).raw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}).toByteArray(),
            // FETCH claiming a million ids with none following.
            SyncMessages.header(SyncMessages.FETCH).varint(1 << 20).toByteArray(),
            // PUSH of one record whose byte length is 2^31 - 1.
            SyncMessages.header(SyncMessages.PUSH).varint(1).raw(new byte[32])
                    .raw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}).toByteArray(),
            // PUSH_REPLY claiming 2^30 refusals.
            SyncMessages.header(SyncMessages.PUSH_REPLY).varint(0).varint(0).varint(1 << 30).toByteArray(),
            // A varint longer than five bytes.
            SyncMessages.header(SyncMessages.FETCH).raw(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}).toByteArray(),
            // A varint over 2^31 - 1.
            SyncMessages.header(SyncMessages.FETCH).raw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}).toByteArray(),
            // An item whose range is deeper than an id.
            SyncMessages.header(SyncMessages.RECONCILE).varint(1).u8(65).raw(new byte[33]).u8(1).raw(new byte[24]).toByteArray(),
            // Children of a range of one id.
            SyncMessages.header(SyncMessages.RECONCILE_REPLY).varint(1).u8(64).raw(new byte[32]).u8(3).raw(new byte[16 * 24]).toByteArray(),
            // A count in a fingerprint longer than 9 varint bytes (over 2^63 - 1).
            SyncMessages.header(SyncMessages.RECONCILE).varint(1).u8(0).u8(1).raw(new byte[16])
                    .raw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                        (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}).toByteArray(),
            // An unknown mode.
            SyncMessages.header(SyncMessages.RECONCILE).varint(1).u8(0).u8(9).toByteArray(),
            // Trailing bytes.
            new ByteSink().raw(SyncMessages.encodeIds(SyncMessages.FETCH, List.of())).u8(0).toByteArray(),
        };
        for (byte[] liar : liars) {
            int type = SyncMessages.type(liar);
            SyncException.MalformedMessage e = assertThrows(SyncException.MalformedMessage.class, () -> decodeAs(liar, type),
                    () -> HexFormat.of().formatHex(liar));
            assertTrue(e.getMessage().startsWith("malformed sync message"), e.getMessage());
            // And the responder answers each with an error reply, whatever the type.
            byte[] reply = new SyncResponder(new TestReplica(), SyncLimits.DEFAULT).respond(liar);
            assertEquals(SyncMessages.ERROR, SyncMessages.type(reply), HexFormat.of().formatHex(liar));
            assertInstanceOf(String.class, errorText(reply));
        }
    }

    /** Decodes {@code message} with the decoder of its type. */
    static Object decodeAs(byte[] message, int type) {
        switch (type) {
            case SyncMessages.RECONCILE:
            case SyncMessages.RECONCILE_REPLY:
                return SyncMessages.decodeItems(message, type);
            case SyncMessages.FETCH:
                return SyncMessages.decodeIds(message, type);
            case SyncMessages.RECORDS:
            case SyncMessages.PUSH:
                return SyncMessages.decodeRecords(message, type);
            case SyncMessages.PUSH_REPLY:
                return SyncMessages.decodePushReply(message);
            case SyncMessages.ERROR:
                return errorText(message);
            default:
                throw new SyncException.MalformedMessage("unknown type " + type, 5);
        }
    }
}
