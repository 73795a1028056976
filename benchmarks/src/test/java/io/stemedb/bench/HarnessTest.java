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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the scale harness small, so that it cannot rot: every system and every metric, positive. */
class HarnessTest {
    private static final List<String> OPS = List.of("resolve", "history", "resolveCompacted", "historyCompacted");

    @Test
    void scaleHarnessReportsEveryMetricOfEverySystem(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("out").resolve("results.json");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Harness.run(new String[] {"--n", "20000", "--sync", "periodic", "--dir", tmp.resolve("data").toString(),
                "--out", json.toString(), "--read-ops", "2000", "--warmup-ops", "500"},
                new PrintStream(console, true, StandardCharsets.UTF_8));

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertTrue(Files.exists(tmp.resolve("out").resolve("results.txt")), "the text table is written beside the JSON");
        assertTrue(root.path("machine").path("availableProcessors").asInt() > 0);
        assertTrue(root.path("storeShape").path("entriesPerAssertion").asDouble() >= 1);
        assertTrue(root.path("cpuPath").path("inMemoryIngestAssertionsPerSec").asDouble() > 0);
        JsonNode runs = root.path("runs");
        assertEquals(1, runs.size());
        JsonNode run = runs.get(0);
        assertEquals(20000, run.path("n").asLong());
        for (String system : Harness.ALL_SYSTEMS) {
            JsonNode s = run.path("systems").path(system);
            assertTrue(s.isObject(), "system " + system + " is reported");
            positive(s, system, "ingest", "assertionsPerSec");
            positive(s, system, "ingest", "seconds");
            assertEquals(20, s.path("ingest").path("samples").size(), system + ": a throughput sample every 5%");
            positive(s, system, "reopen", "toFirstReadMs");
            positive(s, system, "reopenAfterCompaction", "toFirstReadMs");
            positive(s, system, "disk", "bytesPerAssertionAfterReopen");
            positive(s, system, "disk", "bytesPerAssertionAfterCompaction");
            for (String op : OPS) {
                positive(s, system, op, "opsPerSec");
                positive(s, system, op, "p50Us");
                positive(s, system, op, "p99Us");
                positive(s, system, op, "entriesPerOp");
                assertEquals(0, s.path(op).path("emptyOps").asLong(), system + " " + op + ": every read finds its key");
            }
        }
        // Each (subject, predicate) has 2 claims: StemeDB and the same-keys baseline read both.
        assertEquals(2.0, run.path("systems").path("stemedb").path("resolve").path("entriesPerOp").asDouble(), 1e-9);
        assertEquals(2.0, run.path("systems").path("raw-same-keys").path("resolve").path("entriesPerOp").asDouble(), 1e-9);
        assertTrue(run.path("goals").path("ingestVsRawSameKeys").path("value").asDouble() > 0);
        assertTrue(run.path("goals").path("resolveVsRawPrefixSeek").path("value").asDouble() > 0);
    }

    private static void positive(JsonNode system, String name, String section, String metric) {
        JsonNode v = system.path(section).path(metric);
        assertTrue(v.isNumber() && v.asDouble() > 0, name + " " + section + "." + metric + " is positive, got " + v);
    }
}
