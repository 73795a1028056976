package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stemedb erase}: each scope, what get, history and resolve show afterwards, and its usage errors. */
class EraseCommandTest {
    @TempDir
    Path dir;

    Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(dir.resolve("data"));
        cli.run("init").ok();
    }

    @Test
    void erasingASubjectLeavesOnlyTheMarkOfItsClaims() {
        String id = cli.run("assert", "person:42", "email", "ada@example.org", "--source", "crm").ok().out().strip();
        cli.run("assert", "person:7", "email", "bob@example.org", "--source", "crm").ok();

        JsonNode erasure = cli.json("erase", "--subject", "person:42", "--source", "dpo", "--reason", "request 42");

        assertEquals("subject", erasure.get("erases").get("scope").asText());
        assertEquals("person:42", erasure.get("erases").get("subject").asText());
        assertEquals("request 42", erasure.get("reason").asText());
        String shown = cli.run("get", id).ok().out();
        assertTrue(shown.contains("erased by dpo") && shown.contains("(request 42)"), shown);
        assertFalse(shown.contains("ada@example.org"), shown);
        JsonNode history = cli.json("history", "person:42", "email");
        assertEquals(0, history.get("claims").size());
        assertEquals(id, history.get("erased").get(0).get("claim").asText());
        assertFalse(history.toString().contains("ada@example.org"), history.toString());
        assertTrue(cli.run("resolve", "person:7", "email").ok().out().contains("bob@example.org"));
        assertEquals(0, cli.json("verify").get("problemCount").asInt());
    }

    @Test
    void backupsThatHoldErasedContentAreReportedAndExpired() {
        String backups = dir.resolve("backups").toString();
        cli.run("assert", "person:42", "email", "ada@example.org", "--source", "crm").ok();
        cli.run("backup", backups).ok();
        cli.run("erase", "--subject", "person:42", "--source", "dpo", "--reason", "request 42").ok();

        JsonNode report = cli.json("backup", backups, "--report-erased");
        assertEquals(1, report.get("holdingErased").size());
        assertEquals(1, report.get("holdingErased").get(0).get("erasedClaims").asInt());
        String purged = cli.run("backup", backups, "--purge-erased").ok().out();
        assertTrue(purged.contains("expired the backups that held erased content") && purged.contains("holds none"), purged);
        assertEquals("no backup in " + backups + " holds erased content", cli.run("backup", backups, "--report-erased").ok().out().strip());
        cli.run("backup", backups, "--report-erased", "--purge-erased").usageError("not both");
    }

    @Test
    void eachScopeIsOneOptionAndTheReasonIsRequired() {
        String id = cli.run("assert", "p", "q", "v", "--source", "crm").ok().out().strip();
        cli.run("erase", "--id", id, "--source", "dpo").usageError("Missing required option: '--reason=TEXT'");
        cli.run("erase", "--source", "dpo", "--reason", "r").usageError("Missing required argument");
        cli.run("erase", "--subject", "p", "--fact", "p", "q", "--source", "dpo", "--reason", "r")
                .usageError("mutually exclusive");
        String erasure = cli.run("erase", "--fact", "p", "q", "--source", "dpo", "--reason", "r").ok().out().strip();
        assertEquals("erasure", cli.json("get", erasure).get("assertion").has("erases") ? "erasure" : "other");
        assertTrue(cli.run("get", id).ok().out().contains("erased by dpo"));
    }
}
