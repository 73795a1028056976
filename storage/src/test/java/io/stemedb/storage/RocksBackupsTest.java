package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import io.stemedb.storage.RocksBackups.BackupInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RocksDB BackupEngine backups of the storage engine: create, retention, list and restore. */
class RocksBackupsTest {
    private static final RocksSettings FAST = new RocksSettings(false, false, Duration.ofSeconds(1),
            64L << 20, 32L << 20, 64L << 20);

    @TempDir
    Path dir;

    private static List<Assertion> claims(int from, int to) {
        List<Assertion> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(Claim.builder("s" + i, "p" + (i % 7), Value.text("value number " + i + " " + "x".repeat(i % 50)))
                    .source("src" + (i % 3)).hlc(Hlc.of(1_700_000_000_000L + i, 0, 42)).build());
        }
        return out;
    }

    private static void commit(RocksEngine engine, int from, int to) {
        for (int i = from; i < to; i += 1000) {
            engine.commit(claims(i, Math.min(to, i + 1000)));
        }
    }

    private static RocksEngine open(Path path) {
        return RocksEngine.open(path, FAST, 42);
    }

    static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static TreeMap<String, Long> listing(Path dir) throws IOException {
        TreeMap<String, Long> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(p -> out.put(dir.relativize(p).toString(), p.toFile().length()));
        }
        return out;
    }

    @Test
    void aRestoredBackupHoldsExactlyWhatWasBackedUp() throws Exception {
        Path backups = dir.resolve("backups");
        Instant before = Instant.now().minusSeconds(1);
        BackupInfo info;
        byte[] digest;
        long last;
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 3000);
            info = RocksBackups.create(engine, backups, 5);
            digest = engine.digest().toBytes();
            last = engine.lastSequence();
            commit(engine, 3000, 3100); // after the backup: not in it
        }
        assertEquals(1, info.id());
        assertTrue(info.files() > 0 && info.sizeBytes() > 0, info.toString());
        assertFalse(info.createdAt().isBefore(before) || info.createdAt().isAfter(Instant.now().plusSeconds(1)), info.toString());
        assertEquals(List.of(info), RocksBackups.list(backups));

        BackupInfo restored = RocksBackups.restore(backups, null, dir.resolve("restored"));
        assertEquals(info, restored);
        try (RocksEngine engine = open(dir.resolve("restored"))) {
            assertArrayEquals(digest, engine.digest().toBytes());
            assertEquals(last, engine.lastSequence());
            assertEquals(3000, engine.stats().claims());
            assertTrue(engine.verify().ok(), engine.verify().problems().toString());
            assertEquals(42, engine.nodeId(), "a restored database is the same replica");
        }
    }

    @Test
    void aBackupIdRestoresThatBackupAndAnUnknownIdIsRefused() throws Exception {
        Path backups = dir.resolve("backups");
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 100);
            RocksBackups.create(engine, backups, 5);
            commit(engine, 100, 250);
            RocksBackups.create(engine, backups, 5);
        }
        assertEquals(List.of(1, 2), RocksBackups.list(backups).stream().map(BackupInfo::id).toList());
        RocksBackups.restore(backups, 1, dir.resolve("one"));
        RocksBackups.restore(backups, null, dir.resolve("newest"));
        try (RocksEngine one = open(dir.resolve("one")); RocksEngine newest = open(dir.resolve("newest"))) {
            assertEquals(100, one.stats().claims());
            assertEquals(250, newest.stats().claims());
        }
        StorageException e = assertThrows(StorageException.Incompatible.class,
                () -> RocksBackups.restore(backups, 7, dir.resolve("seven")));
        assertTrue(e.getMessage().contains("no backup 7"), e.getMessage());
    }

    @Test
    void aSecondBackupCopiesOnlyWhatChanged() throws Exception {
        Path backups = dir.resolve("backups");
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 30_000);
            engine.compact();
            RocksBackups.create(engine, backups, 5);
            long first = sizeOf(backups);
            commit(engine, 30_000, 30_300); // 1% more
            RocksBackups.create(engine, backups, 5);
            long growth = sizeOf(backups) - first;
            assertTrue(growth > 0, "the second backup adds something");
            assertTrue(growth < first / 10, "the second backup added " + growth + " bytes to a first backup of " + first);
        }
        RocksBackups.restore(backups, null, dir.resolve("restored"));
        try (RocksEngine engine = open(dir.resolve("restored"))) {
            assertEquals(30_300, engine.stats().claims());
        }
    }

    @Test
    void retentionKeepsTheNewestAndFreesTheRest() throws Exception {
        Path backups = dir.resolve("backups");
        long afterTwo = 0;
        try (RocksEngine engine = open(dir.resolve("db"))) {
            for (int b = 0; b < 4; b++) {
                commit(engine, b * 2000, (b + 1) * 2000);
                engine.compact(); // new table files each time, so that old backups own files of their own
                RocksBackups.create(engine, backups, 2);
                if (b == 1) {
                    afterTwo = sizeOf(backups);
                }
            }
        }
        assertEquals(List.of(3, 4), RocksBackups.list(backups).stream().map(BackupInfo::id).toList());
        StorageException e = assertThrows(StorageException.Incompatible.class,
                () -> RocksBackups.restore(backups, 1, dir.resolve("gone")));
        assertTrue(e.getMessage().contains("no backup 1"), e.getMessage());
        assertTrue(sizeOf(backups) < afterTwo * 3, "purged backups' files are deleted");
        RocksBackups.restore(backups, 3, dir.resolve("three"));
        try (RocksEngine engine = open(dir.resolve("three"))) {
            assertEquals(6_000, engine.stats().claims());
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (RocksEngine engine = open(dir.resolve("db"))) {
                RocksBackups.create(engine, backups, 0);
            }
        });
        assertEquals(2, RocksBackups.list(backups).size());
    }

    @Test
    void listingAMissingOrEmptyDirectoryIsEmptyAndWritesNothing() throws Exception {
        assertEquals(List.of(), RocksBackups.list(dir.resolve("missing")));
        assertFalse(Files.exists(dir.resolve("missing")));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertEquals(List.of(), RocksBackups.list(empty));
        try (Stream<Path> files = Files.list(empty)) {
            assertEquals(List.of(), files.toList(), "listing must not create a backup directory's files");
        }
    }

    @Test
    void listingADatabaseDirectoryByMistakeLeavesTheDatabaseUsable() throws Exception {
        Path db = dir.resolve("db");
        try (RocksEngine engine = open(db)) {
            commit(engine, 0, 10);
        }
        assertEquals(List.of(), RocksBackups.list(db));
        StorageException e = assertThrows(StorageException.class, () -> RocksBackups.restore(db, null, dir.resolve("t")));
        assertTrue(e.getMessage().contains("no backup"), e.getMessage());
        try (RocksEngine engine = open(db)) {
            assertEquals(10, engine.stats().claims());
        }
    }

    @Test
    void restoreNeverOverwrites() throws Exception {
        Path backups = dir.resolve("backups");
        Path other = dir.resolve("other");
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 100);
            RocksBackups.create(engine, backups, 5);
        }
        try (RocksEngine engine = open(other)) {
            commit(engine, 500, 520);
        }
        TreeMap<String, Long> before = listing(other);
        StorageException e = assertThrows(StorageException.Incompatible.class, () -> RocksBackups.restore(backups, null, other));
        assertTrue(e.getMessage().contains("new or empty directory"), e.getMessage());
        assertEquals(before, listing(other), "a refused restore changes nothing");
        try (RocksEngine engine = open(other)) {
            assertEquals(20, engine.stats().claims());
        }
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThrows(StorageException.Incompatible.class, () -> RocksBackups.restore(backups, null, file));
        assertEquals("x", Files.readString(file));
        Path oneFile = Files.createDirectory(dir.resolve("one-file"));
        Files.writeString(oneFile.resolve("notes.txt"), "keep me");
        assertThrows(StorageException.Incompatible.class, () -> RocksBackups.restore(backups, null, oneFile));
        assertEquals(List.of(oneFile.resolve("notes.txt")), Files.list(oneFile).toList());
    }

    @Test
    void aFailedRestoreCreatesNoTarget() throws Exception {
        Path target = dir.resolve("target");
        assertThrows(StorageException.Incompatible.class, () -> RocksBackups.restore(dir.resolve("none"), null, target));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        StorageException e = assertThrows(StorageException.Incompatible.class, () -> RocksBackups.restore(empty, null, target));
        assertTrue(e.getMessage().contains("no backup"), e.getMessage());
        assertFalse(Files.exists(target), "a refused restore leaves no half-made target behind");
    }

    @Test
    void restoreIntoAnEmptyExistingDirectoryWorks() throws Exception {
        Path backups = dir.resolve("backups");
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 10);
            RocksBackups.create(engine, backups, 5);
        }
        Path target = Files.createDirectory(dir.resolve("target"));
        RocksBackups.restore(backups, null, target);
        try (RocksEngine engine = open(target)) {
            assertEquals(10, engine.stats().claims());
        }
    }

    @Test
    void concurrentBackupsIntoOneDirectoryAllSucceed() throws Exception {
        Path backups = dir.resolve("backups");
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 5_000);
            int threads = 4;
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<BackupInfo>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return RocksBackups.create(engine, backups, 100);
                    }));
                }
                List<Integer> ids = new ArrayList<>();
                for (Future<BackupInfo> f : results) {
                    ids.add(f.get().id());
                }
                assertEquals(List.of(1, 2, 3, 4), ids.stream().sorted().toList(), "each backup gets its own id");
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(4, RocksBackups.list(backups).size());
        for (int id = 1; id <= 4; id++) {
            Path target = dir.resolve("restored-" + id);
            RocksBackups.restore(backups, id, target);
            try (RocksEngine engine = open(target)) {
                assertEquals(5_000, engine.stats().claims());
                assertTrue(engine.verify().ok());
            }
        }
    }

    @Test
    void aBackupInsideTheDatabaseDirectoryIsRefused() throws Exception {
        Path db = dir.resolve("db");
        try (RocksEngine engine = open(db)) {
            commit(engine, 0, 10);
            TreeMap<String, Long> before = listing(db);
            for (Path inside : new Path[] {db, db.resolve("backups"), db.resolve("a/../b")}) {
                StorageException e = assertThrows(StorageException.Incompatible.class, () -> RocksBackups.create(engine, inside, 2));
                assertTrue(e.getMessage().contains("inside the database directory"), e.getMessage());
            }
            assertEquals(before.keySet(), listing(db).keySet(), "nothing was created in the database directory");
            RocksBackups.create(engine, dir.resolve("db-backups"), 2); // a sibling whose name starts alike is fine
        }
        assertEquals(1, RocksBackups.list(dir.resolve("db-backups")).size());
    }

    @Test
    void aDamagedBackupFileFailsTheRestoreAsCorruptionAndLeavesNoTarget() throws Exception {
        Path backups = dir.resolve("backups");
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 10_000);
            engine.compact();
            RocksBackups.create(engine, backups, 5);
        }
        Path sst;
        try (Stream<Path> files = Files.walk(backups)) {
            sst = files.filter(p -> p.toString().endsWith(".sst")).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(sst);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(sst, bytes);
        Path target = dir.resolve("restored");
        StorageException e = assertThrows(StorageException.Corruption.class, () -> RocksBackups.restore(backups, null, target));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("checksum"), e.getMessage());
        assertFalse(Files.exists(target), "a failed restore leaves no database that could be opened by mistake: " + (Files.exists(target) ? listing(target) : "") + e.getMessage());
    }

    @Test
    void anotherProcessHoldingTheBackupDirectoryMakesABackupWait() throws Exception {
        Path backups = dir.resolve("backups");
        try (RocksEngine engine = open(dir.resolve("db"))) {
            commit(engine, 0, 100);
            RocksBackups.create(engine, backups, 5);
            Process holder;
            try {
                // an fcntl lock, the kind Java's FileChannel.lock takes on Linux and macOS
                holder = new ProcessBuilder("python3", "-c", "import fcntl,sys,time\n"
                        + "f=open(sys.argv[1],'a')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\n"
                        + "time.sleep(float(sys.argv[2]))", backups.resolve(RocksBackups.LOCK_FILE).toString(), "3")
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                org.junit.jupiter.api.Assumptions.abort("python3 is needed to hold a lock from another process: " + e);
                return;
            }
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()))) {
                assertEquals("locked", out.readLine());
                long start = System.nanoTime();
                commit(engine, 100, 200);
                BackupInfo second = RocksBackups.create(engine, backups, 5);
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMs >= 1000, "the backup waited for the other process: " + waitedMs + " ms");
                assertEquals(2, second.id());
            } finally {
                holder.destroy();
            }
        }
        assertEquals(2, RocksBackups.list(backups).size());
    }

    @Test
    void aClosedEngineCannotBeBackedUp() {
        RocksEngine engine = open(dir.resolve("db"));
        engine.close();
        assertThrows(EngineClosedException.class, () -> RocksBackups.create(engine, dir.resolve("backups"), 1));
    }
}
