package io.stemedb.acceptance.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.backup.ProgressListener;
import io.stemedb.UpgradeReport;
import io.stemedb.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database written by format-1 StemeDB (main's code, the fixture in
 * src/test/resources/format1, see its README) upgrades to format 2 and then answers every query
 * exactly as format-1 code answered: the change feed with its sequences, every resolve with its
 * explanation, history, entity, conflicts, subjects paging, bySource, find, stats. The format-1
 * files are never modified: not when opening them is refused, not when an upgrade fails, not by
 * a successful one (they are kept beside). A swap of directories interrupted by a crash is
 * finished by the next open. A native backup and an archive made by format-1 code restore and
 * import.
 */
class Format1UpgradeTest {
    @TempDir
    Path tmp;

    private Path copyOfFixture() throws Exception {
        Path db = tmp.resolve("db");
        Format1Fixture.copyTree(Format1Fixture.fixture("db"), db);
        return db;
    }

    @Test
    void openingIsRefusedWithTheCommandAndTouchesNothing() throws Exception {
        Path db = copyOfFixture();
        List<String> before = Format1Fixture.contents(db);
        StorageException.OlderFormat e = assertThrows(StorageException.OlderFormat.class, () -> StemeDB.open(db));
        assertTrue(e.getMessage().contains("stemedb upgrade"), e.getMessage());
        assertEquals(before, Format1Fixture.contents(db));
    }

    @Test
    void theUpgradedDatabaseAnswersExactlyAsFormat1Did() throws Exception {
        Path db = copyOfFixture();
        List<String> before = Format1Fixture.contents(db);
        List<String> phases = new ArrayList<>();
        UpgradeReport report = StemeDB.upgrade(db, (phase, done, total) -> phases.add(phase));
        assertEquals(429, report.assertions());
        assertNotNull(report.format1Directory());
        assertEquals(db.getParent(), report.format1Directory().getParent());
        assertTrue(report.format1Directory().getFileName().toString().startsWith("db.format1-"));
        assertEquals(before, Format1Fixture.contents(report.format1Directory()), "the format-1 files are kept as they were");
        assertTrue(phases.contains("upgrade: rewriting") && phases.contains("upgrade: verifying"), phases.toString());
        assertFalse(Files.exists(tmp.resolve("db.upgrading")));
        assertFalse(Files.exists(tmp.resolve("db.upgrade-swap")));
        try (StemeDB upgraded = StemeDB.open(db)) {
            assertEquals(0x0f0e0d0c0b0a0908L, upgraded.nodeId());
            assertEquals(Format1Fixture.expectedAnswers(), AnswerDump.of(upgraded));
            assertTrue(upgraded.verify().ok());
            // and it takes writes after the ones it had
            upgraded.assertion("acme", "ceo", io.stemedb.model.Value.text("Bea")).source("hr").commit();
            assertEquals(430, upgraded.stats().lastSequence());
        }
        assertThrows(StorageException.Incompatible.class, () -> StemeDB.upgrade(db, ProgressListener.NONE),
                "a format-2 database is not upgraded again");
    }

    @Test
    void aFailedUpgradeLeavesTheFormat1DatabaseAsItWas() throws Exception {
        Path db = copyOfFixture();
        List<String> before = Format1Fixture.contents(db);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StemeDB.upgrade(db, (phase, done, total) -> {
            if (phase.equals("upgrade: verifying")) {
                throw new IllegalStateException("stopped before the swap");
            }
        }));
        assertEquals("stopped before the swap", e.getMessage());
        assertEquals(before, Format1Fixture.contents(db));
        assertFalse(Files.exists(tmp.resolve("db.upgrading")), "the half-built database is deleted");
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of("db"), siblings.map(p -> p.getFileName().toString()).toList(), "nothing is left beside it");
        }
        // damaged table files stop the upgrade too, and it changes nothing
        Path damaged = tmp.resolve("damaged");
        Format1Fixture.copyTree(Format1Fixture.fixture("db"), damaged);
        try (Stream<Path> files = Files.list(damaged)) {
            for (Path sst : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".sst"))::iterator) {
                byte[] bytes = Files.readAllBytes(sst);
                bytes[bytes.length / 3] ^= 0x40;
                Files.write(sst, bytes);
            }
        }
        List<String> damagedBefore = Format1Fixture.contents(damaged);
        assertThrows(StorageException.class, () -> StemeDB.upgrade(damaged, ProgressListener.NONE));
        assertEquals(damagedBefore, Format1Fixture.contents(damaged));
        assertFalse(Files.exists(tmp.resolve("damaged.upgrading")));
        // and the undamaged one upgrades once the failure is gone
        UpgradeReport ok = StemeDB.upgrade(db, ProgressListener.NONE);
        assertEquals(429, ok.assertions());
    }

    @Test
    void aSwapInterruptedBetweenItsRenamesIsFinishedByTheNextOpen() throws Exception {
        Path db = copyOfFixture();
        UpgradeReport report = StemeDB.upgrade(db, ProgressListener.NONE);
        Path old = report.format1Directory();
        // put the directories back as a crash between the two renames leaves them
        Files.move(db, tmp.resolve("db.upgrading"));
        Files.writeString(tmp.resolve("db.upgrade-swap"), old.getFileName().toString(), StandardCharsets.UTF_8);
        try (StemeDB reopened = StemeDB.open(db)) {
            assertEquals(Format1Fixture.expectedAnswers(), AnswerDump.of(reopened));
        }
        assertFalse(Files.exists(tmp.resolve("db.upgrade-swap")));
        assertFalse(Files.exists(tmp.resolve("db.upgrading")));
        // and as a crash before the first rename leaves them
        Files.move(db, tmp.resolve("db.upgrading"));
        Files.move(old, db);
        Files.writeString(tmp.resolve("db.upgrade-swap"), old.getFileName().toString(), StandardCharsets.UTF_8);
        try (StemeDB reopened = StemeDB.open(db)) {
            assertEquals(Format1Fixture.expectedAnswers(), AnswerDump.of(reopened));
        }
        assertTrue(Files.isDirectory(old), "the format-1 database is kept where the swap file said");
        assertFalse(Files.exists(tmp.resolve("db.upgrade-swap")));
    }

    @Test
    void aBackupOfAFormat1DatabaseRestoresUpgraded() throws Exception {
        Path backups = tmp.resolve("backups");
        Format1Fixture.copyTree(Format1Fixture.fixture("backup"), backups);
        Path restored = tmp.resolve("restored");
        StemeDB.restoreBackup(backups, null, restored);
        try (StemeDB db = StemeDB.open(restored)) {
            assertEquals(Format1Fixture.expectedAnswers(), AnswerDump.of(db));
            assertTrue(db.verify().ok());
        }
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of("backups", "restored"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no format-1 copy is kept of a restore");
        }
    }

    @Test
    void anArchiveExportedByFormat1CodeImports() throws Exception {
        List<String> expected = Format1Fixture.expectedAnswers();
        try (StemeDB db = StemeDB.builder().nodeId(0x0f0e0d0c0b0a0908L).open(tmp.resolve("imported"))) {
            MergeResult r = db.importArchive(Format1Fixture.fixture("archive.stemedb"), ProgressListener.NONE);
            assertEquals(429, r.added());
            List<String> answers = AnswerDump.of(db);
            // the import stores claims before retractions, so only the feed's order differs
            assertEquals(sorted(only(expected, "change ")).size(), only(answers, "change ").size());
            assertEquals(without(expected, "change "), without(answers, "change "));
            assertTrue(db.verify().ok());
        }
    }

    private static List<String> only(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    private static List<String> without(List<String> lines, String prefix) {
        return lines.stream().filter(l -> !l.startsWith(prefix)).toList();
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }
}
