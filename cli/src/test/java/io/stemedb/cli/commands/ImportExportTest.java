package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.json.JsonLines;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** import and export, JSON Lines and archives: exact round trips, filters, and bad files that change nothing. */
class ImportExportTest {
    @TempDir
    Path dir;

    Cli source;

    @BeforeEach
    void setUp() {
        source = Dataset.load(new Cli(dir.resolve("source")), dir);
    }

    private Cli fresh(String name) {
        Cli cli = new Cli(dir.resolve(name));
        cli.run("init").ok();
        return cli;
    }

    @Test
    void jsonLinesRoundTripExactly() throws Exception {
        Path exported = dir.resolve("export.jsonl");
        assertEquals("exported 13 assertions to " + exported + " (JSON Lines)",
                source.run("export", exported.toString()).ok().out().strip());
        List<String> lines = Files.readAllLines(exported, StandardCharsets.UTF_8);
        assertEquals(Dataset.lines(), lines, "every assertion, every field, in arrival order");

        Cli copy = fresh("copy");
        Cli.Run imported = copy.run("import", exported.toString(), "--no-bulk").ok();
        assertEquals("imported " + exported + " (jsonl, 13 lines): 13 new assertions, 0 already there",
                imported.out().strip());
        Path again = dir.resolve("again.jsonl");
        copy.run("export", again.toString()).ok();
        assertArrayEquals(Files.readAllBytes(exported), Files.readAllBytes(again), "same ids, same order, same bytes");
        for (Assertion a : Dataset.ALL) {
            assertEquals(Json.assertion(a).toString(), copy.json("get", a.id().toString()).get("assertion").toString());
        }
        assertEquals(source.json("resolve", "acme", "ceo", "--lens", "trust(hr, crm)"),
                copy.json("resolve", "acme", "ceo", "--lens", "trust(hr, crm)"));

        // importing again is harmless
        JsonNode twice = copy.json("import", exported.toString());
        assertEquals(0, twice.get("added").asInt());
        assertEquals(13, twice.get("duplicates").asInt());
        assertEquals("jsonl", twice.get("format").asText());
        assertEquals(0, twice.get("rejected").size());
    }

    @Test
    void archivesRoundTripAndVerify() throws Exception {
        Path archive = dir.resolve("export.stemedb");
        JsonNode summary = source.json("export", archive.toString());
        assertEquals("archive", summary.get("format").asText());
        assertEquals(13, summary.get("count").asInt());
        assertTrue(summary.get("compressed").asBoolean());
        assertTrue(summary.get("digest").asText().matches("\\p{XDigit}{32}"), summary.toString());

        Cli.Run verified = Cli.plain("verify-archive", archive.toString()).ok();
        assertTrue(verified.out().startsWith("ok: " + archive + " is intact"), verified.out());
        assertTrue(verified.out().contains(summary.get("digest").asText()), verified.out());
        JsonNode v = Cli.plain("verify-archive", archive.toString(), "--json").json();
        assertTrue(v.get("ok").asBoolean());
        assertEquals(13, v.get("count").asInt());
        assertEquals(summary.get("digest"), v.get("digest"));

        Cli copy = fresh("copy");
        JsonNode imported = copy.json("import", archive.toString());
        assertEquals("archive", imported.get("format").asText(), "recognized by its first bytes");
        assertEquals(13, imported.get("added").asInt());
        assertTrue(imported.get("bulk").asBoolean(), "an archive is bulk-loaded into an empty database");
        Path jsonl = dir.resolve("copy.jsonl");
        copy.run("export", jsonl.toString()).ok();
        assertEquals(claimsThenRetractions(), Files.readAllLines(jsonl), "a bulk load stores claims first, then retractions");

        Path plain = dir.resolve("plain.bin");
        JsonNode uncompressed = source.json("export", plain.toString(), "--format", "archive", "--uncompressed");
        assertFalse(uncompressed.get("compressed").asBoolean());
        assertEquals(summary.get("digest"), uncompressed.get("digest"));
        Cli.plain("verify-archive", plain.toString()).ok();
    }

    /** The dataset's lines in the order a bulk load stores them: its claims, then its retractions. */
    private static List<String> claimsThenRetractions() {
        List<String> ordered = new ArrayList<>();
        Dataset.ALL.stream().filter(a -> a instanceof io.stemedb.model.Claim).map(JsonLines::toLine).forEach(ordered::add);
        Dataset.ALL.stream().filter(a -> !(a instanceof io.stemedb.model.Claim)).map(JsonLines::toLine).forEach(ordered::add);
        return ordered;
    }

    @Test
    void aJsonLinesFileIsBulkLoadedIntoAnEmptyDatabase() throws Exception {
        Path file = Dataset.write(dir.resolve("dataset.jsonl"));
        Cli copy = fresh("copy");
        assertEquals("bulk-loaded " + file + " (jsonl, 13 lines): 13 new assertions, 0 already there",
                copy.run("import", file.toString()).ok().out().strip());
        Path again = dir.resolve("again.jsonl");
        copy.run("export", again.toString()).ok();
        assertEquals(claimsThenRetractions(), Files.readAllLines(again));
        assertEquals(source.json("resolve", "acme", "ceo", "--lens", "trust(hr, crm)"),
                copy.json("resolve", "acme", "ceo", "--lens", "trust(hr, crm)"));
        // into a database that is not empty, an import merges unless --bulk is given
        JsonNode twice = copy.json("import", file.toString());
        assertFalse(twice.get("bulk").asBoolean());
        assertEquals(13, twice.get("duplicates").asInt());
        JsonNode forced = copy.json("import", file.toString(), "--bulk");
        assertTrue(forced.get("bulk").asBoolean());
        assertEquals(0, forced.get("added").asInt());
        assertEquals(13, forced.get("duplicates").asInt());
        assertTrue(copy.json("verify").get("ok").asBoolean());
    }

    @Test
    void exportFiltersBySourceAndTime() throws Exception {
        Path web = dir.resolve("web.jsonl");
        source.run("export", web.toString(), "--source", "web").ok();
        List<String> expected = Dataset.ALL.stream().filter(a -> a.source().equals("web")).map(JsonLines::toLine)
                .collect(Collectors.toList());
        assertEquals(expected, Files.readAllLines(web));

        Path early = dir.resolve("early.jsonl");
        JsonNode s = source.json("export", early.toString(), "--as-of", "2023-02-10T09:00:00Z", "--source", "hr",
                "--source", "crm");
        Instant cut = Instant.parse("2023-02-10T09:00:00Z");
        List<String> expectedEarly = Dataset.ALL.stream()
                .filter(a -> !a.hlc().instant().isAfter(cut) && (a.source().equals("hr") || a.source().equals("crm")))
                .map(JsonLines::toLine).collect(Collectors.toList());
        assertEquals(expectedEarly, Files.readAllLines(early));
        assertEquals(expectedEarly.size(), s.get("count").asInt());
        assertEquals("[\"crm\",\"hr\"]", s.get("sources").toString());

        Path archive = dir.resolve("web.archive");
        assertEquals(3, source.json("export", archive.toString(), "--source", "web").get("count").asInt());
        source.run("export", web.toString(), "--uncompressed").usageError("--uncompressed is for archives");
        source.run("export", web.toString(), "--format", "zip").usageError("Invalid value for option '--format'");
    }

    @Test
    void aRetractionOfAnUnknownClaimIsKeptWithANote() throws Exception {
        Path file = dir.resolve("orphan.jsonl");
        Files.writeString(file, JsonLines.toLine(Dataset.INITECH_CEO_RETRACTED) + "\n");
        Cli copy = fresh("copy");
        Cli.Run run = copy.run("import", file.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("note: 1 retractions name claims that are neither in the file nor in the database"),
                run.err());
        assertEquals(1, copy.json("stats").get("retractions").asInt());
        // the claim arrives later: it is dead at once
        Path claim = dir.resolve("claim.jsonl");
        Files.writeString(claim, JsonLines.toLine(Dataset.INITECH_CEO) + "\n");
        copy.run("import", claim.toString()).ok();
        assertEquals(0, copy.json("resolve", "initech", "ceo").get("values").size());
    }

    @Test
    void handWrittenLinesAndBlankLinesImport() throws Exception {
        Path file = dir.resolve("hand.jsonl");
        Files.writeString(file, "\uFEFF\n"
                + "{\"hlc\":{\"physical\":1672531200000,\"logical\":0,\"node\":\"1\"},\"source\":\"me\",\"subject\":\"s\","
                + "\"predicate\":\"p\",\"type\":\"integer\",\"value\":7}\r\n"
                + "   \n");
        Cli copy = fresh("copy");
        assertEquals(1, copy.json("import", file.toString()).get("added").asInt());
        Claim expected = Claim.builder("s", "p", Value.integer(7)).source("me").hlc(Hlc.of(1672531200000L, 0, 1)).build();
        assertEquals(Json.assertion(expected).toString(), copy.json("get", expected.id().toString()).get("assertion").toString());
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "");
        assertEquals(0, copy.json("import", empty.toString()).get("added").asInt());
    }

    /** A copy of the dataset file with line {@code lineNo} (1-based) replaced. */
    private Path withLine(int lineNo, String line) throws Exception {
        List<String> lines = new ArrayList<>(Dataset.lines());
        lines.set(lineNo - 1, line);
        Path file = dir.resolve("bad-" + lineNo + ".jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    @ParameterizedTest(name = "[{index}] line {0}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "1  | `{`                                                              | not valid JSON",
        "5  | `[]`                                                             | expected a JSON object",
        "13 | `{\"subject\":\"x\"}`                                            | \"predicate\" is missing",
        "7  | `{\"hlc\":{\"physical\":1,\"logical\":0,\"node\":\"1\"},\"source\":\"s\",\"subject\":\"x\",\"predicate\":\"p\",\"type\":\"integer\",\"value\":\"7\"}` | an integer value must be a whole number",
        "2  | `{\"hlc\":{\"physical\":1,\"logical\":0,\"node\":\"1\"},\"source\":\"s\",\"subject\":\"x\",\"predicate\":\"p\",\"type\":\"text\"}` | \"value\" is missing",
        "9  | `{\"hlc\":{\"physical\":4102444800000,\"logical\":0,\"node\":\"1\"},\"source\":\"s\",\"subject\":\"x\",\"predicate\":\"p\",\"type\":\"text\",\"value\":\"v\"}` | the hlc 2100-01-01T00:00:00Z+0@0000000000000001 is more than 1 hour ahead of this machine's clock",
    })
    void aMalformedLineNamesTheLineAndImportsNothing(int lineNo, String line, String problem) throws Exception {
        Cli target = fresh("target");
        target.run("assert", "keep", "me", "1", "--source", "s").ok();
        String before = target.stats();
        Path file = withLine(lineNo, line);
        Cli.Run run = target.run("import", file.toString());
        run.failure("stemedb import: " + file + " line " + lineNo + ": " + problem);
        assertTrue(run.err().strip().endsWith("; nothing was imported: fix the file and import it again"), run.err());
        assertEquals("", run.out());
        assertEquals(before, target.stats(), "nothing was imported");
        // also with --json and an explicit format: the same failure
        target.run("import", file.toString(), "--json", "--format", "jsonl").failure(file + " line " + lineNo + ": ");
        assertEquals(before, target.stats());
    }

    @Test
    void everyBadLineIsCountedAndTheIdIsChecked() throws Exception {
        List<String> lines = new ArrayList<>(Dataset.lines());
        lines.set(3, lines.get(3).replace("1200", "1201")); // the stated id no longer matches
        lines.set(6, "nonsense");
        lines.set(10, "{}");
        Path file = dir.resolve("bad.jsonl");
        Files.write(file, lines);
        Cli target = fresh("target");
        String before = target.stats();
        target.run("import", file.toString()).failure(file + " line 4: the stated id " + Dataset.ACME_EMPLOYEES_HR.id()
                + " is not the id of this assertion");
        assertTrue(target.run("import", file.toString()).err().contains("(and 2 more bad lines)"));
        assertTrue(target.run("import", file.toString(), "--no-bulk").err().contains("(and 2 more bad lines)"));
        assertEquals(before, target.stats());
    }

    @Test
    void invalidUtf8NamesTheLine() throws Exception {
        byte[] good = String.join("\n", Dataset.lines().subList(0, 2)).getBytes(StandardCharsets.UTF_8);
        byte[] bad = "\n{\"source\":\"\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        Path file = dir.resolve("latin1.jsonl");
        Files.write(file, concat(good, bad));
        Cli target = fresh("target");
        String before = target.stats();
        target.run("import", file.toString()).failure(file + " line 3: not valid UTF-8 text");
        assertEquals(before, target.stats());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void aDamagedArchiveImportsNothing() throws Exception {
        Path archive = dir.resolve("export.stemedb");
        source.run("export", archive.toString(), "--uncompressed").ok();
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 2] ^= 0x40;
        Path damaged = dir.resolve("damaged.stemedb");
        Files.write(damaged, bytes);
        Path truncated = dir.resolve("truncated.stemedb");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(archive), bytes.length - 10));

        Cli target = fresh("target");
        target.run("assert", "keep", "me", "1", "--source", "s").ok();
        String before = target.stats();
        for (Path bad : List.of(damaged, truncated)) {
            Cli.Run verify = Cli.plain("verify-archive", bad.toString());
            assertEquals(1, verify.exit(), verify.err());
            assertTrue(verify.err().startsWith("stemedb verify-archive: "), verify.err());
            assertEquals("", verify.out());
            Cli.Run run = target.run("import", bad.toString());
            assertEquals(1, run.exit(), run.err());
            assertTrue(run.err().startsWith("stemedb import: "), run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertEquals(before, target.stats());
        }
    }

    @Test
    void missingAndUnrecognizableFiles() throws Exception {
        Cli target = fresh("target");
        target.run("import", dir.resolve("nope.jsonl").toString()).failure("there is no file " + dir.resolve("nope.jsonl"));
        target.run("import", dir.toString()).failure(dir + " is not a file");
        Path binary = dir.resolve("blob.bin");
        Files.write(binary, new byte[] {1, 2, 3, 4, 5});
        target.run("import", binary.toString()).failure("cannot tell whether " + binary
                + " is JSON Lines or a StemeDB archive; pass --format jsonl or --format archive");
        target.run("import", binary.toString(), "--format", "archive").failure("stemedb import: ");
        Cli.plain("verify-archive", dir.resolve("nope").toString()).failure("there is no file");
        target.run("import").usageError("Missing required parameter: 'FILE'");
    }
}
