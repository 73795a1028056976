package io.stemedb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.ExportOptions;
import io.stemedb.ManualClock;
import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import io.stemedb.storage.StorageException;
import io.stemedb.VerifyReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.apache.commons.codec.digest.Blake3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Damage to an archive is caught by StemeDB.verifyArchive and by db.importArchive, which then
 * stores nothing; damage to a database's files is caught by db.verify (or by open).
 */
class BackupDamageTest {
    private static final int TRAILER = 44;
    private static final int HEADER_FIXED = 62;

    @TempDir
    Path dir;

    @TempDir
    static Path shared;
    /** The archives every damage test starts from, made once: by compression. */
    private static final java.util.Map<Boolean, byte[]> GOOD = new java.util.concurrent.ConcurrentHashMap<>();

    private static byte[] goodArchive(boolean compress) {
        return GOOD.computeIfAbsent(compress, c -> {
            ManualClock clock = new ManualClock(BackupFixtures.BASE);
            try (StemeDB db = BackupFixtures.open(shared.resolve("db-" + c), clock)) {
                BackupFixtures.populate(db, clock, 21, 400, BackupFixtures.newList());
                Path file = shared.resolve("good-" + c + ".stma");
                db.exportArchive(file, ExportOptions.ALL.compressed(c), ProgressListener.NONE);
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * verifyArchive and importArchive both refuse the archive, with the same message, and the
     * database it was imported into stays empty (on disk the first time, in memory after that).
     */
    private String refused(byte[] archive, String name) throws IOException {
        Path file = Files.write(dir.resolve(name + ".stma"), archive);
        ArchiveException v = assertThrows(ArchiveException.class, () -> StemeDB.verifyArchive(file, ProgressListener.NONE));
        boolean onDisk = !Files.exists(dir.resolve("import-on-disk"));
        try (StemeDB db = onDisk ? StemeDB.open(dir.resolve("import-on-disk")) : StemeDB.inMemory()) {
            ArchiveException i = assertThrows(ArchiveException.class, () -> db.importArchive(file, ProgressListener.NONE));
            assertEquals(v.getMessage(), i.getMessage());
            assertEquals(0, db.stats().assertions(), "a damaged archive stores nothing");
            assertEquals(List.of(), db.changesSince(0, 10));
        }
        return v.getMessage().toLowerCase(Locale.ROOT);
    }

    private static void assertMentions(String message, String... anyOf) {
        for (String word : anyOf) {
            if (message.contains(word)) {
                return;
            }
        }
        fail("expected the message to name the problem as one of " + Arrays.toString(anyOf) + ": " + message);
    }

    private static byte[] flip(byte[] bytes, int pos) {
        byte[] copy = bytes.clone();
        copy[pos] ^= 0x20;
        return copy;
    }

    private static int headerLength(byte[] archive) {
        return HEADER_FIXED + 1 + (archive[HEADER_FIXED] & 0x7f); // filters here are short: a one-byte varint
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void aFlippedByteAnywhereIsNamedAndNothingIsImported(boolean compress) throws Exception {
        byte[] good = goodArchive(compress);
        int header = headerLength(good);
        int trailer = good.length - TRAILER;
        assertMentions(refused(flip(good, 1), "magic"), "not a stemedb archive");
        assertMentions(refused(flip(good, 4), "version"), "format");
        assertMentions(refused(flip(good, 10), "count"), "checksum");
        assertMentions(refused(flip(good, 30), "digest"), "checksum");
        assertMentions(refused(flip(good, HEADER_FIXED + 1), "filter"), "checksum");
        for (int pos : new int[] {header + 3, header + (trailer - header) / 3, header + (trailer - header) / 2, trailer - 1}) {
            assertMentions(refused(flip(good, pos), "body-" + pos), "checksum", "record", "damaged");
        }
        assertMentions(refused(flip(good, trailer + 1), "trailer-magic"), "trailer");
        assertMentions(refused(flip(good, trailer + 11), "trailer-count"), "trailer", "missing or extra");
        assertMentions(refused(flip(good, trailer + 20), "trailer-sum"), "checksum");
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void aTruncatedArchiveIsCalledTruncatedAndNothingIsImported(boolean compress) throws Exception {
        byte[] good = goodArchive(compress);
        for (int length : new int[] {0, 10, 90, good.length / 4, good.length / 2, good.length - TRAILER,
                good.length - TRAILER + 1, good.length - 1}) {
            assertMentions(refused(Arrays.copyOf(good, length), "cut-" + length), "truncated");
        }
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void garbageAppendedIsDetectedAndNothingIsImported(boolean compress) throws Exception {
        byte[] good = goodArchive(compress);
        for (int extra : new int[] {1, 100}) {
            byte[] bad = Arrays.copyOf(good, good.length + extra);
            Arrays.fill(bad, good.length, bad.length, (byte) 'x');
            assertMentions(refused(bad, "garbage-" + extra), "appended");
        }
        byte[] twice = Arrays.copyOf(good, good.length * 2);
        System.arraycopy(good, 0, twice, good.length, good.length);
        assertMentions(refused(twice, "twice"), "appended", "unexpected bytes");
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void aDroppedRecordUnderTheSameHeaderIsDetectedAndNothingIsImported(boolean compress) throws Exception {
        byte[] good = goodArchive(compress);
        int header = headerLength(good);
        byte[] stored = Arrays.copyOfRange(good, header, good.length - TRAILER);
        byte[] body = compress ? new InflaterInputStream(new java.io.ByteArrayInputStream(stored)).readAllBytes() : stored;
        // find the records: a varint length, then that many bytes
        List<int[]> records = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(body);
        while (b.hasRemaining()) {
            int start = b.position();
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b.get() & 0xff;
                length |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            b.position(b.position() + length);
            records.add(new int[] {start, b.position()});
        }
        long count = ByteBuffer.wrap(good, 6, 8).getLong();
        assertEquals(count, records.size(), "the body holds the records the header counts");
        int[] drop = records.get(records.size() / 2);
        ByteArrayOutputStream newBody = new ByteArrayOutputStream();
        newBody.write(body, 0, drop[0]);
        newBody.write(body, drop[1], body.length - drop[1]);
        byte[] bodyBytes = newBody.toByteArray();
        if (compress) {
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (OutputStream d = new DeflaterOutputStream(z)) {
                d.write(bodyBytes);
            }
            bodyBytes = z.toByteArray();
        }
        // the same header, the trailer's count unchanged, and a checksum that is right for the new bytes
        ByteArrayOutputStream crafted = new ByteArrayOutputStream();
        crafted.write(good, 0, header);
        crafted.write(bodyBytes);
        byte[] covered = crafted.toByteArray();
        crafted.write(good, good.length - TRAILER, 12);
        crafted.write(Blake3.hash(covered));
        String message = refused(crafted.toByteArray(), "dropped");
        assertMentions(message, "records are missing");
        assertTrue(message.contains((count - 1) + " were read"), message);
    }

    @Test
    void aBitFlipInATableFileIsReportedNamingTheFile() throws Exception {
        Path original = dir.resolve("db");
        try (StemeDB db = StemeDB.open(original)) {
            for (int b = 0; b < 20; b++) {
                int base = b * 1000;
                db.write(batch -> {
                    for (int i = base; i < base + 1000; i++) {
                        batch.assertion("entity-" + i, "p" + (i % 5), Value.text("value " + i)).source("s" + (i % 3));
                    }
                });
            }
            db.compact();
            assertTrue(db.verify().ok());
        }
        for (double at : new double[] {0.2, 0.5, 0.8}) {
            Path copy = copyOf(original, "sst-" + at);
            Path sst = largest(copy, ".sst");
            byte[] bytes = Files.readAllBytes(sst);
            bytes[(int) (bytes.length * at)] ^= 0x01;
            Files.write(sst, bytes);
            String file = sst.getFileName().toString();
            try (StemeDB db = StemeDB.open(copy)) {
                VerifyReport report = db.verify();
                assertFalse(report.ok(), "a flipped bit in " + file + " must be found");
                assertTrue(report.problems().stream().anyMatch(p -> p.contains(file)), "a problem names " + file + ": " + report.problems());
                assertTrue(report.problems().stream().anyMatch(p -> p.toLowerCase(Locale.ROOT).contains("checksum")), report.problems().toString());
            } catch (StorageException.Corruption e) {
                assertTrue(e.getMessage().contains(file), "open failed as corruption naming " + file + ": " + e.getMessage());
            }
        }
    }

    @Test
    void aRecordOverwrittenBehindStemeDBsBackIsReportedNamingItsId() throws Exception {
        Path original = dir.resolve("db");
        try (StemeDB db = StemeDB.open(original)) {
            for (int i = 0; i < 200; i++) {
                db.assertion("entity-" + i, "name", Value.text("name " + i)).source("hr").commit();
            }
        }
        // (1) one byte of one stored record changed in place: the record no longer decodes
        Path copy = copyOf(original, "changed");
        AssertionId changed = rawEdit(copy, record -> {
            record[1] = 0x09;
            return record;
        });
        try (StemeDB db = StemeDB.open(copy)) {
            VerifyReport report = db.verify();
            assertFalse(report.ok());
            assertTrue(report.problems().stream().anyMatch(p -> p.contains("assertion " + changed) && p.contains("damaged")),
                    "a problem names assertion " + changed + ": " + report.problems());
        }
        // (2) one record replaced by another valid record of the same fact: it decodes, but is not the assertion stored
        Path swapped = copyOf(original, "swapped");
        AssertionId victim = rawEdit(swapped, record -> {
            Claim c = (Claim) CanonicalCodec.decode(record);
            Claim other = Claim.builder(c.subject(), c.predicate(), Value.text("NAME" + c.value().asText().substring(4)))
                    .source(c.source()).hlc(c.hlc()).build();
            return other.canonicalBytes();
        });
        try (StemeDB db = StemeDB.open(swapped)) {
            VerifyReport report = db.verify();
            assertFalse(report.ok());
            assertTrue(report.problems().stream().anyMatch(p -> p.contains(victim.toString()) && p.contains("not that assertion")),
                    report.problems().toString());
        }
        // (3) one record deleted: its id and log entries now name a record that is not stored
        Path deleted = copyOf(original, "deleted");
        AssertionId gone = rawEdit(deleted, record -> null);
        try (StemeDB db = StemeDB.open(deleted)) {
            VerifyReport report = db.verify();
            assertFalse(report.ok());
            assertTrue(report.problems().stream().anyMatch(p -> p.contains(gone.toString()) && p.contains("not that assertion")),
                    report.problems().toString());
        }
    }

    @Test
    void aDamagedBackupFailsToRestoreAndTheUndamagedOneStillRestores() throws Exception {
        Path backups = dir.resolve("backups");
        try (StemeDB db = StemeDB.open(dir.resolve("db"))) {
            db.write(batch -> {
                for (int i = 0; i < 5000; i++) {
                    batch.assertion("entity-" + i, "p", Value.text("value " + i)).source("s");
                }
            });
            db.compact();
            db.backup(backups, 5);
            db.write(batch -> {
                for (int i = 0; i < 5000; i++) {
                    batch.assertion("entity-" + i, "q", Value.text("other " + i)).source("s");
                }
            });
            db.compact(); // new table files: backup 2 shares none of backup 1's table files
            db.backup(backups, 5);
        }
        // damage a table file that only backup 2 uses: the newest one
        Path newest;
        try (Stream<Path> files = Files.walk(backups)) {
            newest = files.filter(p -> p.toString().endsWith(".sst"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified() * 1_000_000 + p.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x04;
        Files.write(newest, bytes);
        StorageException e = assertThrows(StorageException.Corruption.class,
                () -> StemeDB.restoreBackup(backups, 2, dir.resolve("two")));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("two")), "no half-restored database is left behind");
        StemeDB.restoreBackup(backups, 1, dir.resolve("one"));
        try (StemeDB one = StemeDB.open(dir.resolve("one"))) {
            assertEquals(5000, one.stats().assertions());
            assertTrue(one.verify().ok());
        }
    }

    private interface RawEdit {
        /** The new bytes of a stored claim's record (the same length or not), or null to delete the fact. */
        byte[] apply(byte[] record) throws Exception;
    }

    /**
     * Opens a (closed) StemeDB directory with raw RocksDB and edits the record of the 38th fact in
     * the facts column family, whose values are a fact's entries: a tag, the sequence, the
     * record's length and the record (docs/format.md). Returns the id of the record before.
     */
    private static AssertionId rawEdit(Path path, RawEdit edit) throws Exception {
        List<byte[]> names;
        try (Options o = new Options()) {
            names = RocksDB.listColumnFamilies(o, path.toString());
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        List<AutoCloseable> natives = new ArrayList<>();
        for (byte[] n : names) {
            if (new String(n, java.nio.charset.StandardCharsets.US_ASCII).equals("facts")) {
                StringAppendOperator append = new StringAppendOperator("");
                ColumnFamilyOptions factsOptions = new ColumnFamilyOptions().setMergeOperator(append);
                natives.add(factsOptions);
                natives.add(append);
                descriptors.add(new ColumnFamilyDescriptor(n, factsOptions));
            } else {
                descriptors.add(new ColumnFamilyDescriptor(n));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, path.toString(), descriptors, handles)) {
            ColumnFamilyHandle facts = null;
            for (int i = 0; i < names.size(); i++) {
                if (new String(names.get(i), java.nio.charset.StandardCharsets.US_ASCII).equals("facts")) {
                    facts = handles.get(i);
                }
            }
            assertNotNull(facts, "a StemeDB database has a facts column family: " + names.size());
            byte[] key;
            byte[] value;
            try (RocksIterator it = db.newIterator(facts)) {
                it.seekToFirst();
                for (int i = 0; i < 37; i++) {
                    it.next();
                }
                key = it.key();
                value = it.value();
            }
            // one claim: tag 0x01, the sequence as a varint, the record's length as a varint (< 128 here: one byte), the record
            assertEquals(0x01, value[0], "a fact of one claim");
            int lengthAt = 1;
            while ((value[lengthAt] & 0x80) != 0) {
                lengthAt++;
            }
            lengthAt++;
            byte[] record = Arrays.copyOfRange(value, lengthAt + 1, value.length);
            assertEquals(record.length, value[lengthAt], "a record shorter than 128 bytes");
            AssertionId before = AssertionId.hashOf(record);
            byte[] after = edit.apply(record.clone());
            if (after == null) {
                db.delete(facts, key);
            } else {
                byte[] rewritten = Arrays.copyOf(value, lengthAt + 1 + after.length);
                rewritten[lengthAt] = (byte) after.length;
                System.arraycopy(after, 0, rewritten, lengthAt + 1, after.length);
                db.put(facts, key, rewritten);
            }
            db.flushWal(true);
            handles.forEach(ColumnFamilyHandle::close);
            for (AutoCloseable n : natives) {
                n.close();
            }
            return before;
        }
    }

    private Path copyOf(Path source, String name) throws IOException {
        Path target = dir.resolve(name);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.getFileName().toString().equals("stemedb.lock")) {
                    Files.copy(p, to);
                }
            }
        }
        return target;
    }

    private static Path largest(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(suffix)).max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
