package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input to the API, over a real connection: text that is not strict UTF-8 (overlong
 * forms, encoded surrogates, stray bytes) in bodies and query strings, numbers beyond a double,
 * huge fields and broken JSON. Each is refused with a 400 that says what is wrong in a bounded
 * message without the parser's internals, and nothing is stored.
 */
class ApiInputTest {
    @TempDir
    Path dir;

    private PilotServer server;
    private TestHttp http;

    @BeforeEach
    void start() {
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        http = new TestHttp(server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestHttp.Response postBytes(byte[] body) {
        return http.send(HttpRequest.newBuilder(server.url().resolve("/v1/claims")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static byte[] claimWithSubject(byte[] subject) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("{\"subject\": \"a".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(subject);
        out.writeBytes("b\", \"predicate\": \"p\", \"value\": \"v\", \"source\": \"s\"}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private void assertRefused(TestHttp.Response r, String code, String says) {
        assertEquals(400, r.status(), r.body());
        assertEquals(code, r.errorCode(), r.body());
        assertTrue(r.errorMessage().contains(says), r.errorMessage());
        assertTrue(r.body().length() < 1000, "a bounded message: " + r.body().length() + " characters");
        assertFalse(r.body().contains("Source:") || r.body().contains("REDACTED") || r.body().contains("jackson"),
                "no parser internals: " + r.body());
        assertEquals(0, server.db().stats().assertions(), "nothing stored");
    }

    @Test
    void bodiesThatAreNotStrictUtf8AreRefused() {
        byte[][] bad = {
            {(byte) 0xc0, (byte) 0xaf}, // an overlong '/'
            {(byte) 0xc0, (byte) 0x80}, // an overlong NUL
            {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // a three-byte overlong '/'
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate
            {(byte) 0xff}, {(byte) 0xc3}, // a stray byte, a cut sequence
        };
        for (byte[] b : bad) {
            assertRefused(postBytes(claimWithSubject(b)), "invalid_utf8", "not valid UTF-8");
        }
        // and what is valid is stored as sent
        TestHttp.Response ok = postBytes(claimWithSubject("\u00e9\ud83d\ude00".getBytes(StandardCharsets.UTF_8)));
        assertEquals(201, ok.status(), ok.body());
        assertEquals(1, server.db().history("a\u00e9\ud83d\ude00b", "p").claims().size());
    }

    @Test
    void queryStringsThatAreNotStrictUtf8AreRefused() {
        for (String q : new String[] {"%C0%AF", "%C0%80", "%ED%A0%80", "%FF", "%C3"}) {
            TestHttp.Response r = http.get("/v1/history?subject=" + q + "&predicate=p");
            assertEquals(400, r.status(), q + ": " + r.body());
            assertTrue(r.errorCode().equals("invalid_utf8") || r.errorCode().equals("invalid_query"), r.body());
        }
        assertEquals(200, http.get("/v1/history?subject=caf%C3%A9&predicate=p").status());
    }

    @Test
    void numbersBeyondADoubleAreRefused() {
        assertRefused(http.post("/v1/claims", "{\"subject\": \"s\", \"predicate\": \"p\", \"value\": 1e400, \"source\": \"x\"}"),
                "invalid_field", "outside the range of a double");
        assertRefused(http.post("/v1/claims", "{\"subject\": \"s\", \"predicate\": \"p\", \"value\": -1e400, \"type\": \"real\", "
                + "\"source\": \"x\"}"), "invalid_field", "outside the range of a double");
        assertRefused(http.post("/v1/claims", "{\"subject\": \"s\", \"predicate\": \"p\", \"value\": 1, \"confidence\": 1e400, "
                + "\"source\": \"x\"}"), "invalid_field", "outside the range of a double");
    }

    @Test
    void hugeFieldsAndBrokenJsonGetBoundedMessagesWithoutParserInternals() {
        String huge = "x".repeat(900_000);
        // Jackson stops reading the name at the limit (2.23 reports how far it got, no longer the whole length).
        assertRefused(http.post("/v1/claims", "{\"" + huge + "\": 1}"), "invalid_json", "exceeds the maximum allowed (50000");
        assertRefused(http.post("/v1/claims", "{\"" + huge.substring(0, 40_000) + "\": 1}"), "unknown_field", "40000 characters");
        assertRefused(http.post("/v1/claims", "{\"subject\": {\"nested\": \"" + huge + "\"}, \"predicate\": \"p\", "
                + "\"value\": \"v\", \"source\": \"s\"}"), "invalid_field", "must be a string");
        assertRefused(http.post("/v1/claims", "{\"subject\": \"s\", \"predicate\": "), "invalid_json", "not valid JSON");
        assertRefused(http.post("/v1/claims", "[{\"subject\": \"s\""), "invalid_json", "not valid JSON");
        assertRefused(http.post("/v1/claims", "{\"subject\": tru"), "invalid_json", "not valid JSON");
        TestHttp.Response lens = http.get("/v1/resolve?subject=s&predicate=p&lens=" + "(".repeat(3000) + "latest" + ")".repeat(3000));
        assertEquals(400, lens.status(), lens.body());
        assertTrue(lens.errorMessage().contains("nested") && lens.body().length() < 1000, lens.body());
        // a request line over Jetty's bound: refused by the server itself, with a JSON error too
        TestHttp.Response long414 = http.get("/v1/resolve?subject=" + "s".repeat(20_000) + "&predicate=p");
        assertEquals(414, long414.status());
        assertEquals(414, long414.json().path("error").path("status").asInt(), long414.body());
        assertEquals(200, http.get("/health").status(), "the server serves on");
        assertTrue(URI.create(server.url() + "/health").isAbsolute());
    }
}
