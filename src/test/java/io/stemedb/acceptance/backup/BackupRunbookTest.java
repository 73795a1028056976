package io.stemedb.acceptance.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.ExportOptions;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.backup.ArchiveException;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.lens.Lenses;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Value;
import io.stemedb.BackupInfo;
import io.stemedb.storage.StorageException;
import io.stemedb.VerifyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drills of docs/operations.md, "Backup, restore and verify: the runbook", step by step, with
 * the Java calls the runbook gives: if this test fails, the runbook is wrong.
 */
class BackupRunbookTest {
    @TempDir
    Path root;

    private static Set<AssertionId> ids(StemeDB db) {
        Set<AssertionId> out = new HashSet<>();
        long after = 0;
        for (List<Change> page; !(page = db.changesSince(after, 5000)).isEmpty(); ) {
            for (Change c : page) {
                out.add(c.assertion().id());
                after = c.sequence();
            }
        }
        return out;
    }

    private static void write(StemeDB db, String prefix, int n) {
        db.write(batch -> {
            for (int i = 0; i < n; i++) {
                batch.assertion(prefix + "-" + i, "status", Value.text("state " + i)).source(i % 2 == 0 ? "crm" : "hr");
            }
        });
    }

    @Test
    void drillADamagedDiskIsRecoveredFromTheNewestBackupAndAPeer() throws Exception {
        Path data = root.resolve("data");
        Path backups = root.resolve("backups");
        Set<AssertionId> atLastBackup;
        Set<AssertionId> everything;
        try (StemeDB db = StemeDB.open(data); StemeDB peer = StemeDB.open(root.resolve("peer"))) {
            // hourly backups, keeping the newest 3
            for (int hour = 0; hour < 5; hour++) {
                write(db, "h" + hour, 500);
                BackupInfo b = db.backup(backups, 3);
                assertEquals(hour + 1, b.id());
            }
            atLastBackup = ids(db);
            write(db, "after-backup", 100); // lost with the disk, unless a peer has it
            db.syncWith(peer);
            everything = ids(db);
            db.compact();
        }
        assertEquals(List.of(3, 4, 5), StemeDB.listBackups(backups).stream().map(BackupInfo::id).toList());

        // the disk damages a table file
        Path sst;
        try (Stream<Path> files = Files.list(data)) {
            sst = files.filter(p -> p.toString().endsWith(".sst")).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(sst);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(sst, bytes);
        try (StemeDB db = StemeDB.open(data)) {
            VerifyReport report = db.verify();
            assertFalse(report.ok());
            assertTrue(report.problems().get(0).contains(sst.getFileName().toString()), report.problems().get(0));
        } catch (StorageException.Corruption e) {
            assertTrue(e.getMessage().contains(sst.getFileName().toString()), e.getMessage());
        }

        // runbook: move the damaged directory aside, restore the newest backup into the original path, verify
        Files.move(data, root.resolve("data.damaged"));
        BackupInfo restored = StemeDB.restoreBackup(backups, null, data);
        assertEquals(5, restored.id());
        try (StemeDB db = StemeDB.open(data)) {
            VerifyReport report = db.verify();
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(atLastBackup, ids(db), "the restored database is the database as of the backup");
            // then sync with a peer, to fetch what was written after the backup
            try (StemeDB peer = StemeDB.open(root.resolve("peer"))) {
                db.syncWith(peer);
            }
            assertEquals(everything, ids(db));
            assertTrue(db.verify().ok());
        }
    }

    @Test
    void drillAnArchiveMovesAPointInTimeAndASourceToAnotherDatabase() throws Exception {
        Path exports = root.resolve("exports");
        Instant t;
        ArchiveSummary all;
        ArchiveSummary asOf;
        ArchiveSummary crm;
        AssertionId retracted;
        try (StemeDB db = StemeDB.open(root.resolve("data"))) {
            retracted = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            write(db, "before", 300);
            Thread.sleep(5);
            t = Instant.now();
            Thread.sleep(5);
            db.retract(retracted, "hr");
            db.assertion("acme", "ceo", Value.text("Bob")).source("hr").commit();
            write(db, "after", 300);
            all = db.exportArchive(exports.resolve("all.stma"), ExportOptions.ALL, ProgressListener.NONE);
            asOf = db.exportArchive(exports.resolve("as-of.stma"), ExportOptions.ALL.asOf(t), ProgressListener.NONE);
            crm = db.exportArchive(exports.resolve("crm.stma"), ExportOptions.ALL.sources("crm").compressed(false),
                    ProgressListener.NONE);
            assertEquals(db.stats().assertions(), all.count());
        }
        // copy the archives elsewhere, then verify the copies before relying on them
        Path offsite = Files.createDirectories(root.resolve("offsite"));
        for (String name : new String[] {"all.stma", "as-of.stma", "crm.stma"}) {
            Files.copy(exports.resolve(name), offsite.resolve(name));
        }
        assertEquals(all, StemeDB.verifyArchive(offsite.resolve("all.stma"), ProgressListener.NONE));
        assertEquals(asOf, StemeDB.verifyArchive(offsite.resolve("as-of.stma"), ProgressListener.NONE));
        assertEquals(crm, StemeDB.verifyArchive(offsite.resolve("crm.stma"), ProgressListener.NONE));

        // point-in-time: a new database holding the data as it was at t
        try (StemeDB past = StemeDB.open(root.resolve("as-of-t"))) {
            MergeResult r = past.importArchive(offsite.resolve("as-of.stma"), ProgressListener.NONE);
            assertEquals(asOf.count(), r.added());
            assertEquals(Set.of(Value.text("Alice")), past.resolve("acme", "ceo", Lenses.latest()).values(),
                    "Alice, retracted after t, is still the answer as of t");
        }
        // by source: the crm assertions, into a database that already has its own
        try (StemeDB other = StemeDB.inMemory()) {
            other.assertion("globex", "ceo", Value.text("Carol")).source("registry").commit();
            MergeResult r = other.importArchive(offsite.resolve("crm.stma"), ProgressListener.NONE);
            assertEquals(crm.count(), r.added());
            assertEquals(crm.count() + 1, other.stats().assertions());
            assertEquals(0, other.importArchive(offsite.resolve("crm.stma"), ProgressListener.NONE).added(), "idempotent");
        }
        // a copy cut short in transit is refused and stores nothing
        byte[] bytes = Files.readAllBytes(offsite.resolve("all.stma"));
        Path cut = Files.write(offsite.resolve("cut.stma"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
        try (StemeDB fresh = StemeDB.inMemory()) {
            ArchiveException e = assertThrows(ArchiveException.class, () -> fresh.importArchive(cut, ProgressListener.NONE));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertEquals(0, fresh.stats().assertions());
        }
    }
}
