package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.backup.ArchiveException;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup, restore, export and import each give back the same set, and damage is caught. */
class BackupSmokeTest {
    @TempDir
    Path dir;

    @Test
    void backupRestoreExportImportRoundTrip() throws Exception {
        try (StemeDB db = StemeDB.open(dir.resolve("db"))) {
            for (int i = 0; i < 500; i++) {
                db.assertion("s" + i, "p", Value.integer(i)).source("a").commit();
            }
            db.backup(dir.resolve("backups"), 3);
            for (boolean compress : new boolean[] {true, false}) {
                Path file = dir.resolve("a-" + compress + ".stma");
                ArchiveSummary s = db.exportArchive(file, ExportOptions.ALL.compressed(compress), ProgressListener.NONE);
                assertEquals(500, s.count());
                try (StemeDB copy = StemeDB.inMemory()) {
                    assertEquals(500, copy.importArchive(file, ProgressListener.NONE).added());
                    assertEquals(db.stats().assertions(), copy.stats().assertions());
                }
                byte[] bytes = Files.readAllBytes(file);
                bytes[bytes.length / 2] ^= 1;
                Path damaged = dir.resolve("d-" + compress + ".stma");
                Files.write(damaged, bytes);
                try (StemeDB copy = StemeDB.inMemory()) {
                    assertThrows(ArchiveException.class, () -> copy.importArchive(damaged, ProgressListener.NONE));
                    assertEquals(0, copy.stats().assertions());
                }
            }
        }
        StemeDB.restoreBackup(dir.resolve("backups"), null, dir.resolve("restored"));
        try (StemeDB restored = StemeDB.open(dir.resolve("restored"))) {
            assertEquals(500, restored.stats().assertions());
            assertTrue(restored.verify().ok(), restored.verify().problems().toString());
        }
    }
}
