package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemedb.cli.serve.PilotServer;
import io.stemedb.cli.serve.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's {@code --json} and the HTTP API print the same document for the same
 * question: one database, read by {@code stemedb ...} (read-only, beside the server) and by the
 * server over real HTTP, the parsed documents compared whole.
 */
class CliHttpParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Cli cli;
    private PilotServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() {
        cli = Dataset.load(new Cli(dir.resolve("db")), dir);
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonNode http(String path, String... params) throws IOException, InterruptedException {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i + 1 < params.length; i += 2) {
            query.append(query.length() == 0 ? "?" : "&").append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url() + path + query)).GET()
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void resolveAsJsonAndGetV1ResolvePrintTheSameDocument() throws Exception {
        JsonNode cliDoc = cli.json("resolve", "acme", "ceo", "--lens", "trust(hr, crm).orElse(latest)");
        JsonNode httpDoc = http("/v1/resolve", "subject", "acme", "predicate", "ceo", "lens", "trust(hr, crm).orElse(latest)");
        assertEquals(cliDoc, httpDoc);
        assertFalse(cliDoc.get("winners").isEmpty(), "a resolution with evidence: " + cliDoc);

        // a retracted fact, the default lens, and a read as of a time
        assertEquals(cli.json("resolve", "initech", "ceo"), http("/v1/resolve", "subject", "initech", "predicate", "ceo"));
        assertEquals(cli.json("resolve", "acme", "ceo", "--as-of", "2023-02-01", "--lens", "all"),
                http("/v1/resolve", "subject", "acme", "predicate", "ceo", "asOf", "2023-02-01", "lens", "all"));
    }

    @Test
    void everyReadOperationOfTheCommandLineAnswersTheSameOverHttp() throws Exception {
        assertEquals(cli.json("entity", "acme", "--lens", "trust(hr)"), http("/v1/entity", "subject", "acme", "lens", "trust(hr)"));
        assertEquals(cli.json("entity", "acme", "--as-of", "2023-02-01"), http("/v1/entity", "subject", "acme", "asOf", "2023-02-01"));
        assertEquals(cli.json("history", "initech", "ceo"), http("/v1/history", "subject", "initech", "predicate", "ceo"));
        assertEquals(cli.json("history", "acme", "ceo", "--as-of", "2023-02-20"),
                http("/v1/history", "subject", "acme", "predicate", "ceo", "asOf", "2023-02-20"));
        assertEquals(cli.json("find", "employees", "1500", "--type", "integer", "--lens", "trust(crm)"),
                http("/v1/find", "predicate", "employees", "value", "1500", "type", "integer", "lens", "trust(crm)"));
        assertEquals(cli.json("find", "logo", "0x0A0b", "--type", "bytes"), http("/v1/find", "predicate", "logo", "value", "0x0A0b",
                "type", "bytes"));
        assertEquals(cli.json("conflicts", "--limit", "1"), http("/v1/conflicts", "limit", "1"));
        assertEquals(cli.json("conflicts", "acme"), http("/v1/conflicts", "subject", "acme"));
        assertEquals(cli.json("subjects", "--limit", "2"), http("/v1/subjects", "limit", "2"));
        assertEquals(cli.json("subjects", "--limit", "2", "--after", "globex"), http("/v1/subjects", "limit", "2", "after", "globex"));
        assertEquals(cli.json("sources"), http("/v1/sources"));
        String id = Dataset.INITECH_CEO.id().toString();
        assertEquals(cli.json("get", id), http("/v1/assertion", "id", id));
    }
}
