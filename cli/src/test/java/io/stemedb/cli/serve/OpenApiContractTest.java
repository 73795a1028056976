package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/openapi.json is the contract of the real server: every operation it describes is called on
 * a server started here (with a cluster secret, so {@code /sync} is mounted) over real HTTP, once
 * as its examples say and, where it documents 400, once without its required input; each reply's
 * status must be one the document lists, and its body must validate against the document's schema
 * for that status. The server's routes and the document's operations must be the same set, and
 * {@code GET /openapi.json} must serve the document byte for byte.
 */
class OpenApiContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DOCUMENT = Path.of("..", "docs", "openapi.json");
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @TempDir
    Path dir;

    private PilotServer server;
    private TestHttp http;
    private JsonNode document;
    private String claimId;

    @BeforeEach
    void start() throws Exception {
        document = JSON.readTree(Files.readString(DOCUMENT));
        Path secret = dir.resolve("cluster.secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef");
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")).withPeers(List.of(), secret, Duration.ofSeconds(1)),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        http = new TestHttp(server.url());
        // what the examples read: a fact with a conflict, and an id to read and retract
        TestHttp.Response created = http.post("/v1/claims", "[{\"subject\":\"acme\",\"predicate\":\"ceo\",\"value\":\"Bob\","
                + "\"source\":\"crm\"}," + JSON.writeValueAsString(example(document.at("/paths/~1v1~1claims/post"))) + "]");
        assertEquals(201, created.status(), created.body());
        claimId = created.json().get("ids").get(1).asText();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode example(JsonNode operation) {
        return operation.at("/requestBody/content/application~1json/example");
    }

    @Test
    void theServerHasExactlyTheRoutesTheDocumentDescribes() {
        SortedMap<String, Set<String>> documented = new TreeMap<>();
        document.get("paths").properties().forEach(p -> {
            Set<String> methods = new TreeSet<>();
            p.getValue().fieldNames().forEachRemaining(methods::add);
            documented.put(p.getKey(), methods);
        });
        assertEquals(documented, server.operations());
    }

    @Test
    void openapiJsonServesTheDocumentInDocs() throws Exception {
        TestHttp.Response r = http.get("/openapi.json");
        assertEquals(200, r.status());
        assertArrayEquals(Files.readAllBytes(DOCUMENT), r.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyOperationAnswersAsTheDocumentSays() throws Exception {
        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String method = op.getKey();
                JsonNode operation = op.getValue();
                boolean signed = operation.has("security") && operation.get("security").toString().contains("clusterSecret");
                TestHttp.Response good = call(path.getKey(), method, operation, true);
                // /sync is called unsigned: the contract is that it refuses that with 401
                int expected = signed ? 401 : firstSuccess(operation);
                assertEquals(expected, good.status(), method + " " + path.getKey() + ": " + good.body());
                validate(path.getKey(), method, operation, good);
                if (operation.get("responses").has("400")) {
                    TestHttp.Response bad = call(path.getKey(), method, operation, false);
                    assertEquals(400, bad.status(), method + " " + path.getKey() + " with bad input: " + bad.body());
                    validate(path.getKey(), method, operation, bad);
                }
            }
        }
    }

    private static int firstSuccess(JsonNode operation) {
        for (var it = operation.get("responses").fieldNames(); it.hasNext(); ) {
            String status = it.next();
            if (status.startsWith("2")) {
                return Integer.parseInt(status);
            }
        }
        throw new AssertionError("no success response in " + operation);
    }

    /**
     * The operation called with its examples ({@code withInput}); or else with an unknown
     * parameter, and an empty object for a body, which every operation that documents 400 refuses.
     */
    private TestHttp.Response call(String path, String method, JsonNode operation, boolean withInput) throws Exception {
        StringBuilder query = new StringBuilder();
        if (withInput && operation.has("parameters")) {
            for (JsonNode p : operation.get("parameters")) {
                if (p.has("example")) {
                    String value = p.get("name").asText().equals("id") ? claimId : p.get("example").asText();
                    query.append(query.length() == 0 ? "?" : "&").append(p.get("name").asText()).append('=')
                            .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
                }
            }
        }
        if (!withInput && method.equals("get")) {
            query.append("?nonsense=1");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(server.url().resolve(path + query));
        if (method.equals("get")) {
            return http.send(request.GET());
        }
        assertEquals("post", method, path);
        JsonNode body = example(operation);
        if (!withInput || body.isMissingNode()) {
            return http.send(request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
        }
        if (body.has("retracts")) {
            body = ((ObjectNode) body.deepCopy()).put("retracts", claimId);
        }
        return http.send(request.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private void validate(String path, String method, JsonNode operation, TestHttp.Response reply) throws Exception {
        String what = method + " " + path + " " + reply.status();
        JsonNode response = operation.get("responses").get(Integer.toString(reply.status()));
        assertNotNull(response, what + " is not a documented status");
        String mediaType = response.get("content").fieldNames().next();
        String contentType = reply.raw().headers().firstValue("Content-Type").orElse("");
        assertTrue(contentType.startsWith(mediaType), what + ": Content-Type " + contentType + ", documented " + mediaType);
        ObjectNode schema = response.get("content").get(mediaType).get("schema").deepCopy();
        if (!mediaType.equals("application/json")) {
            assertEquals("string", schema.get("type").asText(), what);
            return;
        }
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.set("$defs", document.at("/components/schemas"));
        String schemaText = JSON.writeValueAsString(schema).replace("#/components/schemas/", "#/$defs/");
        var errors = SCHEMAS.getSchema(schemaText, InputFormat.JSON).validate(reply.body(), InputFormat.JSON);
        assertTrue(errors.isEmpty(), what + ": " + errors + "\n" + reply.body());
    }
}
