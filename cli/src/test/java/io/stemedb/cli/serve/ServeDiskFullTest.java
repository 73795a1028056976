package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.model.AssertionId;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk-full runbook (docs/operations.md), end to end: on a small tmpfs, writes fail with 507
 * once the disk is full, the node says it is not ready (while it still reads), and after space is
 * freed and the server restarted, every acknowledged write is there and writes work again. Needs
 * root to mount a tmpfs; skipped where that is not permitted.
 */
class ServeDiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskGets507AndNotReadyAndARestartAfterFreeingSpaceRecoversEverything() throws Exception {
        Path mount = Files.createDirectory(tmp.resolve("small"));
        Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String mountOutput = new String(mounting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(mounting.waitFor() == 0, "mounting a tmpfs is not permitted here: " + mountOutput);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        Path data = mount.resolve("db");
        Path filler = mount.resolve("filler");
        List<String> acknowledged = new ArrayList<>();
        PilotServer server = PilotServer.start(ServerConfig.defaults(data), logStream);
        try {
            TestHttp http = new TestHttp(server.url());
            long usable = Files.getFileStore(mount).getUsableSpace();
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] chunk = new byte[1 << 16];
                for (long left = usable - (3L << 20); left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            Random random = new Random(7);
            TestHttp.Response refused = null;
            for (int batch = 0; batch < 10_000 && refused == null; batch++) {
                StringBuilder body = new StringBuilder("[");
                for (int i = 0; i < 50; i++) {
                    byte[] noise = new byte[400];
                    random.nextBytes(noise);
                    body.append(i == 0 ? "" : ",").append("{\"subject\":\"s").append(batch).append('-').append(i)
                            .append("\",\"predicate\":\"p\",\"source\":\"fill\",\"value\":\"").append(HexFormat.of().formatHex(noise))
                            .append("\"}");
                }
                TestHttp.Response r = http.post("/v1/claims", body.append(']').toString());
                if (r.status() == 201) {
                    r.json().get("ids").forEach(id -> acknowledged.add(id.asText()));
                } else {
                    refused = r;
                }
            }
            if (refused == null) {
                fail("the disk never filled");
            }
            assertEquals(507, refused.status(), refused.body());
            assertEquals("disk_full", refused.errorCode());
            assertTrue(acknowledged.size() > 0, "some writes succeeded before the disk filled");

            TestHttp.Response ready = http.get("/ready");
            assertEquals(503, ready.status(), ready.body());
            assertTrue(ready.json().get("reason").asText().startsWith("the disk is full"), ready.body());
            assertEquals(200, http.get("/health").status(), "alive: it still serves reads");
            JsonNode read = http.get("/v1/resolve?subject=s0-0&predicate=p").json();
            assertEquals(acknowledged.get(0), read.get("winners").get(0).get("id").asText(), "reads still work");
            assertTrue(http.metric("stemedb_write_errors_total") >= 1);
            assertTrue(http.metric("stemedb_http_requests_seconds_count{method=\"POST\",route=\"/v1/claims\",status=\"507\"}") >= 1);
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("DISK FULL"), log.toString(StandardCharsets.UTF_8));

            // The runbook: free space, restart.
            Files.delete(filler);
            server.close();
            server = PilotServer.start(ServerConfig.defaults(data), logStream);
            http = new TestHttp(server.url());
            assertEquals(200, http.get("/ready").status());
            for (String id : acknowledged) {
                assertTrue(server.db().get(AssertionId.parse(id)).isPresent(), "acknowledged " + id + " survives the full disk");
            }
            assertEquals(201, http.post("/v1/claims", "{\"subject\":\"after\",\"predicate\":\"p\",\"value\":1,\"source\":\"s\"}").status(),
                    "writes work again after space is freed and the server restarted");
        } finally {
            server.close();
            Files.deleteIfExists(filler);
            Process umount = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
            String out = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (umount.waitFor() != 0) {
                new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
                fail("umount " + mount + " failed: " + out);
            }
        }
    }
}
