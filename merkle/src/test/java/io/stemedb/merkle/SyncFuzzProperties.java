package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.crdt.IdDigest;
import io.stemedb.fuzz.Fuzz;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input: random bytes, and valid messages of every type with one byte changed, inserted
 * or removed, or cut short. The responder never throws, always answers with a well-formed error
 * or a valid reply of the right type, and never stores anything that is not a valid assertion
 * under its own id; the decoders fail only with {@link SyncException}, never with an index,
 * size or memory error.
 */
@Tag(Fuzz.TAG)
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

    /** A valid message damaged in one to three ways. */
    @Provide
    Arbitrary<byte[]> mutated() {
        return Fuzz.mutationsOf(validMessages);
    }

    @Property
    void theResponderAnswersRandomBytesWithAnErrorOrAValidReply(@ForAll("randomBytes") byte[] request) {
        checkResponder(request);
    }

    @Property
    void theResponderAnswersMutatedMessagesWithAnErrorOrAValidReply(@ForAll("mutated") byte[] request) {
        checkResponder(request);
    }

    @Property
    void decodersFailOnlyWithSyncExceptions(@ForAll("randomBytes") byte[] message, @ForAll @IntRange(min = 0, max = 8) int type) {
        checkDecoders(message, type);
    }

    @Property
    void decodersFailOnlyWithSyncExceptionsOnMutatedMessages(@ForAll("mutated") byte[] message,
            @ForAll @IntRange(min = 0, max = 8) int type) {
        checkDecoders(message, type);
    }

    private static void checkDecoders(byte[] message, int type) {
        Fuzz.typedOrValid(message, () -> SyncMessagesTest.decodeAs(message, type), SyncException.class);
    }

    private static void checkResponder(byte[] request) {
        TestReplica replica = new TestReplica(held);
        Map<AssertionId, byte[]> before = held;
        byte[] reply = Fuzz.typedOrValid(request, () -> new SyncResponder(replica, SyncLimits.DEFAULT).respond(request));
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
