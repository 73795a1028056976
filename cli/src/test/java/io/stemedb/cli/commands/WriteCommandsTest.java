package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.StemeDB;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init, assert and retract; and what every database command does with a missing or locked database. */
class WriteCommandsTest {
    private static final Pattern ID = Pattern.compile("\\p{XDigit}{64}");

    @TempDir
    Path dir;

    Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(dir.resolve("data"));
    }

    @Test
    void initCreatesOnceAndPrintsTheNodeId() {
        Cli.Run first = cli.run("init").ok();
        assertTrue(first.out().matches("(?s)database +\\S+ \\(created\\)\\s+node id +\\p{XDigit}{16}\\s+assertions +0\\s*"),
                first.out());
        JsonNode again = cli.json("init");
        assertFalse(again.get("created").asBoolean());
        assertEquals(0, again.get("assertions").asInt());
        String node = again.get("nodeId").asText();
        assertTrue(first.out().contains(node), "the same database: " + first.out());
        assertTrue(cli.run("init").ok().out().contains("(already there)"));
        assertEquals(dir.resolve("data").toAbsolutePath().toString(), again.get("dataDir").asText());
    }

    @Test
    void initRefusesADirectoryOfOtherFiles() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/notes.txt"), "not a database");
        cli.run("init").failure("holds files that are not a StemeDB database");
    }

    @Test
    void assertPrintsTheIdOfAClaimWithEveryField() {
        cli.run("init").ok();
        String id = cli.run("assert", "acme", "ceo", "Alice", "--source", "hr", "--confidence", "0.9",
                "--valid-from", "2019-01-01", "--valid-to", "2024-01-01T00:00:00Z", "--meta", "url=https://hr.example",
                "--meta", "evidence=payroll").ok().out().strip();
        assertTrue(ID.matcher(id).matches(), id);
        JsonNode claim = cli.json("get", id).get("assertion");
        assertEquals(id, claim.get("id").asText());
        assertEquals("acme", claim.get("subject").asText());
        assertEquals("text", claim.get("type").asText());
        assertEquals(0.9, claim.get("confidence").asDouble());
        assertEquals("2019-01-01T00:00:00Z", claim.get("validFrom").asText());
        assertEquals("2024-01-01T00:00:00Z", claim.get("validTo").asText());
        assertEquals("{\"evidence\":\"payroll\",\"url\":\"https://hr.example\"}", claim.get("metadata").toString());

        JsonNode asJson = cli.json("assert", "acme", "ceo", "Bob", "--source", "crm");
        assertEquals("Bob", asJson.get("value").asText());
        assertEquals(cli.json("stats").get("nodeId").asText(), asJson.get("hlc").get("node").asText());
        assertEquals("acme ceo = \"Bob\"", cli.run("resolve", "acme", "ceo").ok().out().lines().findFirst().orElseThrow());
    }

    @Test
    void assertEveryValueType() {
        cli.run("init").ok();
        String[][] cases = {
            {"text", "hello", "\"hello\""},
            {"integer", "-42", "-42"},
            {"real", "2.5", "2.5"},
            {"real", "-Infinity", "\"-Infinity\""},
            {"bool", "TRUE", "true"},
            {"boolean", "false", "false"},
            {"bytes", "0x00ff10", "\"00ff10\""},
            {"instant", "2023-03-20T09:00:00+02:00", "\"2023-03-20T07:00:00Z\""},
            {"ref", "bob-chen", "\"bob-chen\""},
        };
        for (String[] c : cases) {
            JsonNode claim = cli.run("assert", "x", "p-" + c[0], "--type", c[0], "--source", "s", "--json", "--", c[1]).json();
            assertEquals(c[2], claim.get("value").toString(), c[0]);
            assertEquals(c[0].equals("bool") ? "boolean" : c[0], claim.get("type").asText());
        }
        // a negative number is a value, not an option
        assertEquals(-7, cli.json("assert", "x", "n", "-7", "--type", "integer", "--source", "s").get("value").asInt());
    }

    @Test
    void badArgumentsAreUsageErrorsAndChangeNothing() {
        cli.run("init").ok();
        cli.run("assert", "acme", "ceo", "Alice", "--source", "hr").ok();
        String before = cli.stats();
        cli.run("assert", "acme", "ceo", "Alice").usageError("Missing required option: '--source=SOURCE'");
        cli.run("assert", "acme", "ceo").usageError("Missing required options and parameters: '--source=SOURCE', 'VALUE'");
        cli.run("assert", "acme", "size", "big", "--type", "integer", "--source", "s").usageError("VALUE 'big' is not an integer");
        cli.run("assert", "acme", "size", "NaN", "--type", "real", "--source", "s").usageError("VALUE 'NaN' is not a real number");
        cli.run("assert", "acme", "size", "1e400", "--type", "real", "--source", "s").usageError("outside the range of a double");
        cli.run("assert", "acme", "size", "--type", "real", "--source", "s", "--", "-1e400").usageError("outside the range of a double");
        cli.run("assert", "acme", "size", "1", "--confidence", "1e400", "--source", "s").usageError("--confidence must be between 0 and 1");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--confidence", "1.5").usageError("--confidence must be between 0 and 1");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--confidence", "high").usageError("Invalid value for option '--confidence'");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--valid-from", "2024-01-01", "--valid-to", "2023-01-01")
                .usageError("--valid-to (2023-01-01T00:00:00Z) must be after --valid-from (2024-01-01T00:00:00Z)");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--valid-from", "someday").usageError("'someday' is not a time");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--meta", "novalue").usageError("should be in KEY=VALUE format but was novalue");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--type", "date").usageError("'date' is not a value type");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--colour", "red").usageError("Unknown options: '--colour', 'red'");
        cli.run("assert", "acme", "link", "", "--type", "ref", "--source", "s").usageError("VALUE: invalid value");
        assertEquals(before, cli.stats());
    }

    @Test
    void invalidClaimsAreUsageErrorsAndChangeNothing() {
        cli.run("init").ok();
        String before = cli.stats();
        cli.run("assert", "", "ceo", "A", "--source", "s").usageError("invalid subject");
        cli.run("assert", "acme", "ceo", "A", "--source", "").usageError("invalid source");
        cli.run("assert", "acme", "ceo", "A", "--source", "s", "--meta", "=v").usageError("invalid metadata");
        assertEquals(before, cli.stats());
    }

    @Test
    void retractWithdrawsAClaim() {
        cli.run("init").ok();
        String id = cli.run("assert", "acme", "ceo", "Alice", "--source", "hr").ok().out().strip();
        String rid = cli.run("retract", id, "--source", "hr", "--reason", "typo").ok().out().strip();
        assertTrue(ID.matcher(rid).matches(), rid);
        JsonNode r = cli.json("get", rid).get("assertion");
        assertEquals(id, r.get("retracts").asText());
        assertEquals("typo", r.get("metadata").get("reason").asText());
        assertEquals("acme ceo = (no value: every claim is retracted)",
                cli.run("resolve", "acme", "ceo").ok().out().lines().findFirst().orElseThrow());
        JsonNode again = cli.json("retract", id, "--source", "crm");
        assertEquals(id, again.get("retracts").asText());
        assertFalse(again.has("metadata"));

        String before = cli.stats();
        cli.run("retract", "00".repeat(32), "--source", "hr").failure("no claim with id " + "00".repeat(32));
        cli.run("retract", rid, "--source", "hr").failure("only claims can be retracted");
        cli.run("retract", "xyz", "--source", "hr").usageError("an assertion id is 64 hex digits");
        cli.run("retract", id).usageError("Missing required option: '--source=SOURCE'");
        assertEquals(before, cli.stats());
    }

    @Test
    void everyDatabaseCommandNeedsAnExistingDatabase() {
        String[][] commands = {
            {"assert", "a", "b", "c", "--source", "s"}, {"retract", "00".repeat(32), "--source", "s"}, {"get", "00".repeat(32)},
            {"resolve", "a", "b"}, {"history", "a", "b"}, {"entity", "a"}, {"conflicts"}, {"find", "a", "b"}, {"sources"},
            {"subjects"}, {"stats"}, {"verify"}, {"import", Dataset.write(dir.resolve("d.jsonl")).toString()},
            {"export", dir.resolve("out.jsonl").toString()}, {"backup", dir.resolve("bk").toString()},
            {"sync", "http://127.0.0.1:9/sync", "--cluster-secret-file", dir.resolve("secret").toString()},
        };
        for (String[] c : commands) {
            String[] rest = java.util.Arrays.copyOfRange(c, 1, c.length);
            if (c[0].equals("sync")) {
                continue; // sync reads its secret first; see SyncCommandTest
            }
            cli.run(c[0], rest).failure("there is no database at " + dir.resolve("data")
                    + "; create one with: stemedb init --data-dir " + dir.resolve("data"));
            assertFalse(Files.exists(dir.resolve("data")), c[0] + " must not create a database");
        }
    }

    @Test
    void aLockedDatabaseFailsWritesWithExitOneButReadsGoOn() {
        cli.run("init").ok();
        cli.run("assert", "acme", "ceo", "Alice", "--source", "hr").ok();
        try (StemeDB holder = StemeDB.open(dir.resolve("data"))) {
            cli.run("assert", "acme", "ceo", "Bob", "--source", "crm").failure("is already open");
            cli.run("import", Dataset.write(dir.resolve("d.jsonl")).toString()).failure("is already open");
            cli.run("backup", dir.resolve("bk").toString()).failure("is already open");
            // readers open read-only, without the lock
            assertEquals("acme ceo = \"Alice\"", cli.run("resolve", "acme", "ceo").ok().out().lines().findFirst().orElseThrow());
            assertEquals(1, cli.json("stats").get("assertions").asInt());
            assertEquals(1, holder.stats().assertions());
        }
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Run run = cli.run("stats", "--verbose");
        assertEquals(1, run.exit());
        assertTrue(run.err().startsWith("stemedb stats: there is no database at "), run.err());
        assertTrue(run.err().contains("\tat io.stemedb.cli.commands."), run.err());
    }
}
