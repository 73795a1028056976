package io.stemedb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncBenchTest {
    @TempDir
    Path tmp;

    @Test
    void aSmallRunReportsEverySessionAndTheReplicasConverge() throws Exception {
        Path json = tmp.resolve("sync.json");
        Path md = tmp.resolve("sync.md");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SyncBench.run(new String[] {"--n", "300", "--d", "0,1000", "--dir", tmp.resolve("data").toString(),
            "--out", json.toString(), "--md", md.toString()}, new PrintStream(log, true, StandardCharsets.UTF_8));
        JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
        // d = 0 once, d = 1,000 split and one-sided, then d = 1,000 over HTTP.
        assertEquals(4, rows.size(), rows.toString());
        JsonNode equal = rows.get(0);
        assertEquals(0, equal.get("assertionBytes").asLong());
        assertEquals(1, equal.get("roundTrips").asInt());
        for (int i = 1; i < 4; i++) {
            JsonNode r = rows.get(i);
            assertEquals(1000, r.get("d").asLong());
            assertTrue(r.get("assertionBytes").asLong() > 1000 * 40, r.toString());
            assertTrue(r.get("wireBytes").asLong() > r.get("assertionBytes").asLong(), r.toString());
            assertEquals(r.get("wireBytes").asLong(), r.get("bytesSent").asLong() + r.get("bytesReceived").asLong());
            assertEquals(r.get("split").asText().equals("split") ? 500 : 0, r.get("pushed").asInt(), r.toString());
            assertEquals(r.get("split").asText().equals("split") ? 500 : 1000, r.get("fetched").asInt(), r.toString());
        }
        assertEquals("http", rows.get(3).get("transport").asText());
        assertTrue(Files.readString(md).startsWith("| n | shared | d |"));
    }
}
