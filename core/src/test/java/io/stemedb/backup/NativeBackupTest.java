package io.stemedb.backup;

import static io.stemedb.backup.BackupFixtures.assertSameContent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.ManualClock;
import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import io.stemedb.BackupInfo;
import io.stemedb.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** db.backup, StemeDB.listBackups and StemeDB.restoreBackup: RocksDB's native, incremental backups. */
class NativeBackupTest {
    @TempDir
    Path dir;

    @Test
    void aRestoredBackupIsTheSameDatabase() throws Exception {
        Path backups = dir.resolve("backups");
        ManualClock clock = new ManualClock(BackupFixtures.BASE);
        try (StemeDB db = BackupFixtures.open(dir.resolve("db"), clock)) {
            BackupFixtures.populate(db, clock, 1, 600, BackupFixtures.newList());
            assertTrue(db.stats().retractions() > 50, "the fixture has retractions");
            BackupInfo info = db.backup(backups, 3);
            assertEquals(1, info.id());
            assertEquals(List.of(info), StemeDB.listBackups(backups));
            assertEquals(info, StemeDB.restoreBackup(backups, null, dir.resolve("restored")));
            try (StemeDB restored = StemeDB.open(dir.resolve("restored"))) {
                assertSameContent(db, restored);
                assertTrue(restored.verify().ok(), restored.verify().problems().toString());
                assertEquals(db.nodeId(), restored.nodeId(), "a restored backup is the same replica, node id included");
                // and it takes writes, stamped after everything it holds
                AssertionId next = restored.assertion("company-1", "name", Value.text("after restore")).source("ops").commit();
                assertTrue(restored.get(next).orElseThrow().hlc().isAfter(db.changesSince(db.stats().lastSequence() - 1, 1)
                        .get(0).assertion().hlc()));
            }
        }
    }

    @Test
    void aBackupHoldsWhatWasCommittedBeforeItAndNothingAfter() throws Exception {
        Path backups = dir.resolve("backups");
        ManualClock clock = new ManualClock(BackupFixtures.BASE);
        Set<AssertionId> before;
        try (StemeDB db = BackupFixtures.open(dir.resolve("db"), clock)) {
            List<AssertionId> claims = BackupFixtures.populate(db, clock, 2, 200, BackupFixtures.newList());
            before = BackupFixtures.ids(db);
            db.backup(backups, 3);
            BackupFixtures.populate(db, clock, 3, 50, claims);
            assertNotEquals(before, BackupFixtures.ids(db));
        }
        StemeDB.restoreBackup(backups, null, dir.resolve("restored"));
        try (StemeDB restored = StemeDB.open(dir.resolve("restored"))) {
            assertEquals(before, BackupFixtures.ids(restored));
            assertTrue(restored.verify().ok());
        }
    }

    @Test
    void anIncrementalBackupCopiesLittleAndEachBackupRestoresItsOwnState() throws Exception {
        Path backups = dir.resolve("backups");
        ManualClock clock = new ManualClock(BackupFixtures.BASE);
        long first;
        long second;
        long n1;
        try (StemeDB db = BackupFixtures.open(dir.resolve("db"), clock)) {
            for (int b = 0; b < 20; b++) {
                int base = b * 1000;
                db.write(batch -> {
                    for (int i = base; i < base + 1000; i++) {
                        batch.assertion("entity-" + i, "description", Value.text("a description of entity " + i)).source("load");
                    }
                });
            }
            db.compact();
            db.backup(backups, 5);
            first = BackupFixtures.sizeOf(backups);
            n1 = db.stats().assertions();
            db.write(batch -> {
                for (int i = 0; i < 200; i++) { // 1% more
                    batch.assertion("entity-" + i, "status", Value.text("updated " + i)).source("ops");
                }
            });
            db.backup(backups, 5);
            second = BackupFixtures.sizeOf(backups) - first;
            assertEquals(2, StemeDB.listBackups(backups).size());
            assertTrue(second > 0);
            assertTrue(second < first / 10, "the incremental backup added " + second + " bytes to a first backup of "
                    + first + " bytes; it should copy only what changed");

            StemeDB.restoreBackup(backups, null, dir.resolve("newest"));
            StemeDB.restoreBackup(backups, 1, dir.resolve("first"));
            try (StemeDB newest = StemeDB.open(dir.resolve("newest")); StemeDB old = StemeDB.open(dir.resolve("first"))) {
                assertSameContent(db, newest);
                assertEquals(n1, old.stats().assertions());
                assertEquals(n1 + 200, newest.stats().assertions());
                assertTrue(newest.verify().ok());
                assertTrue(old.verify().ok());
            }
        }
    }

    @Test
    void retentionKeepsTheNewest() throws Exception {
        Path backups = dir.resolve("backups");
        ManualClock clock = new ManualClock(BackupFixtures.BASE);
        long[] counts = new long[4];
        try (StemeDB db = BackupFixtures.open(dir.resolve("db"), clock)) {
            List<AssertionId> claims = BackupFixtures.newList();
            for (int b = 0; b < 4; b++) {
                BackupFixtures.populate(db, clock, 10 + b, 30, claims);
                counts[b] = db.stats().assertions();
                db.backup(backups, 2);
            }
        }
        List<BackupInfo> left = StemeDB.listBackups(backups);
        assertEquals(List.of(3, 4), left.stream().map(BackupInfo::id).toList());
        assertFalse(left.get(0).createdAt().isAfter(left.get(1).createdAt()), "oldest first");
        for (int id : new int[] {3, 4}) {
            StemeDB.restoreBackup(backups, id, dir.resolve("r" + id));
            try (StemeDB r = StemeDB.open(dir.resolve("r" + id))) {
                assertEquals(counts[id - 1], r.stats().assertions());
            }
        }
        StorageException e = assertThrows(StorageException.Incompatible.class, () -> StemeDB.restoreBackup(backups, 2, dir.resolve("r2")));
        assertTrue(e.getMessage().contains("no backup 2"), e.getMessage());
    }

    @Test
    void restoreIntoANonEmptyDirectoryIsRefusedAndChangesNothing() throws Exception {
        Path backups = dir.resolve("backups");
        Path other = dir.resolve("other");
        ManualClock clock = new ManualClock(BackupFixtures.BASE);
        try (StemeDB db = BackupFixtures.open(dir.resolve("db"), clock)) {
            BackupFixtures.populate(db, clock, 4, 50, BackupFixtures.newList());
            db.backup(backups, 1);
        }
        Set<AssertionId> otherIds;
        try (StemeDB db = BackupFixtures.open(other, clock)) {
            BackupFixtures.populate(db, clock, 5, 20, BackupFixtures.newList());
            otherIds = BackupFixtures.ids(db);
        }
        Map<String, List<Long>> before = BackupFixtures.listing(other);
        StorageException e = assertThrows(StorageException.Incompatible.class, () -> StemeDB.restoreBackup(backups, null, other));
        assertTrue(e.getMessage().contains("never overwrites"), e.getMessage());
        assertEquals(before, BackupFixtures.listing(other), "not one file of the target changed");
        try (StemeDB db = StemeDB.open(other)) {
            assertEquals(otherIds, BackupFixtures.ids(db));
        }
        // a directory holding any file at all is refused too
        Path notes = Files.createDirectories(dir.resolve("notes"));
        Files.writeString(notes.resolve("README"), "mine");
        assertThrows(StorageException.Incompatible.class, () -> StemeDB.restoreBackup(backups, null, notes));
        try (Stream<Path> files = Files.list(notes)) {
            assertEquals(List.of(notes.resolve("README")), files.toList());
        }
    }

    @Test
    void listingAMissingOrEmptyDirectoryIsEmpty() throws Exception {
        assertEquals(List.of(), StemeDB.listBackups(dir.resolve("missing")));
        assertEquals(List.of(), StemeDB.listBackups(Files.createDirectories(dir.resolve("empty"))));
        StorageException e = assertThrows(StorageException.Incompatible.class,
                () -> StemeDB.restoreBackup(dir.resolve("empty"), null, dir.resolve("target")));
        assertTrue(e.getMessage().contains("holds no backup"), e.getMessage());
        e = assertThrows(StorageException.Incompatible.class, () -> StemeDB.restoreBackup(dir.resolve("missing"), null, dir.resolve("target")));
        assertTrue(e.getMessage().contains("no backup directory"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("target")));
    }

    @Test
    void anInMemoryDatabaseCannotBeBackedUpAndSaysWhatToDoInstead() {
        try (StemeDB db = StemeDB.inMemory()) {
            db.assertion("a", "b", Value.integer(1)).source("s").commit();
            StorageException e = assertThrows(StorageException.Incompatible.class, () -> db.backup(dir.resolve("backups"), 2));
            assertTrue(e.getMessage().contains("in memory"), e.getMessage());
            assertTrue(e.getMessage().contains("exportArchive"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("backups")), "nothing was written");
    }

    @Test
    void keepLastMustBePositiveAndAClosedDatabaseCannotBeBackedUp() throws Exception {
        StemeDB db = StemeDB.open(dir.resolve("db"));
        db.assertion("a", "b", Value.integer(1)).source("s").commit();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.backup(dir.resolve("backups"), 0));
        assertTrue(e.getMessage().contains("keepLast"), e.getMessage());
        db.close();
        assertThrows(StemeDB.ClosedException.class, () -> db.backup(dir.resolve("backups"), 2));
        assertEquals(List.of(), StemeDB.listBackups(dir.resolve("backups")));
    }

    @Test
    void aReadOnlyDatabaseIsNotBackedUpIncompletely() throws Exception {
        // RocksDB's backup of a read-only database leaves out the log, where the newest writes are
        Path backups = dir.resolve("backups");
        ManualClock clock = new ManualClock(BackupFixtures.BASE);
        Set<AssertionId> ids;
        try (StemeDB db = BackupFixtures.open(dir.resolve("db"), clock)) {
            BackupFixtures.populate(db, clock, 6, 40, BackupFixtures.newList());
            ids = BackupFixtures.ids(db);
        }
        try (StemeDB ro = StemeDB.builder().openReadOnly(dir.resolve("db"))) {
            assertEquals(ids, BackupFixtures.ids(ro));
            StorageException e = assertThrows(StorageException.Incompatible.class, () -> ro.backup(backups, 2));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        assertEquals(List.of(), StemeDB.listBackups(backups));
        try (StemeDB db = StemeDB.open(dir.resolve("db"))) {
            db.backup(backups, 2);
        }
        StemeDB.restoreBackup(backups, null, dir.resolve("restored"));
        try (StemeDB restored = StemeDB.open(dir.resolve("restored"))) {
            assertEquals(ids, BackupFixtures.ids(restored));
        }
    }
}
