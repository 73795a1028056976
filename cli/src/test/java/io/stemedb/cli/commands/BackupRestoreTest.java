package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup and restore: incremental backups with retention, restores that answer like the original. */
class BackupRestoreTest {
    @TempDir
    Path dir;

    Cli source;

    @BeforeEach
    void setUp() {
        source = Dataset.load(new Cli(dir.resolve("source")), dir);
    }

    @Test
    void aRestoredDatabaseAnswersLikeTheOriginal() {
        Path backups = dir.resolve("backups");
        Cli.Run backup = source.run("backup", backups.toString()).ok();
        assertTrue(backup.out().startsWith("backup 1 of " + dir.resolve("source") + " written to " + backups), backup.out());
        assertTrue(backup.out().contains("BACKUP  CREATED"), backup.out());

        Path restored = dir.resolve("restored");
        Cli.Run restore = Cli.plain("restore", backups.toString(), restored.toString()).ok();
        assertTrue(restore.out().startsWith("restored backup 1 ("), restore.out());
        assertTrue(restore.out().contains(": 13 assertions, node id " + source.json("stats").get("nodeId").asText()),
                restore.out());

        Cli copy = new Cli(restored);
        for (String lens : new String[] {"latest", "trust(hr, crm)", "majority.validAt(2023-01-01)"}) {
            assertEquals(source.run("resolve", "acme", "ceo", "--lens", lens, "--explain").ok().out(),
                    copy.run("resolve", "acme", "ceo", "--lens", lens, "--explain").ok().out());
        }
        assertEquals(source.json("history", "initech", "ceo"), copy.json("history", "initech", "ceo"));
        copy.run("verify").ok();
    }

    @Test
    void backupsAreKeptAsAskedAndRestoredById() {
        Path backups = dir.resolve("backups");
        JsonNode first = source.json("backup", backups.toString());
        assertEquals(1, first.get("backup").get("id").asInt());
        source.run("assert", "acme", "ceo", "Dora", "--source", "board").ok();
        JsonNode second = source.json("backup", backups.toString());
        assertEquals(2, second.get("backups").size());
        source.run("assert", "acme", "ceo", "Eve", "--source", "board").ok();
        JsonNode third = source.json("backup", backups.toString(), "--keep", "2");
        assertEquals(3, third.get("backup").get("id").asInt());
        assertEquals("[2,3]", third.get("backups").findValuesAsText("id").toString().replace(" ", ""));

        JsonNode r2 = Cli.plain("restore", backups.toString(), dir.resolve("r2").toString(), "--backup-id", "2", "--json").json();
        assertEquals(2, r2.get("backup").get("id").asInt());
        assertEquals(14, r2.get("assertions").asInt());
        assertEquals("acme ceo = \"Dora\"",
                new Cli(dir.resolve("r2")).run("resolve", "acme", "ceo").ok().out().lines().findFirst().orElseThrow());
        JsonNode r3 = Cli.plain("restore", backups.toString(), dir.resolve("r3").toString(), "--json").json();
        assertEquals(15, r3.get("assertions").asInt());
    }

    @Test
    void restoreNeverOverwritesAndNamesWhatIsWrong() throws Exception {
        Path backups = dir.resolve("backups");
        source.run("backup", backups.toString()).ok();
        Cli.plain("restore", backups.toString(), dir.resolve("source").toString())
                .failure("restore needs a new or empty directory");
        Cli.plain("restore", backups.toString(), dir.resolve("r").toString(), "--backup-id", "9")
                .failure("there is no backup 9 in " + backups);
        Cli.plain("restore", dir.resolve("nothing").toString(), dir.resolve("r").toString())
                .failure("there is no backup directory at " + dir.resolve("nothing"));
        Files.createDirectories(dir.resolve("empty-backups"));
        Cli.plain("restore", dir.resolve("empty-backups").toString(), dir.resolve("r").toString()).failure("holds no backup");
        Cli.plain("restore", backups.toString()).usageError("Missing required parameter: 'TARGET_DIR'");
        source.run("backup", backups.toString(), "--keep", "0").usageError("--keep must be at least 1");
    }
}
