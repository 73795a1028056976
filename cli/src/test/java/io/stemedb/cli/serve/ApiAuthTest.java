package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.cli.CliException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API authentication, refusal by refusal, against a real server and a real HTTP client: writes
 * need a bearer token (or a client certificate, with mutual TLS) bound to the sources written
 * for, retractions need the right to retract, reads need a credential beyond loopback only, and a
 * server cannot listen beyond loopback without credentials. Every refusal stores nothing.
 */
class ApiAuthTest {
    static final String HR_ONLY = "hr-writer-0123456789abcdef";
    static final String ANY = "any-writer-0123456789abcdef";
    static final String CLAIM_HR = "{\"subject\": \"acme\", \"predicate\": \"ceo\", \"value\": \"Alice\", \"source\": \"hr\"}";
    static final String CLAIM_CRM = "{\"subject\": \"acme\", \"predicate\": \"ceo\", \"value\": \"Bob\", \"source\": \"crm\"}";

    @TempDir
    Path dir;

    private PilotServer server;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Path tokens(String... lines) throws IOException {
        return Files.writeString(dir.resolve("api.tokens"), String.join("\n", lines) + "\n");
    }

    private PilotServer start(String bind, Path tokensFile) {
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")).withListener(bind, tokensFile, null),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        return server;
    }

    private TestHttp.Response post(TestHttp http, String path, String json, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", token);
        }
        return http.send(b);
    }

    private TestHttp.Response get(TestHttp http, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b);
    }

    private static void assertRefused(TestHttp.Response r, int status, String says) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.errorMessage().contains(says), r.errorMessage());
        if (status == 401) {
            assertEquals("Bearer", r.raw().headers().firstValue("WWW-Authenticate").orElse(null));
        }
    }

    @Test
    void writesNeedATokenThatCoversTheirSourcesAndRetractionsTheRightToRetract() throws Exception {
        start("127.0.0.1", tokens("# who may write", "token " + HR_ONLY + " sources=hr retract=no",
                "token " + ANY + " sources=* retract=yes"));
        TestHttp http = new TestHttp(server.url());
        assertRefused(post(http, "/v1/claims", CLAIM_HR, null), 401, "writes need a credential");
        assertRefused(post(http, "/v1/claims", CLAIM_HR, "Bearer not-a-known-token-at-all"), 401, "not one this server knows");
        assertRefused(post(http, "/v1/claims", CLAIM_HR, "Basic aHI6aHI="), 401, "must be 'Bearer <token>'");
        assertRefused(post(http, "/v1/claims", CLAIM_CRM, "Bearer " + HR_ONLY), 403, "may not write for source \"crm\"");
        assertRefused(post(http, "/v1/claims", "[" + CLAIM_HR + ", " + CLAIM_CRM + "]", "Bearer " + HR_ONLY), 403,
                "claims[1].source");
        assertEquals(0, server.db().stats().assertions(), "nothing stored by a refused request");

        TestHttp.Response ok = post(http, "/v1/claims", CLAIM_HR, "Bearer " + HR_ONLY);
        assertEquals(201, ok.status(), ok.body());
        String id = ok.json().get("ids").get(0).asText();
        String retraction = "{\"retracts\": \"" + id + "\", \"source\": \"hr\"}";
        assertRefused(post(http, "/v1/retractions", retraction, null), 401, "writes need a credential");
        assertRefused(post(http, "/v1/retractions", retraction, "Bearer " + HR_ONLY), 403, "may not retract");
        assertEquals(1, server.db().stats().assertions());
        assertEquals(201, post(http, "/v1/retractions", retraction, "Bearer " + ANY).status());
        assertEquals(201, post(http, "/v1/claims", CLAIM_CRM, "Bearer " + ANY).status());
        // on loopback, reads stay open
        assertEquals(200, get(http, "/v1/history?subject=acme&predicate=ceo", null).status());
        assertTrue(!log.toString(StandardCharsets.UTF_8).contains(HR_ONLY), "a token never reaches the log");
    }

    @Test
    void beyondLoopbackReadsNeedACredentialTooButProbesDoNot() throws Exception {
        start("0.0.0.0", tokens("token " + HR_ONLY + " sources=hr retract=no"));
        TestHttp http = new TestHttp(URI.create("http://127.0.0.1:" + server.port()));
        assertRefused(get(http, "/v1/history?subject=acme&predicate=ceo", null), 401, "reads need a credential too");
        assertRefused(get(http, "/v1/stats", "wrong-token-0123456789"), 401, "not one this server knows");
        assertEquals(200, get(http, "/v1/history?subject=acme&predicate=ceo", HR_ONLY).status());
        for (String probe : List.of("/health", "/ready", "/metrics")) {
            assertEquals(200, get(http, probe, null).status(), probe);
        }
    }

    @Test
    void aServerBeyondLoopbackWithoutCredentialsDoesNotStart() throws Exception {
        CliException e = assertThrows(CliException.class, () -> start("0.0.0.0", null));
        assertTrue(e.getMessage().contains("needs --api-tokens-file"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("db")), "refused before the database was opened");
    }

    @Test
    void mistakesInTheTokensFileNameTheLine() throws Exception {
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[] {"token short sources=hr", "at least 16"});
        bad.add(new String[] {"token " + HR_ONLY + " retract=yes", "sources=... is missing"});
        bad.add(new String[] {"token " + HR_ONLY + " sources=hr\ntoken " + HR_ONLY + " sources=crm", "listed twice"});
        bad.add(new String[] {"token " + HR_ONLY + " sources=hr admin=yes", "unknown field 'admin=yes'"});
        bad.add(new String[] {"password " + HR_ONLY, "expected 'token SECRET"});
        bad.add(new String[] {"# nothing", "lists no credentials"});
        for (String[] b : bad) {
            Path file = tokens(b[0]);
            CliException e = assertThrows(CliException.class, () -> start("127.0.0.1", file), b[0]);
            assertTrue(e.getMessage().contains(b[1]), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- mutual TLS

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), "keytool " + args[0] + ": " + out);
    }

    /** A key pair with a self-signed certificate for {@code cn}, in {@code name}.p12, and the certificate in {@code name}.crt. */
    private void keyPair(String name, String cn, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + cn, "-validity", "2", "-keystore", name + ".p12", "-storetype", "PKCS12",
                "-storepass", "changeit"));
        args.addAll(List.of(extra));
        keytool(dir, args.toArray(String[]::new));
        keytool(dir, "-exportcert", "-alias", name, "-keystore", name + ".p12", "-storepass", "changeit", "-file", name + ".crt");
    }

    private void trust(String store, String... names) throws Exception {
        for (String name : names) {
            keytool(dir, "-importcert", "-noprompt", "-alias", name, "-file", name + ".crt", "-keystore", store,
                    "-storetype", "PKCS12", "-storepass", "changeit");
        }
    }

    private HttpClient client(String keyStore) throws Exception {
        char[] password = "changeit".toCharArray();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("client-trust.p12"))) {
            trust.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (keyStore != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(keyStore))) {
                keys.load(in, password);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
        }
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private HttpResponse<String> postTls(HttpClient client, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v1/claims"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withMutualTlsAClientCertificateIsACredentialBoundToItsSources() throws Exception {
        keyPair("server", "localhost", "-ext", "SAN=ip:127.0.0.1");
        keyPair("ingest", "ingest-1");
        keyPair("stranger", "stranger");
        trust("client-ca.p12", "ingest", "stranger");
        trust("client-trust.p12", "server");
        Path password = Files.writeString(dir.resolve("tls.password"), "changeit\n");
        Path tokensFile = tokens("cert CN=ingest-1 sources=hr retract=no");
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")).withListener("127.0.0.1", tokensFile,
                new ServerConfig.Tls(dir.resolve("server.p12"), password, dir.resolve("client-ca.p12"))),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(server.url().toString().startsWith("https://"), server.url().toString());

        HttpClient ingest = client("ingest.p12");
        HttpResponse<String> ok = postTls(ingest, CLAIM_HR);
        assertEquals(201, ok.statusCode(), ok.body());
        HttpResponse<String> crm = postTls(ingest, CLAIM_CRM);
        assertEquals(403, crm.statusCode(), crm.body());
        assertTrue(crm.body().contains("certificate CN=ingest-1"), crm.body());
        // a certificate the trust store accepts, but which the tokens file does not list: no credential
        HttpResponse<String> stranger = postTls(client("stranger.p12"), CLAIM_HR);
        assertEquals(401, stranger.statusCode(), stranger.body());
        // no certificate at all: the TLS handshake itself fails
        assertThrows(IOException.class, () -> postTls(client(null), CLAIM_HR));
        assertEquals(1, server.db().stats().assertions());
    }
}
