package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two pilot servers replicating over HTTP with a cluster secret, on loopback. */
class ServeReplicationTest {
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private PilotServer a;
    private PilotServer b;
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private Path secret(String name, String text) throws Exception {
        Path file = Files.writeString(dir.resolve(name), text + "\n");
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
        return file;
    }

    private static String claim(String subject, String value) {
        return "{\"subject\":\"" + subject + "\",\"predicate\":\"ceo\",\"value\":\"" + value + "\",\"source\":\"hr\"}";
    }

    private static boolean resolvesTo(TestHttp http, String subject, String value) {
        TestHttp.Response r = http.get("/v1/resolve?subject=" + subject + "&predicate=ceo");
        return r.status() == 200 && value.equals(r.json().path("value").asText(null));
    }

    @Test
    void peersConvergeBothWaysAndReportLagAndReadiness() throws Exception {
        Path secret = secret("cluster.secret", "0123456789abcdef0123456789abcdef");
        // b only answers sync; a replicates with b (every session is two-way).
        b = PilotServer.start(ServerConfig.defaults(dir.resolve("b")).withPeers(List.of(), secret, Duration.ofMillis(200)), log);
        a = PilotServer.start(ServerConfig.defaults(dir.resolve("a"))
                .withPeers(List.of(b.url()), secret, Duration.ofMillis(200)), log);
        TestHttp httpA = new TestHttp(a.url());
        TestHttp httpB = new TestHttp(b.url());

        TestHttp.Response ready = httpA.get("/ready");
        assertEquals(200, ready.status(), ready.body());
        assertTrue(a.replication().isPresent());

        assertEquals(201, httpA.post("/v1/claims", claim("acme", "Alice")).status());
        TestHttp.await("a's write readable on b", CONVERGE, () -> resolvesTo(httpB, "acme", "Alice"));
        assertEquals(201, httpB.post("/v1/claims", claim("globex", "Hank")).status());
        TestHttp.await("b's write readable on a", CONVERGE, () -> resolvesTo(httpA, "globex", "Hank"));

        TestHttp.await("equal counts", CONVERGE, () -> httpA.get("/v1/stats").json().get("assertions").asLong() == 2
                && httpB.get("/v1/stats").json().get("assertions").asLong() == 2);

        String peer = b.url() + "/sync";
        TestHttp.await("lag back to 0 once b has everything", CONVERGE,
                () -> httpA.metric("stemedb_sync_lag_seconds{peer=\"" + peer + "\"}") == 0.0);
        String metrics = httpA.get("/metrics").body();
        assertTrue(TestHttp.sample(metrics, "stemedb_sync_sessions_total{peer=\"" + peer + "\"}") >= 1, metrics);
        assertEquals(0, TestHttp.sample(metrics, "stemedb_sync_consecutive_failures{peer=\"" + peer + "\"}"));
        assertTrue(TestHttp.sample(metrics, "stemedb_sync_pushed_total{peer=\"" + peer + "\"}") >= 1, "a pushed its claim");
        assertTrue(TestHttp.sample(metrics, "stemedb_sync_fetched_total{peer=\"" + peer + "\"}") >= 1, "a fetched b's claim");
        assertTrue(TestHttp.sample(metrics, "stemedb_merged_total") >= 1, "b's claim was merged into a");
        assertTrue(TestHttp.sample(metrics, "stemedb_sync_last_success_seconds{peer=\"" + peer + "\"}") > 0);

        JsonNode stats = httpA.get("/v1/stats").json().get("replication");
        assertEquals(peer, stats.get("peers").get(0).get("peer").asText());
        assertTrue(stats.get("running").asBoolean());
        assertTrue(stats.get("digest").asText().matches("[0-9a-f]{32}"), stats.toString());
        assertTrue(httpB.get("/v1/stats").json().path("replication").isMissingNode(), "b has no peers: no replication");
    }

    @Test
    void theSyncEndpointRefusesRequestsWithoutTheSecret() throws Exception {
        Path secret = secret("cluster.secret", "0123456789abcdef0123456789abcdef");
        b = PilotServer.start(ServerConfig.defaults(dir.resolve("b")).withPeers(List.of(), secret, Duration.ofSeconds(1)), log);
        TestHttp http = new TestHttp(b.url());
        TestHttp.Response unsigned = http.send(HttpRequest.newBuilder(b.url().resolve("/sync"))
                .header("Content-Type", "application/x-stemedb-sync").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})));
        assertEquals(401, unsigned.status(), unsigned.body());
        assertEquals(405, http.get("/sync").status());

        // A replica with another secret cannot sync either: its sessions fail, and it says so.
        Path wrong = secret("wrong.secret", "fedcba9876543210fedcba9876543210");
        a = PilotServer.start(ServerConfig.defaults(dir.resolve("a"))
                .withPeers(List.of(b.url()), wrong, Duration.ofMillis(200)), log);
        TestHttp httpA = new TestHttp(a.url());
        assertEquals(201, httpA.post("/v1/claims", claim("acme", "Alice")).status());
        String peer = b.url() + "/sync";
        TestHttp.await("failed sessions counted", CONVERGE,
                () -> httpA.metric("stemedb_sync_failures_total{peer=\"" + peer + "\"}") >= 1);
        assertTrue(httpA.metric("stemedb_sync_consecutive_failures{peer=\"" + peer + "\"}") >= 1);
        JsonNode p = httpA.get("/v1/stats").json().get("replication").get("peers").get(0);
        assertTrue(p.get("lastError").asText().contains("credentials"), p.toString());
        assertEquals(0, http.get("/v1/stats").json().get("assertions").asLong(), "nothing reached b");
        assertFalse(resolvesTo(http, "acme", "Alice"));
    }

    @Test
    void aPeerThatIsDownDoesNotStopWritesAndCatchesUpWhenBack() throws Exception {
        Path secret = secret("cluster.secret", "0123456789abcdef0123456789abcdef");
        // Reserve b's port by starting it, note it, stop it: a will start with b down.
        b = PilotServer.start(ServerConfig.defaults(dir.resolve("b")).withPeers(List.of(), secret, Duration.ofMillis(200)), log);
        URI bUrl = b.url();
        int bPort = b.port();
        b.close();
        b = null;
        a = PilotServer.start(ServerConfig.defaults(dir.resolve("a"))
                .withPeers(List.of(bUrl), secret, Duration.ofMillis(200)), log);
        TestHttp httpA = new TestHttp(a.url());
        for (int i = 0; i < 5; i++) {
            assertEquals(201, httpA.post("/v1/claims", claim("s" + i, "v" + i)).status());
        }
        String peer = bUrl + "/sync";
        TestHttp.await("sessions with the down peer fail", CONVERGE,
                () -> httpA.metric("stemedb_sync_consecutive_failures{peer=\"" + peer + "\"}") >= 1);
        assertTrue(httpA.metric("stemedb_sync_lag_seconds{peer=\"" + peer + "\"}") > 0, "writes are waiting for b");
        assertEquals(200, httpA.get("/ready").status(), "a peer being down does not make this node unready");

        b = PilotServer.start(ServerConfig.defaults(dir.resolve("b")).withPort(bPort)
                .withPeers(List.of(), secret, Duration.ofMillis(200)), log);
        TestHttp httpB = new TestHttp(b.url());
        TestHttp.await("b catches up", Duration.ofSeconds(90),
                () -> httpB.get("/v1/stats").json().get("assertions").asLong() == 5);
        TestHttp.await("a sees b back", Duration.ofSeconds(90),
                () -> httpA.metric("stemedb_sync_lag_seconds{peer=\"" + peer + "\"}") == 0.0);
    }
}
