package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/erasures} on a real server with API tokens: erasing needs a credential that may
 * retract and write for the erasure's source; afterwards the history names the erased claim
 * without its content, and reading it by id says what erased it.
 */
class ErasureEndpointTest {
    private static final String NO_RETRACT = "hr-writer-0123456789abcdef";
    private static final String DPO = "dpo-eraser-0123456789abcdef";

    @TempDir
    Path dir;

    private PilotServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestHttp.Response post(TestHttp http, String path, String json, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b);
    }

    @Test
    void anErasureNeedsTheRightToRetractAndLeavesOnlyTheMark() throws IOException {
        Path tokens = Files.writeString(dir.resolve("api.tokens"), "token " + NO_RETRACT + " sources=* retract=no\n"
                + "token " + DPO + " sources=dpo retract=yes\n");
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")).withListener("127.0.0.1", tokens, null),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        TestHttp http = new TestHttp(server.url());
        TestHttp.Response claim = post(http, "/v1/claims",
                "{\"subject\": \"person:42\", \"predicate\": \"email\", \"value\": \"ada@example.org\", \"source\": \"crm\"}", NO_RETRACT);
        assertEquals(201, claim.status(), claim.body());
        String id = claim.json().get("ids").get(0).asText();
        String erasure = "{\"erases\": {\"scope\": \"subject\", \"subject\": \"person:42\"}, \"source\": \"dpo\", "
                + "\"reason\": \"request 42\"}";

        assertEquals(401, post(http, "/v1/erasures", erasure, null).status());
        TestHttp.Response refused = post(http, "/v1/erasures", erasure, NO_RETRACT);
        assertEquals(403, refused.status(), refused.body());
        assertTrue(refused.errorMessage().contains("may not erase"), refused.errorMessage());
        assertEquals(400, post(http, "/v1/erasures", "{\"erases\": {\"scope\": \"everything\"}, \"source\": \"dpo\", "
                + "\"reason\": \"r\"}", DPO).status());
        assertTrue(server.db().get(io.stemedb.model.AssertionId.parse(id)).isPresent(), "refused requests erase nothing");

        TestHttp.Response ok = post(http, "/v1/erasures", erasure, DPO);

        assertEquals(201, ok.status(), ok.body());
        JsonNode history = http.get("/v1/history?subject=person:42&predicate=email").json();
        assertEquals(0, history.get("claims").size());
        assertEquals(id, history.get("erased").get(0).get("claim").asText());
        assertFalse(history.toString().contains("ada@example.org"), history.toString());
        TestHttp.Response byId = http.get("/v1/assertion?id=" + id);
        assertEquals(404, byId.status());
        assertTrue(byId.errorMessage().contains("erased by dpo") && byId.errorMessage().contains("(request 42)"),
                byId.errorMessage());
    }
}
