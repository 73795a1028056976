package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.SigningKey;
import io.stemedb.model.Value;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/resolve} with a lens that requires a signature, on a real server over a database with a key registry. */
class SignedResolveEndpointTest {
    @TempDir
    Path dir;

    private PilotServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSignedOnlyLensAnswersTheSignedClaimAndNamesItsKey() {
        SigningKey root = SigningKey.generate();
        SigningKey hr = SigningKey.generate();
        AssertionId alice;
        try (StemeDB db = StemeDB.builder().rootKey(root.publicKey()).open(dir.resolve("db"))) {
            db.registerKey("hr", hr.publicKey(), Instant.EPOCH, root);
            alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").signedWith(hr).commit();
            db.assertion("acme", "ceo", Value.text("Mallory")).source("hr").commit();
        }
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        TestHttp http = new TestHttp(server.url());
        JsonNode plain = http.get("/v1/resolve?subject=acme&predicate=ceo").json();
        assertEquals("Mallory", plain.get("value").asText());
        assertEquals(0, plain.get("signedBy").size());
        String lens = URLEncoder.encode("trust[hr].requireSignature()", StandardCharsets.UTF_8);
        JsonNode signed = http.get("/v1/resolve?subject=acme&predicate=ceo&lens=" + lens).json();
        assertEquals("Alice", signed.get("value").asText(), signed.toString());
        assertEquals(hr.publicKeyHex(), signed.get("signedBy").get(alice.toString()).asText());
        assertTrue(signed.get("explain").asText().contains("signed by key"), signed.toString());
        assertEquals("trust[hr].requireSignature()", signed.get("lens").asText());
    }
}
