package io.stemedb.bench.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code compare --quick} end to end, so that the harness cannot rot: every system either
 * produced every figure of every workload (or names why a workload does not apply to it) or is
 * named as unavailable with a reason; the systems that answer with values agree with StemeDB; the
 * JSON parses; the report has its tables and keeps the hand-written part below the marker; the
 * charts are PNG files. Writes into target/compare-quick (the peer jars come from the reactor build).
 */
class CompareTest {
    private static final Path OUT = Path.of("target", "compare-quick");
    private static final List<String> WORKLOAD_FIGURES = List.of("W1.claimsPerSec", "W1cold.claimsPerSec", "W2.opsPerSec", "W2.p50Us", "W2.p99Us",
            "W2z.opsPerSec", "W2z.p99Us", "W3.opsPerSec", "W3.p99Us", "W4.trust.opsPerSec", "W4.majority.opsPerSec", "W4.majority.p99Us",
            "W2cold.opsPerSec", "W2cold.p99Us", "W2mt.opsPerSec", "W2mt.p99Us", "W5.claimsPerSec", "W5.W2.opsPerSec", "W5.W2.p50Us");
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void quickRunReportsEverySystemAndKeepsTheHandWrittenSections(@TempDir Path tmp) throws Exception {
        io.stemedb.bench.Directories.deleteTree(OUT);
        Path report = OUT.resolve("benchmarks.md");
        Files.createDirectories(OUT);
        String handWritten = CompareReport.MARKER + "\n\n## JMH (hand-written)\n\nkept | verbatim\n";
        Files.writeString(report, "# an old generated part, to be replaced\n\n" + handWritten);

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Compare.run(new String[] {"--quick", "--timed-seconds", "0.05", "--dir", tmp.resolve("data").toString(), "--results", OUT.resolve("results").toString(),
                "--report", report.toString(), "--charts", OUT.resolve("charts").toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8));

        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(OUT.resolve("results"))) {
            List<Path> runs = files.filter(p -> p.toString().endsWith(".json")).toList();
            assertTrue(runs.size() > Compare.ALL_SYSTEMS.size() / 2, "per-run JSON files: " + runs);
            for (Path p : runs) {
                JsonNode run = json.readTree(p.toFile());
                assertTrue(run.isObject(), p + " parses");
                if (run.path("system").asText().equals("stemedb-memory") && run.path("workloads").has("W2")) {
                    assertTrue(run.path("workloads").path("W2").path("ops").asLong() > 200,
                            "reads go on past --ops until --timed-seconds passed: " + run.path("workloads").path("W2"));
                }
            }
        }
        JsonNode summary = json.readTree(OUT.resolve("results").resolve("summary.json").toFile());
        assertTrue(summary.path("machine").path("availableProcessors").asInt() > 0);
        String text = Files.readString(report);
        JsonNode stemedb = summary.path("systems").path("stemedb");
        assertEquals(0, stemedb.path("failures").size(), "StemeDB itself must run: " + stemedb.path("failures"));
        for (String system : Compare.ALL_SYSTEMS) {
            JsonNode s = summary.path("systems").path(system);
            assertTrue(s.isObject(), system + " is in the summary");
            if (s.path("failures").size() > 0) {
                String reason = s.path("failures").get(0).asText();
                assertTrue(reason.contains(": ") && reason.length() > system.length() + 20, system + " is named with a reason: " + reason);
                assertTrue(text.contains("- " + system + " unavailable: "), "the report names unavailable " + system);
                continue;
            }
            for (String figure : WORKLOAD_FIGURES) {
                String workload = figure.substring(0, figure.indexOf('.'));
                if (Compare.OPTIONAL_WORKLOADS.contains(workload) && s.path("unsupported").has(workload)) {
                    assertFalse(s.path("unsupported").path(workload).asText().isBlank(), system + " says why " + workload + " does not apply");
                    continue;
                }
                JsonNode f = s.path("figures").path(figure);
                assertTrue(f.path("median").asDouble() > 0, system + " " + figure + " has a positive median, got " + f);
                assertTrue(f.path("min").asDouble() <= f.path("median").asDouble() && f.path("median").asDouble() <= f.path("max").asDouble());
            }
            if (s.path("durable").asBoolean()) {
                assertTrue(s.path("figures").path("W5.reopenToFirstReadMs").path("median").asDouble() > 0, system + " reopen time");
            }
            for (String op : Compare.READS) {
                JsonNode hash = s.path("answers").path(op);
                if (hash.isMissingNode() || (!s.path("answersValues").asBoolean(true) && !op.equals("W3"))) {
                    continue;
                }
                assertEquals(0, s.path("answers").path(op + ".emptyAnswers").asLong(), system + " " + op + " answers every read");
                assertEquals(stemedb.path("answers").path(op).asText(), hash.asText(), system + " gives StemeDB's answers to " + op);
            }
        }
        assertTrue(summary.path("systems").path("raw-rocksdb").path("unsupported").has("W4")
                || summary.path("systems").path("raw-rocksdb").path("failures").size() > 0, "raw RocksDB says why it has no W4");
        for (String system : List.of("stemedb", "stemedb-memory", "sqlite")) {
            assertFalse(summary.path("systems").path(system).path("unsupported").has("W2mt"), system + " reads on several threads");
        }
        assertTrue(stemedb.path("figures").has("W2cold.opsPerSec"), "StemeDB on RocksDB reads cold after a reopen");
        assertTrue(summary.path("systems").path("stemedb-memory").path("unsupported").has("W2cold"), "in memory there is no cold read");
        assertTrue(stemedb.path("warmups").get(0).path("W2").asText().matches("\\d+.*"), "the warm-up reads are recorded: " + stemedb.path("warmups"));
        assertTrue(stemedb.path("warmups").get(0).path("W1").asText().matches("\\d+ ingests.*"), "the warm-up ingests are recorded: " + stemedb.path("warmups"));

        for (String heading : List.of("## Machine", "## Systems", "## Workloads and data shapes", "## Method", "## Throughput",
                "## Reads on several threads",
                "## Latency", "## Each system as a percentage of raw RocksDB", "## stemedb throughput as a multiple of each system's",
                "## W5: ingest throughput over time and reopen", "## Answer checks", "## Headline")) {
            assertTrue(text.contains(heading), "the report has " + heading);
        }
        assertTrue(text.contains("| stemedb |") && text.contains("| W1 ingest (warmed up), claims/s |") && text.contains("| W1 cold (a fresh process's first ingest), claims/s |"), "the tables have rows");
        assertFalse(text.contains("an old generated part"), "the generated part is replaced");
        assertTrue(text.endsWith(handWritten), "everything from the marker on is kept verbatim");
        assertEquals(1, text.split(java.util.regex.Pattern.quote(CompareReport.MARKER), -1).length - 1, "one marker");

        try (Stream<Path> charts = Files.list(OUT.resolve("charts"))) {
            List<Path> pngs = charts.toList();
            assertEquals(CompareCharts.THROUGHPUT.size() + 1, pngs.size(), "a chart per workload and W5 over time: " + pngs);
            for (Path p : pngs) {
                byte[] head = Arrays.copyOf(Files.readAllBytes(p), PNG.length);
                assertArrayEquals(PNG, head, p + " is a PNG");
                assertTrue(text.contains("(charts/" + p.getFileName() + ")"), "the report shows " + p.getFileName());
            }
        }

        // A file without the marker keeps its old content below a marker written after the generated part.
        Path plain = tmp.resolve("plain.md");
        Files.writeString(plain, "hand-written notes\n");
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> tree = json.readValue(OUT.resolve("results").resolve("summary.json").toFile(), java.util.Map.class);
        CompareReport.write(tree, List.of(), plain);
        String rewritten = Files.readString(plain);
        assertTrue(rewritten.startsWith("# Benchmarks") && rewritten.endsWith(CompareReport.MARKER + "\n\nhand-written notes\n"), rewritten);
    }
}
