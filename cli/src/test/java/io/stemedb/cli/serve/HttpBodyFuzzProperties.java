package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.fuzz.Fuzz;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * HTTP bodies and query strings from outside, against a real server over a real connection:
 * random bytes, and valid claims, batches and retractions damaged in one to three ways. Every
 * request is answered 201 or with a 4xx and the API's JSON error (never a 5xx, a dropped
 * connection or a hang), and the server keeps serving.
 */
@Tag(Fuzz.TAG)
class HttpBodyFuzzProperties {
    static Path dir;
    static PilotServer server;
    static TestHttp http;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    static final List<String> VALID = List.of(
            "{\"subject\": \"acme\", \"predicate\": \"ceo\", \"value\": \"Alice\", \"source\": \"hr\", \"confidence\": 0.9}",
            "[{\"subject\": \"a\", \"predicate\": \"n\", \"value\": 3, \"type\": \"real\", \"source\": \"crm\", "
                    + "\"validFrom\": \"2023-01-01\", \"metadata\": {\"url\": \"x\"}}, {\"subject\": \"b\", \"predicate\": \"p\", "
                    + "\"value\": \"00ff\", \"type\": \"bytes\", \"source\": \"s\"}]",
            "{\"retracts\": \"" + "0".repeat(64) + "\", \"source\": \"hr\"}");

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("stemedb-http-fuzz");
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")), new PrintStream(LOG, true, StandardCharsets.UTF_8));
        http = new TestHttp(server.url());
    }

    @AfterContainer
    static void stop() throws IOException {
        server.close();
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.oneOf(Fuzz.randomBytes(300),
                Fuzz.mutationsOf(VALID.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList()));
    }

    @Property
    void everyBodyIsStoredOrRefusedWithAJsonError(@ForAll("bodies") byte[] body, @ForAll boolean retraction) {
        String path = retraction ? "/v1/retractions" : "/v1/claims";
        TestHttp.Response r = Fuzz.typedOrValid(body, () -> http.send(HttpRequest.newBuilder(server.url().resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))));
        assertAnswered(r, body);
    }

    @Provide
    Arbitrary<String> queries() {
        return Arbitraries.oneOf(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80),
                Arbitraries.of("subject=", "predicate=", "lens=", "&", "=", "%", "%C0%AF", "%ED%A0%80", "%00", "%2", "+",
                        "latest", "trust(hr)", "((((", "acme", "ceo", "%C3%A9", "after=", "limit=0", "limit=99999")
                        .list().ofMaxSize(12).map(parts -> String.join("", parts)));
    }

    @Property
    void everyQueryIsAnsweredOrRefusedWithAJsonError(@ForAll("queries") String query,
            @ForAll("endpoints") String endpoint) {
        String encoded = query.replace(" ", "%20").replace("\"", "%22").replace("<", "%3C").replace(">", "%3E")
                .replace("\\", "%5C").replace("^", "%5E").replace("`", "%60").replace("{", "%7B").replace("|", "%7C")
                .replace("}", "%7D").replace("#", "%23").replace("[", "%5B").replace("]", "%5D");
        java.net.URI uri;
        try {
            uri = server.url().resolve(endpoint + "?" + encoded);
        } catch (IllegalArgumentException e) {
            return; // not a URI the client can send at all
        }
        TestHttp.Response r = Fuzz.typedOrValid(query, () -> http.send(HttpRequest.newBuilder(uri).GET()));
        assertAnswered(r, query);
    }

    @Provide
    Arbitrary<String> endpoints() {
        return Arbitraries.of("/v1/resolve", "/v1/history", "/v1/entity", "/v1/conflicts", "/v1/stats", "/v1/find",
                "/v1/subjects", "/v1/sources", "/v1/assertion");
    }

    private static void assertAnswered(TestHttp.Response r, Object input) {
        assertTrue(r.status() == 200 || r.status() == 201 || (r.status() >= 400 && r.status() < 500),
                "HTTP " + r.status() + " for " + input + ": " + r.body());
        if (r.status() >= 400) {
            assertEquals(r.status(), r.json().path("error").path("status").asInt(), r.body());
            assertTrue(r.body().length() < 2000, "a bounded message: " + r.body().length());
        }
        assertTrue(!LOG.toString(StandardCharsets.UTF_8).contains("internal error"), LOG.toString(StandardCharsets.UTF_8));
    }
}
