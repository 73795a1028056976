package io.stemedb.acceptance.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.SyncException;
import io.stemedb.merkle.SyncReport;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP sync endpoint refuses whoever does not hold the cluster secret and changes nothing for
 * them: a peer with a wrong secret, an unsigned POST, a stale or forged signature (401), an
 * oversized body (413), a GET (405); a malformed body that is properly signed gets a signed
 * error reply. Signatures are computed here from the documented scheme (docs/format.md), not
 * with the library's own signer.
 */
class ClusterSecurityTest {
    static final byte[] SECRET = HexFormat.of().parseHex("3f1e0d6c8a9b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5");
    static final byte[] WRONG = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    @TempDir
    Path dir;
    ClusterNode server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws IOException {
        server = new ClusterNode("server", 0x5E, dir.resolve("server"), ClusterAuth.withSecret(SECRET, Clock.systemUTC())).start(0);
        for (int i = 0; i < 10; i++) {
            server.db.assertion("s" + i, "p", Value.integer(i)).source("server").commit();
        }
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** The server's id set and the bytes of its sync digest, to check that nothing changed. */
    Set<AssertionId> snapshot() {
        return server.ids();
    }

    /** HMAC-SHA256 of "stemedb-sync-request\n" (or reply) + time + "\n" + body, lowercase hex, as documented. */
    static String sign(byte[] secret, boolean reply, String time, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((reply ? "stemedb-sync-reply\n" : "stemedb-sync-request\n").getBytes(StandardCharsets.US_ASCII));
            mac.update((time + "\n").getBytes(StandardCharsets.US_ASCII));
            mac.update(body);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** A PUSH message of one valid claim, built by hand from the documented layout. */
    static byte[] pushOf(Claim claim) {
        EncodedAssertion r = EncodedAssertion.of(claim);
        return new ByteSink().raw(new byte[] {'S', 'T', 'M', 'S', 2, 5}).varint(1).raw(r.id().toBytes()).varint(r.bytes().length)
                .raw(r.bytes()).toByteArray();
    }

    static Claim intruderClaim() {
        return Claim.builder("acme", "ceo", Value.text("Mallory")).source("intruder").hlc(Hlc.of(System.currentTimeMillis(), 0, 0xBAD))
                .build();
    }

    HttpResponse<byte[]> post(byte[] body, String time, String signature) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.endpoint()).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (time != null) {
            b.header(ClusterAuth.TIME_HEADER, time);
        }
        if (signature != null) {
            b.header(ClusterAuth.SIGNATURE_HEADER, signature);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aPeerWithTheWrongSecretIsRefusedAndChangesNothing() {
        Set<AssertionId> before = snapshot();
        try (StemeDB intruder = StemeDB.builder().nodeId(0xBAD).inMemory()) {
            AssertionId planted = intruder.assertion("acme", "ceo", Value.text("Mallory")).source("intruder").commit();
            ClusterAuth wrong = ClusterAuth.withSecret(WRONG, Clock.systemUTC());
            SyncException.Unauthorized e = assertThrows(SyncException.Unauthorized.class,
                    () -> intruder.syncWith(server.transport(wrong)));
            assertTrue(e.getMessage().contains("secret"), e.getMessage());
            assertEquals(before, snapshot());
            assertFalse(server.db.get(planted).isPresent());
            assertEquals(1, intruder.stats().assertions(), "the intruder got nothing either");
        }
        // The right secret works, from the same kind of client.
        try (StemeDB friend = StemeDB.builder().nodeId(0xF00D).inMemory()) {
            SyncReport report = friend.syncWith(server.transport(ClusterAuth.withSecret(SECRET, Clock.systemUTC())));
            assertEquals(10, report.stored());
        }
    }

    @Test
    void aClockTooFarOffIsRefused() {
        Set<AssertionId> before = snapshot();
        try (StemeDB peer = StemeDB.builder().nodeId(0xC10C).inMemory()) {
            peer.assertion("x", "y", Value.integer(1)).source("peer").commit();
            Clock tenMinutesAhead = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
            SyncException.Unauthorized e = assertThrows(SyncException.Unauthorized.class,
                    () -> peer.syncWith(server.transport(ClusterAuth.withSecret(SECRET, tenMinutesAhead))));
            assertTrue(e.getMessage().contains("clock") || e.getMessage().contains("timestamp"), e.getMessage());
            assertEquals(before, snapshot());
        }
    }

    @Test
    void unsignedForgedAndStalePostsGet401AndChangeNothing() throws Exception {
        Set<AssertionId> before = snapshot();
        Claim claim = intruderClaim();
        byte[] push = pushOf(claim);
        String now = Long.toString(System.currentTimeMillis());

        HttpResponse<byte[]> unsigned = post(push, null, null);
        assertEquals(401, unsigned.statusCode());
        assertTrue(new String(unsigned.body(), StandardCharsets.UTF_8).contains("not signed"));

        HttpResponse<byte[]> wrongKey = post(push, now, sign(WRONG, false, now, push));
        assertEquals(401, wrongKey.statusCode());

        // A reply signature is not a request signature: the direction is signed.
        HttpResponse<byte[]> reflected = post(push, now, sign(SECRET, true, now, push));
        assertEquals(401, reflected.statusCode());

        String stale = Long.toString(System.currentTimeMillis() - Duration.ofMinutes(6).toMillis());
        HttpResponse<byte[]> old = post(push, stale, sign(SECRET, false, stale, push));
        assertEquals(401, old.statusCode());

        // A signature over other bytes: the body was changed on the way.
        byte[] other = pushOf(Claim.builder("acme", "ceo", Value.text("Eve")).source("intruder")
                .hlc(Hlc.of(System.currentTimeMillis(), 0, 0xBAD)).build());
        HttpResponse<byte[]> tampered = post(push, now, sign(SECRET, false, now, other));
        assertEquals(401, tampered.statusCode());

        assertEquals(before, snapshot());
        assertFalse(server.db.get(claim.id()).isPresent());

        // The same request, properly signed, is accepted: the refusals above were about the credentials.
        HttpResponse<byte[]> signed = post(push, now, sign(SECRET, false, now, push));
        assertEquals(200, signed.statusCode());
        assertTrue(server.db.get(claim.id()).isPresent());
    }

    @Test
    void anOversizedPostGets413AndAGetGets405() throws Exception {
        Set<AssertionId> before = snapshot();
        byte[] big = new byte[ClusterNode.FRAME + 1];
        System.arraycopy(new byte[] {'S', 'T', 'M', 'S', 2, 5}, 0, big, 0, 6);
        String now = Long.toString(System.currentTimeMillis());
        HttpResponse<byte[]> tooBig = post(big, now, sign(SECRET, false, now, big));
        assertEquals(413, tooBig.statusCode());
        assertEquals(before, snapshot());

        HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(server.endpoint()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, get.statusCode());
        assertEquals(before, snapshot());
    }

    @Test
    void aMalformedSignedBodyGetsASignedErrorReplyAndChangesNothing() throws Exception {
        Set<AssertionId> before = snapshot();
        Claim claim = intruderClaim();
        byte[] push = pushOf(claim);
        byte[] cut = java.util.Arrays.copyOf(push, push.length - 3); // the record's bytes cut short
        byte[] badRecord = push.clone();
        badRecord[badRecord.length - 1] ^= 0x10; // bytes that do not hash to the id
        byte[] garbage = "GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
        for (byte[] body : new byte[][] {cut, garbage, badRecord}) {
            String now = Long.toString(System.currentTimeMillis());
            HttpResponse<byte[]> reply = post(body, now, sign(SECRET, false, now, body));
            assertEquals(200, reply.statusCode());
            // The reply is signed by the cluster, over its direction, time and body.
            String time = reply.headers().firstValue(ClusterAuth.TIME_HEADER).orElseThrow();
            assertEquals(sign(SECRET, true, time, reply.body()),
                    reply.headers().firstValue(ClusterAuth.SIGNATURE_HEADER).orElseThrow());
            byte[] head = java.util.Arrays.copyOf(reply.body(), 6);
            if (body == badRecord) {
                // A well-formed push whose record is refused: a PUSH_REPLY (type 6) listing the refusal.
                assertArrayEquals(new byte[] {'S', 'T', 'M', 'S', 2, 6}, head);
                assertArrayEquals(new byte[] {0, 0, 1}, java.util.Arrays.copyOfRange(reply.body(), 6, 9), "0 added, 0 duplicates, 1 refused");
            } else {
                // An ERROR (type 7) with a message.
                assertArrayEquals(new byte[] {'S', 'T', 'M', 'S', 2, 7}, head);
                String message = new String(reply.body(), 7, reply.body().length - 7, StandardCharsets.UTF_8);
                assertTrue(message.contains("malformed") || message.contains("magic"), message);
            }
        }
        assertEquals(before, snapshot());
        assertFalse(server.db.get(claim.id()).isPresent());
        assertTrue(server.db.verify().ok());
    }
}
