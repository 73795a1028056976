package io.stemedb.storage;

import static io.stemedb.storage.RocksFaultTest.claim;
import static io.stemedb.storage.RocksFaultTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A damaged write-ahead log: every commit acknowledged is either recovered, or the open is refused
 * naming the log file and the byte, and never silently lost. The database is the image a crash
 * leaves (its files copied while it is open, after the commits returned), then one byte of its
 * log is flipped, at every offset in turn.
 */
class WalDamageTest {
    private static final int COMMITS = 12;

    @TempDir
    Path tmp;

    /** The crash image of a database that acknowledged {@link #COMMITS} commits of 3 claims. */
    private Path crashImage(boolean syncEachCommit) throws IOException {
        Path live = tmp.resolve(syncEachCommit ? "live-sync" : "live-periodic");
        Path image = tmp.resolve(syncEachCommit ? "image-sync" : "image-periodic");
        RocksSettings settings = new RocksSettings(false, syncEachCommit, Duration.ofSeconds(1), 64L << 20,
                32L << 20, 64L << 20);
        RocksEngine engine = RocksEngine.open(live, settings, RocksFaultTest.NODE);
        try {
            for (int c = 0; c < COMMITS; c++) {
                engine.commit(List.of(claim(3 * c), claim(3 * c + 1), claim(3 * c + 2)));
            }
            imageOf(engine, image);
        } finally {
            engine.close();
        }
        assertEquals(1, WalCheck.logs(image).size(), "the image holds its commits in one log");
        return image;
    }

    /**
     * Copies the directory of the open {@code engine} to {@code image}, its write-ahead log synced
     * first: the files a crash at this moment would leave.
     */
    static void imageOf(RocksEngine engine, Path image) throws IOException {
        engine.withDatabase(db -> {
            try {
                db.flushWal(true);
            } catch (org.rocksdb.RocksDBException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        copy(engine.directory(), image);
    }

    /** Copies a database directory but for its lock file. */
    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(RocksStore.LOCK_FILE)) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    /** Where each physical record of the log starts, and its declared length's two bytes. */
    private static List<int[]> records(byte[] log) {
        List<int[]> records = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
        int offset = 0;
        while (offset + 7 <= log.length) {
            int blockEnd = (offset / WalCheck.BLOCK + 1) * WalCheck.BLOCK;
            if (blockEnd - offset < 7) {
                offset = blockEnd;
                continue;
            }
            int length = in.getShort(offset + 4) & 0xffff;
            if (length == 0 && log[offset + 6] == 0) {
                break;
            }
            records.add(new int[] {offset, length});
            offset += 7 + length;
        }
        return records;
    }

    @ParameterizedTest(name = "sync each commit: {0}")
    @ValueSource(booleans = {true, false})
    void aFlipAnywhereInTheLogLosesNoAcknowledgedCommitSilently(boolean syncEachCommit) throws Exception {
        Path image = crashImage(syncEachCommit);
        Path log = WalCheck.logs(image).get(0);
        byte[] original = Files.readAllBytes(log);
        List<int[]> records = records(original);
        assertTrue(records.size() >= COMMITS, "a record per commit at least: " + records.size());
        int[] last = records.get(records.size() - 1);
        int refused = 0;
        int recovered = 0;
        for (int at = 0; at < original.length; at += 5) {
            Path damaged = tmp.resolve("flip-" + syncEachCommit + "-" + at);
            copy(image, damaged);
            byte[] bytes = original.clone();
            bytes[at] ^= 0x10;
            Files.write(damaged.resolve(log.getFileName()), bytes);
            String where = "a flip at byte " + at + " of " + original.length;
            boolean inLastLength = at == last[0] + 4 || at == last[0] + 5;
            try (RocksEngine engine = open(damaged)) {
                long stored = engine.stats().assertions();
                if (inLastLength) {
                    // indistinguishable from a crash while the newest record was being written: see WalCheck
                    assertTrue(stored >= 3L * (COMMITS - 1), where + ": at most the newest commit is lost, " + stored);
                } else {
                    assertEquals(3L * COMMITS, stored, where + ": every acknowledged commit is there");
                }
                assertTrue(engine.verify().ok(), where);
                recovered++;
            } catch (StorageException.DamagedLog e) {
                String m = e.getMessage();
                assertTrue(m.contains(log.getFileName().toString()) && m.contains("damaged at byte") && m.contains("restore")
                        && m.contains("salvage"), where + ": " + m);
                refused++;
            }
        }
        assertTrue(refused > 0 && recovered >= 0, "flips in records are refused: " + refused + " refused, " + recovered + " opened");
    }

    /**
     * The tail a crash leaves while the newest commit is written: opening drops that
     * unacknowledged commit only (and the indexer's batch after it, which the indexer redoes).
     */
    @Test
    void aTornNewestRecordIsDroppedAndTheRestRecovered() throws Exception {
        Path image = crashImage(true);
        Path log = WalCheck.logs(image).get(0);
        byte[] original = Files.readAllBytes(log);
        int[] last = null;
        for (int[] r : records(original)) {
            // a commit's batch rewrites the counters record, key "state"; the indexer's batches write "indexed"
            if (new String(original, r[0] + 7, r[1], java.nio.charset.StandardCharsets.ISO_8859_1).contains("state")) {
                last = r;
            }
        }
        List<Integer> cuts = new ArrayList<>(List.of(last[0] + 7 + last[1] / 2, last[0] + 6 + last[1]));
        for (int k = 1; k <= 7; k++) {
            cuts.add(last[0] + k); // the header itself cut short, after any of its bytes
        }
        for (int cut : cuts) {
            // as written, and with the checksum's first byte zero: a header cut short after zero
            // bytes once made the check read past the end of the file and refuse to open
            for (boolean zeroFirst : new boolean[] {false, true}) {
                Path torn = tmp.resolve("torn-" + cut + "-" + zeroFirst);
                copy(image, torn);
                byte[] bytes = java.util.Arrays.copyOf(original, cut);
                if (zeroFirst) {
                    bytes[last[0]] = 0;
                }
                Files.write(torn.resolve(log.getFileName()), bytes);
                try (RocksEngine engine = open(torn)) {
                    assertEquals(3L * (COMMITS - 1), engine.stats().assertions(),
                            "cut at " + cut + (zeroFirst ? ", first byte zero" : "") + ": the torn commit only is gone");
                    assertTrue(engine.verify().ok());
                }
            }
        }
    }

    /**
     * A log larger than 2 GiB (memtables that large are allowed) is scanned like any other, one
     * block at a time: read whole into an array, it could not be read at all, and the database
     * could not be opened after a crash. Here the space after the records is a sparse run of zeros,
     * as preallocation leaves.
     */
    @Test
    void aLogLargerThanTwoGigabytesIsScanned() throws Exception {
        Path image = crashImage(true);
        Path log = WalCheck.logs(image).get(0);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0}), (1L << 31) + 12_345);
        }
        assertTrue(Files.size(log) > Integer.MAX_VALUE);
        assertEquals(null, WalCheck.scan(image), "records, then zeros to the end: no damage");
        byte[] bytes = new byte[64];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.READ)) {
            ch.read(ByteBuffer.wrap(bytes), 0);
        }
        bytes[20] ^= 0x10;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), 0);
        }
        WalCheck.Damage damage = WalCheck.scan(image);
        assertTrue(damage != null && damage.offset() == 0 && damage.recordsAfter() > 0, "the first record is damaged: " + damage);
    }

    /** Salvage accepts the loss, says what it dropped, and leaves a sound database. */
    @Test
    void salvageOpensADamagedLogAndSaysWhatItDropped() throws Exception {
        Path image = crashImage(true);
        Path log = WalCheck.logs(image).get(0);
        byte[] bytes = Files.readAllBytes(log);
        int[] third = records(bytes).get(2);
        bytes[third[0] + 7 + third[1] / 2] ^= 0x01;
        Files.write(log, bytes);
        StorageException.DamagedLog refused = assertThrows(StorageException.DamagedLog.class, () -> open(image));
        assertTrue(refused.getMessage().contains("damaged at byte " + third[0]), refused.getMessage());
        assertTrue(refused.getMessage().contains((records(bytes).size() - 3) + " fully written commits after it"), refused.getMessage());
        try (RocksEngine salvaged = RocksEngine.open(image, RocksSettings.DEFAULT.salvaging(), RocksFaultTest.NODE)) {
            String report = salvaged.properties().get("salvaged-log");
            assertTrue(report != null && report.contains("dropped " + (records(bytes).size() - 2) + " log records"), report);
            assertTrue(salvaged.stats().assertions() < 3L * COMMITS);
            assertTrue(salvaged.verify().ok());
        }
        try (RocksEngine reopened = open(image)) {
            assertFalse(reopened.properties().containsKey("salvaged-log"), "the salvaged database opens as any other");
        }
    }

    // ---------------------------------------------------------------- CURRENT and MANIFEST

    private Path closedDatabase() {
        Path dir = tmp.resolve("closed");
        try (RocksEngine engine = open(dir)) {
            engine.commit(List.<Assertion>of(claim(1), claim(2)));
        }
        return dir;
    }

    @Test
    void aMissingCurrentFileIsDamageNotForeignData() throws Exception {
        Path dir = closedDatabase();
        Files.delete(dir.resolve("CURRENT"));
        StorageException.DamagedDatabase e = assertThrows(StorageException.DamagedDatabase.class, () -> open(dir));
        assertTrue(e.getMessage().contains("CURRENT") && e.getMessage().contains("restore"), e.getMessage());
    }

    @Test
    void aGarbledCurrentFileIsNamed() throws Exception {
        Path dir = closedDatabase();
        Files.writeString(dir.resolve("CURRENT"), "MANIFEST-0000x9\n");
        StorageException.DamagedDatabase e = assertThrows(StorageException.DamagedDatabase.class, () -> open(dir));
        assertTrue(e.getMessage().contains("CURRENT file is damaged") && e.getMessage().contains("restore"), e.getMessage());
    }

    @Test
    void aDamagedManifestIsNamed() throws Exception {
        Path dir = closedDatabase();
        String manifest = Files.readString(dir.resolve("CURRENT")).trim();
        byte[] bytes = Files.readAllBytes(dir.resolve(manifest));
        for (int i = bytes.length / 3; i < bytes.length / 3 + 8; i++) {
            bytes[i] ^= (byte) 0x5a;
        }
        Files.write(dir.resolve(manifest), bytes);
        StorageException e = assertThrows(StorageException.class, () -> open(dir));
        assertTrue(e instanceof StorageException.DamagedDatabase, e.getClass().getSimpleName() + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("MANIFEST") && e.getMessage().contains("restore"), e.getMessage());
    }
}
