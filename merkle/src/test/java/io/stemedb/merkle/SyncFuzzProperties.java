package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input: random bytes, and valid messages of every type with one byte changed, inserted
 * or removed, or cut short. The responder never throws, always answers with a well-formed error
 * or a valid reply of the right type, and never stores anything that is not a valid assertion
 * under its own id; the decoders fail only with {@link SyncException}, never with an index,
 * size or memory error.
 */
class SyncFuzzProperties {
    /** The records the responder starts with: 400 claims of node 1. */
    static final int HELD = 400;
    static List<byte[]> validMessages;
    static Map<AssertionId, byte[]> held;

    @BeforeContainer
    static void messages() {
        TestReplica r = new TestReplica().withClaims(1, 0, HELD);
        held = r.snapshot();
        List<SyncMessages.Item> items = new ArrayList<>();
        items.add(new SyncMessages.Item(IdRange.ROOT, SyncMessages.Fingerprint.of(IdDigest.empty())));
        items.add(new SyncMessages.Item(IdRange.ROOT.child(3), new SyncMessages.Ids(r.ids(IdRange.ROOT.child(3).low(),
                IdRange.ROOT.child(3).high(), 40))));
        items.add(new SyncMessages.Item(IdRange.ROOT.child(5).child(1), SyncMessages.Fingerprint.of(IdDigest.of(List.of(
                TestReplica.claim(9, 9).id())))));
        List<SyncMessages.Fingerprint> children = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            children.add(SyncMessages.Fingerprint.of(IdDigest.of(List.of(TestReplica.claim(2, c).id()))));
        }
        List<EncodedAssertion> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(EncodedAssertion.of(TestReplica.claim(7, i)));
        }
        validMessages = List.of(
                SyncMessages.encodeItems(SyncMessages.RECONCILE, items),
                SyncMessages.encodeItems(SyncMessages.RECONCILE, List.of(new SyncMessages.Item(IdRange.ROOT,
                        SyncMessages.Fingerprint.of(r.digest())))),
                SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY, List.of(new SyncMessages.Item(IdRange.ROOT.child(1),
                        new SyncMessages.Children(children)))),
                SyncMessages.encodeIds(SyncMessages.FETCH, r.ids(new byte[0], null, 6)),
                SyncMessages.encodeRecords(SyncMessages.RECORDS, records),
                SyncMessages.encodeRecords(SyncMessages.PUSH, records),
                SyncMessages.encodePushReply(new SyncReplica.MergeOutcome(3, 2,
                        List.of(new SyncReplica.Refused(TestReplica.claim(7, 1).id(), "no")))),
                SyncMessages.encodeError("nope"));
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        // Random bytes behind a valid header, so that they reach the body decoders.
        Arbitrary<byte[]> behindHeader = Arbitraries.integers().between(0, 8).flatMap(type -> raw.map(body -> {
                    byte[] m = Arrays.copyOf(SyncMessages.header(type).toByteArray(), 6 + body.length);
                    System.arraycopy(body, 0, m, 6, body.length);
                    return m;
                }));
        return Arbitraries.oneOf(raw, behindHeader);
    }

    /** A valid message changed in one way. */
    @Provide
    Arbitrary<byte[]> mutated() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE - 1).flatMap(which ->
                Arbitraries.longs().map(seed -> mutate(validMessages.get(which % validMessages.size()), new Random(seed))));
    }

    static byte[] mutate(byte[] message, Random random) {
        int kind = random.nextInt(5);
        int at = random.nextInt(message.length);
        switch (kind) {
            case 0: { // one byte changed
                byte[] m = message.clone();
                m[at] = (byte) (m[at] ^ (1 + random.nextInt(255)));
                return m;
            }
            case 1: // cut short
                return Arrays.copyOf(message, at);
            case 2: { // one byte inserted
                byte[] m = new byte[message.length + 1];
                System.arraycopy(message, 0, m, 0, at);
                m[at] = (byte) random.nextInt(256);
                System.arraycopy(message, at, m, at + 1, message.length - at);
                return m;
            }
            case 3: { // one byte removed
                byte[] m = new byte[message.length - 1];
                System.arraycopy(message, 0, m, 0, at);
                System.arraycopy(message, at + 1, m, at, message.length - at - 1);
                return m;
            }
            default: { // a count or length byte set to a huge varint continuation
                byte[] m = message.clone();
                m[at] = (byte) 0xff;
                return m;
            }
        }
    }

    @Property(tries = 1000)
    void theResponderAnswersRandomBytesWithAnErrorOrAValidReply(@ForAll("randomBytes") byte[] request) {
        checkResponder(request);
    }

    @Property(tries = 2000)
    void theResponderAnswersMutatedMessagesWithAnErrorOrAValidReply(@ForAll("mutated") byte[] request) {
        checkResponder(request);
    }

    @Property(tries = 1000)
    void decodersFailOnlyWithSyncExceptions(@ForAll("randomBytes") byte[] message, @ForAll @IntRange(min = 0, max = 8) int type) {
        checkDecoders(message, type);
    }

    @Property(tries = 2000)
    void decodersFailOnlyWithSyncExceptionsOnMutatedMessages(@ForAll("mutated") byte[] message,
            @ForAll @IntRange(min = 0, max = 8) int type) {
        checkDecoders(message, type);
    }

    private static void checkDecoders(byte[] message, int type) {
        try {
            SyncMessagesTest.decodeAs(message, type);
        } catch (SyncException expected) {
            // the only way a decoder may fail
        } catch (Throwable t) {
            fail("decoding " + HexFormat.of().formatHex(message) + " as type " + type + " threw " + t, t);
        }
    }

    private static void checkResponder(byte[] request) {
        TestReplica replica = new TestReplica(held);
        Map<AssertionId, byte[]> before = held;
        byte[] reply;
        try {
            reply = new SyncResponder(replica, SyncLimits.DEFAULT).respond(request);
        } catch (Throwable t) {
            fail("respond(" + HexFormat.of().formatHex(request) + ") threw " + t, t);
            return;
        }
        int replyType = SyncMessages.type(reply);
        int requestType = request.length >= 6 ? request[5] & 0xff : -1;
        switch (replyType) {
            case SyncMessages.ERROR:
                assertTrue(SyncMessagesTest.errorText(reply).length() > 0);
                break;
            case SyncMessages.RECONCILE_REPLY:
                assertEquals(SyncMessages.RECONCILE, requestType);
                SyncMessages.decodeItems(reply, SyncMessages.RECONCILE_REPLY);
                break;
            case SyncMessages.RECORDS:
                assertEquals(SyncMessages.FETCH, requestType);
                for (EncodedAssertion r : SyncMessages.decodeRecords(reply, SyncMessages.RECORDS)) {
                    r.decode(); // only what the replica holds, which is valid
                }
                break;
            case SyncMessages.PUSH_REPLY:
                assertEquals(SyncMessages.PUSH, requestType);
                SyncMessages.decodePushReply(reply);
                break;
            default:
                fail("a reply of type " + replyType + " to " + HexFormat.of().formatHex(request));
        }
        // Whatever happened, everything stored is a valid assertion under its own id, and nothing held was lost.
        Map<AssertionId, byte[]> after = replica.snapshot();
        assertTrue(after.keySet().containsAll(before.keySet()));
        for (Map.Entry<AssertionId, byte[]> e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                assertEquals(e.getKey(), new EncodedAssertion(e.getKey(), e.getValue()).decode().id());
            }
        }
        assertEquals(IdDigest.of(after.keySet()), replica.digest());
    }
}
