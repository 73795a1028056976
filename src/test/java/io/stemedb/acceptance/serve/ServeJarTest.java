package io.stemedb.acceptance.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemedb.StemeDB;
import io.stemedb.acceptance.ChildJava;
import io.stemedb.lens.Lenses;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code stemedb} jar, started as a separate process with {@code serve}: it prints its
 * URL, takes a write and a read over HTTP, stops gracefully on SIGTERM, and leaves the data for the
 * next process to open.
 */
class ServeJarTest {
    private static final Pattern START_LINE = Pattern.compile("^stemedb serve: listening on (http://127\\.0\\.0\\.1:\\d+) ");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** cli/target/stemedb.jar, built by the cli module before this one; fails with how to build it. */
    static Path jar() {
        Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path jar = moduleDir.resolve("../../cli/target/stemedb.jar").normalize();
        if (!Files.isRegularFile(jar)) {
            fail("the stemedb jar is missing at " + jar + "; build it first: mvn -B package -DskipTests -f cli/pom.xml "
                    + "(mvn verify at the root builds it before this module)");
        }
        return jar;
    }

    @Test
    void theJarServesWritesAndReadsThenStopsGracefullyOnSigterm() throws Exception {
        Path data = dir.resolve("data");
        Path stderr = dir.resolve("stderr.txt");
        List<String> command = ChildJava.command(dir, "-Xmx256m", "-jar", jar().toString());
        command.addAll(List.of("serve", "--data-dir", data.toString(), "--port", "0"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(stderr.toFile());
        process = pb.start();

        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "serve-stdout");
        reader.setDaemon(true);
        reader.start();

        URI url = awaitStartLine(lines, stderr);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        HttpResponse<String> health = client.send(HttpRequest.newBuilder(url.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        HttpResponse<String> ready = client.send(HttpRequest.newBuilder(url.resolve("/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());

        HttpResponse<String> created = client.send(HttpRequest.newBuilder(url.resolve("/v1/claims"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[{\"subject\":\"acme\",\"predicate\":\"ceo\",\"value\":\"Alice\",\"source\":\"hr\"},"
                        + "{\"subject\":\"acme\",\"predicate\":\"ceo\",\"value\":\"Bob\",\"source\":\"crm\",\"confidence\":0.4}]"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        JsonNode ids = JSON.readTree(created.body()).get("ids");
        assertEquals(2, ids.size());

        HttpResponse<String> resolved = client.send(HttpRequest.newBuilder(
                url.resolve("/v1/resolve?subject=acme&predicate=ceo&lens=trust(hr)")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, resolved.statusCode(), resolved.body());
        assertEquals("Alice", JSON.readTree(resolved.body()).get("value").asText());

        // the jar carries the API's contract, docs/openapi.json, and serves it as it is
        HttpResponse<byte[]> openapi = client.send(HttpRequest.newBuilder(url.resolve("/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, openapi.statusCode());
        Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        assertArrayEquals(Files.readAllBytes(moduleDir.resolve("../../docs/openapi.json").normalize()), openapi.body());

        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(url.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().lines().anyMatch(l -> l.equals("stemedb_writes_total 2.0")), metrics.body());

        // SIGTERM: the shutdown hook stops the server, then closes the database.
        process.destroy();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server did not exit within 60 s of SIGTERM");
        assertFalse(process.isAlive());
        assertEquals(143, process.exitValue(), "the exit status of a process ended by SIGTERM");
        String err = Files.readString(stderr);
        assertTrue(err.contains("stemedb serve: stopped; the database is closed"), "graceful stop not reported:\n" + err);

        // The next process opens the database (the lock is free) and finds both claims.
        try (StemeDB db = StemeDB.open(data)) {
            assertEquals(2, db.stats().assertions());
            assertEquals(Value.text("Alice"), db.resolve("acme", "ceo", Lenses.trust("hr")).value().orElseThrow());
            assertTrue(db.get(AssertionId.parse(ids.get(1).asText())).isPresent());
        }
    }

    @Test
    void theJarRefusesToServeADatabaseThatIsInUse() throws Exception {
        Path data = dir.resolve("data");
        try (StemeDB held = StemeDB.open(data)) {
            assertNotNull(held);
            List<String> command = ChildJava.command(dir, "-Xmx128m", "-jar", jar().toString());
            command.addAll(List.of("serve", "--data-dir", data.toString(), "--port", "0"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            process = p;
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), output);
            assertTrue(output.contains("stemedb serve: cannot open the database in "), output);
        }
    }

    private URI awaitStartLine(BlockingQueue<String> lines, Path stderr) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() - deadline < 0) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                Matcher m = START_LINE.matcher(line);
                if (m.find()) {
                    return URI.create(m.group(1));
                }
            } else if (!process.isAlive()) {
                fail("the server exited with " + process.exitValue() + " before printing its start line; stdout "
                        + seen + ", stderr:\n" + Files.readString(stderr));
            }
        }
        fail("no start line within " + START_TIMEOUT + "; stdout " + seen + ", stderr:\n" + Files.readString(stderr));
        return null;
    }
}
