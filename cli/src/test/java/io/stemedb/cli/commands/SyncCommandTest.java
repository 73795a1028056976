package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.stemedb.StemeDB;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.SyncHttpHandler;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.model.Value;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sync against a peer served over HTTP in this JVM. */
class SyncCommandTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    StemeDB peer;
    HttpServer server;
    String url;
    Path secretFile;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        peer = StemeDB.inMemory();
        peer.assertion("globex", "ceo", Value.text("Carol")).source("peer-hr").commit();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ClusterAuth auth = ClusterAuth.withSecret(SECRET.getBytes(StandardCharsets.US_ASCII), Clock.systemUTC());
        server.createContext("/sync", new SyncHttpHandler(peer.syncResponder(), auth, SyncLimits.DEFAULT.maxFrameBytes() + 65536));
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
        secretFile = dir.resolve("secret");
        Files.writeString(secretFile, SECRET + "\n");
        cli = Dataset.load(new Cli(dir.resolve("data")), dir);
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
        peer.close();
    }

    @Test
    void oneSessionExchangesWhatEachSideLacks() {
        Cli.Run run = cli.run("sync", url + "/sync", "--cluster-secret-file", secretFile.toString()).ok();
        assertTrue(run.out().startsWith("synced with " + url + "/sync"), run.out());
        assertTrue(run.out().matches("(?s).*fetched +1 \\(1 new here\\).*"), run.out());
        assertTrue(run.out().matches("(?s).*pushed +13 \\(13 new at the peer\\).*"), run.out());
        assertEquals(14, peer.stats().assertions());
        assertEquals("globex ceo = \"Carol\"", cli.run("resolve", "globex", "ceo").ok().out().lines().findFirst().orElseThrow());

        // a URL without a path gets /sync; a second session finds nothing to do
        JsonNode again = cli.json("sync", url, "--cluster-secret-file", secretFile.toString());
        assertTrue(again.get("wasInSync").asBoolean(), again.toString());
        assertEquals(url + "/sync", again.get("peer").asText());
        assertEquals(0, again.get("fetched").asInt());
        assertEquals(0, again.get("refusedHere").size());
        assertTrue(cli.run("sync", url, "--cluster-secret-file", secretFile.toString()).ok().out()
                .startsWith("in sync with " + url + "/sync already"));
    }

    @Test
    void aWrongSecretOrAnUnreachablePeerFailsWithExitOne() throws Exception {
        String before = cli.stats();
        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "ffffffffffffffffffffffffffffffff");
        cli.run("sync", url, "--cluster-secret-file", wrong.toString()).failure("refused our credentials");
        Path shortSecret = dir.resolve("short");
        Files.writeString(shortSecret, "tooshort\n");
        cli.run("sync", url, "--cluster-secret-file", shortSecret.toString())
                .failure("the cluster secret in " + shortSecret + " is 8 bytes; it must be at least 16");
        cli.run("sync", url, "--cluster-secret-file", dir.resolve("none").toString())
                .failure("there is no cluster secret file " + dir.resolve("none"));
        server.stop(0);
        cli.run("sync", url, "--cluster-secret-file", secretFile.toString(), "--timeout", "2").failure("cannot reach the peer");
        assertEquals(before, cli.stats());
        assertEquals(1, peer.stats().assertions());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        cli.run("sync", "ftp://host/sync", "--cluster-secret-file", secretFile.toString())
                .usageError("must be an http:// or https:// URL with a host");
        cli.run("sync", "not a url", "--cluster-secret-file", secretFile.toString()).usageError("is not a URL");
        cli.run("sync", url).usageError("Missing required option: '--cluster-secret-file=FILE'");
        cli.run("sync", url, "--cluster-secret-file", secretFile.toString(), "--timeout", "0")
                .usageError("--timeout must be at least 1 second");
    }
}
