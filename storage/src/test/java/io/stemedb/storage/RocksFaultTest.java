package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The RocksDB engine against the faults of real files: paths that are not StemeDB databases, a
 * newer format, a database held by this or another process, read-only opening, damaged table
 * files and records, and a full disk. Each test works on real files in a temporary directory.
 */
class RocksFaultTest {
    private static final long BASE_MS = 1_700_000_000_000L;
    static final long NODE = 0x42L;
    private static final RocksSettings DEFAULT = RocksSettings.DEFAULT;
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- fixtures

    static Claim claim(int i) {
        return claim(i, "value " + i);
    }

    static Claim claim(int i, String text) {
        return Claim.builder("s" + (i % 7), "p" + (i % 3), Value.text(text)).source("src" + (i % 4))
                .hlc(Hlc.of(BASE_MS + i, 0, NODE)).build();
    }

    static List<Assertion> claims(int from, int to) {
        List<Assertion> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(claim(i));
        }
        return list;
    }

    static RocksEngine open(Path dir) {
        return RocksEngine.open(dir, DEFAULT, NODE);
    }

    static final RocksSettings READ_ONLY = new RocksSettings(true, true, Duration.ofSeconds(1), 64L << 20, 32L << 20, 64L << 20);

    static RocksEngine openReadOnly(Path dir) {
        return RocksEngine.open(dir, READ_ONLY, NODE);
    }

    static Map<Path, String> snapshot(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            Map<Path, String> contents = new LinkedHashMap<>();
            for (Path p : files.sorted().toList()) {
                contents.put(dir.relativize(p), Files.isDirectory(p) ? "<dir>" : Files.readString(p));
            }
            return contents;
        }
    }

    /** A database opened with RocksDB directly, with every column family it has, by name. */
    static final class RawDb implements AutoCloseable {
        final RocksDB db;
        final Map<String, ColumnFamilyHandle> families = new LinkedHashMap<>();
        private final DBOptions options;
        private final StringAppendOperator append = new StringAppendOperator("");
        private final ColumnFamilyOptions factsOptions = new ColumnFamilyOptions().setMergeOperator(append);

        RawDb(Path dir) throws RocksDBException {
            RocksDB.loadLibrary();
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            try (Options listOptions = new Options()) {
                for (byte[] name : RocksDB.listColumnFamilies(listOptions, dir.toString())) {
                    boolean facts = new String(name, StandardCharsets.US_ASCII).equals(Family.FACTS.familyName());
                    descriptors.add(facts ? new ColumnFamilyDescriptor(name, factsOptions) : new ColumnFamilyDescriptor(name));
                }
            }
            options = new DBOptions();
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            db = RocksDB.open(options, dir.toString(), descriptors, handles);
            for (int i = 0; i < handles.size(); i++) {
                families.put(new String(descriptors.get(i).getName(), StandardCharsets.US_ASCII), handles.get(i));
            }
        }

        ColumnFamilyHandle family(String name) {
            return assertNotNullReturn(families.get(name), "column family " + name + " of " + families.keySet());
        }

        @Override
        public void close() {
            families.values().forEach(ColumnFamilyHandle::close);
            db.close();
            options.close();
            factsOptions.close();
            append.close();
        }
    }

    static <T> T assertNotNullReturn(T value, String what) {
        assertNotNull(value, what);
        return value;
    }

    /** A JVM running a main class of the test classpath, its stdout read line by line. */
    static final class Child implements AutoCloseable {
        final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Path stderr;

        Child(Path stderr, String mainClass, String... args) throws IOException {
            this.stderr = stderr;
            String classpath = System.getProperty("surefire.test.class.path");
            if (classpath == null || classpath.isBlank()) {
                classpath = System.getProperty("java.class.path");
            }
            // the test's directory as the child's temporary one: RocksJava copies its native library
            // there and deletes it only on a normal exit, so a child killed with SIGKILL would leave
            // 15 MB in /tmp
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + stderr.toAbsolutePath().getParent(),
                    "-cp", classpath, mainClass));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(stdout failed: " + e + ")");
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String line() throws Exception {
            String line = lines.poll(120, TimeUnit.SECONDS);
            if (line == null) {
                fail("the child printed nothing in 120 s; stderr:\n" + Files.readString(stderr));
            }
            return line;
        }

        /**
         * SIGKILL (ProcessHandle.destroyForcibly on Linux): the child gets no chance to clean up;
         * only the OS releases its locks.
         */
        void kill() throws InterruptedException {
            assertTrue(process.toHandle().destroyForcibly());
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child dies");
            assertEquals(137, process.exitValue(), "killed by SIGKILL (128 + 9)");
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    // ---------------------------------------------------------------- (a) (b) (c) (d) not a database this version opens

    @Test
    void aRegularFileIsRefusedNamingThePath() throws IOException {
        Path file = tmp.resolve("data.db");
        Files.writeString(file, "not a database");

        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class, () -> open(file));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
        assertEquals("not a database", Files.readString(file), "the file is untouched");
        assertThrows(StorageException.Incompatible.class, () -> openReadOnly(file));
    }

    @Test
    void aDirectoryOfUnrelatedFilesIsRefusedAndLeftUntouched() throws IOException {
        Path dir = tmp.resolve("photos");
        Files.createDirectories(dir.resolve("2024"));
        Files.writeString(dir.resolve("holiday.txt"), "sea");
        Files.writeString(dir.resolve("2024/summer.txt"), "sun");
        Map<Path, String> before = snapshot(dir);

        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class, () -> open(dir));

        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("holiday.txt"), "names the files it found: " + e.getMessage());
        assertEquals(before, snapshot(dir), "nothing created, changed or removed");
        assertThrows(StorageException.Incompatible.class, () -> openReadOnly(dir));
        assertEquals(before, snapshot(dir));
    }

    @Test
    void aPlainRocksDbDatabaseIsRefusedAndLeftIntact() throws Exception {
        Path dir = tmp.resolve("plain");
        RocksDB.loadLibrary();
        try (Options options = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(options, dir.toString())) {
            db.put("key".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8));
        }

        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class, () -> open(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("not a StemeDB"), e.getMessage());
        assertThrows(StorageException.Incompatible.class, () -> openReadOnly(dir));

        try (Options options = new Options()) {
            List<byte[]> families = RocksDB.listColumnFamilies(options, dir.toString());
            assertEquals(List.of("default"), families.stream().map(b -> new String(b, StandardCharsets.US_ASCII)).toList(),
                    "no column family was added");
        }
        try (Options options = new Options(); RocksDB db = RocksDB.open(options, dir.toString())) {
            assertArrayEquals("value".getBytes(StandardCharsets.UTF_8), db.get("key".getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Makes a database in {@code dir} holding claims 0 to n - 1; returns what its indexes answer. */
    private static List<Object> committed(Path dir, int n) {
        try (RocksEngine engine = open(dir)) {
            engine.commit(claims(0, n));
            return indexAnswers(engine);
        }
    }

    /** What a database's indexes answer: by value, by source, its subjects and predicates, its sync digest. */
    private static List<Object> indexAnswers(RocksEngine engine) {
        return List.of(engine.subjectsWith("p0", Value.text("value 3")), engine.subjectsWith("p2", Value.text("value 41")),
                engine.bySource("src1").stream().map(Assertion::id).toList(), engine.subjects(null, 100),
                engine.predicates("s2"), engine.digest());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Family.class, names = {"VALUES", "SOURCES", "DIGESTS"})
    void aFamilyTheIndexerWritesThatTheDatabaseLacksIsCreatedAndFilledFromTheLog(Family family) throws Exception {
        Path dir = tmp.resolve("db");
        List<Object> before = committed(dir, 60);
        try (RawDb raw = new RawDb(dir)) {
            raw.db.dropColumnFamily(raw.family(family.familyName()));
        }

        try (RocksEngine engine = open(dir)) {
            assertEquals(before, indexAnswers(engine), "the indexes answer as before the family was dropped");
            VerifyReport report = engine.verify();
            assertTrue(report.ok(), report.toString());
            engine.commit(claims(60, 70));
        }
        try (RocksEngine engine = open(dir)) {
            assertEquals(70, engine.stats().assertions());
            assertTrue(engine.verify().ok(), "the next opens keep the family and its entries");
        }
    }

    @Test
    void anOpenStoppedAfterCreatingAnIndexedFamilyAndBeforeTheRebuildIsFinishedByTheNextReadWriteOpen() throws Exception {
        Path dir = tmp.resolve("db");
        List<Object> before = committed(dir, 60);
        // the state such a stop leaves: the marker written, the family created empty, the watermarks as they were
        Files.writeString(dir.resolve(RocksStore.REINDEX_MARKER), "StemeDB rebuilds the indexes\n");
        try (RawDb raw = new RawDb(dir)) {
            raw.db.dropColumnFamily(raw.family(Family.VALUES.familyName()));
            raw.db.createColumnFamily(new ColumnFamilyDescriptor(Family.VALUES.nameBytes())).close();
        }

        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class, () -> openReadOnly(dir));
        assertTrue(e.getMessage().contains("read-write once"), e.getMessage());
        try (RocksEngine engine = open(dir)) {
            assertEquals(before, indexAnswers(engine));
            assertTrue(engine.verify().ok());
        }
        assertFalse(Files.exists(dir.resolve(RocksStore.REINDEX_MARKER)), "the marker goes once the rebuild is under way");
        try (RocksEngine engine = openReadOnly(dir)) {
            assertEquals(before, indexAnswers(engine));
        }
    }

    @Test
    void aDatabaseLackingAFamilyThatCommitsWriteIsReportedDamagedAndLeftAsItWas() throws Exception {
        Path dir = tmp.resolve("db");
        committed(dir, 10);
        try (RawDb raw = new RawDb(dir)) {
            raw.db.dropColumnFamily(raw.family(Family.ORPHANS.familyName()));
        }

        StorageException.DamagedDatabase e = assertThrows(StorageException.DamagedDatabase.class, () -> open(dir));
        assertTrue(e.getMessage().contains("MANIFEST") && e.getMessage().contains(dir.toString()), e.getMessage());
        assertThrows(StorageException.DamagedDatabase.class, () -> openReadOnly(dir));
        try (RawDb raw = new RawDb(dir)) {
            assertFalse(raw.families.containsKey(Family.ORPHANS.familyName()), "no family was created: " + raw.families.keySet());
        }
    }

    @Test
    void aDatabaseWithAFamilyThisVersionDoesNotKnowIsRefusedAsWrittenByANewerStemeDb() throws Exception {
        Path dir = tmp.resolve("db");
        committed(dir, 10);
        try (RawDb raw = new RawDb(dir)) {
            raw.db.createColumnFamily(new ColumnFamilyDescriptor("by-time".getBytes(StandardCharsets.US_ASCII))).close();
        }

        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class, () -> open(dir));
        assertTrue(e.getMessage().contains("[by-time]") && e.getMessage().contains("newer"), e.getMessage());
        StorageException.Incompatible ro = assertThrows(StorageException.Incompatible.class, () -> openReadOnly(dir));
        assertTrue(ro.getMessage().contains("[by-time]"), ro.getMessage());

        try (RawDb raw = new RawDb(dir)) {
            raw.db.dropColumnFamily(raw.family("by-time"));
        }
        try (RocksEngine engine = open(dir)) {
            assertEquals(10, engine.stats().assertions(), "the refusals changed nothing");
            assertTrue(engine.verify().ok());
        }
    }

    @Test
    void aDatabaseOfANewerFormatIsRefusedNamingBothVersions() throws Exception {
        Path dir = tmp.resolve("db");
        try (RocksEngine engine = open(dir)) {
            engine.commit(claims(0, 3));
        }
        try (RawDb raw = new RawDb(dir)) {
            byte[] format = raw.db.get(raw.family("default"), "format".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(ByteBuffer.allocate(4).putInt(RocksStore.INDEXED_IDS_FORMAT).array(), format,
                    "the format record is a 4-byte big-endian int");
            raw.db.put(raw.family("default"), "format".getBytes(StandardCharsets.US_ASCII), ByteBuffer.allocate(4).putInt(5).array());
        }

        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class, () -> open(dir));
        String m = e.getMessage();
        assertTrue(m.contains("newer") && m.contains("format 5") && m.contains("formats 2 to 4") && m.contains(dir.toString()), m);
        StorageException.Incompatible ro = assertThrows(StorageException.Incompatible.class, () -> openReadOnly(dir));
        assertTrue(ro.getMessage().contains("format 5"), ro.getMessage());

        // the refusal released everything: a raw open (which takes RocksDB's own lock) succeeds
        try (RawDb raw = new RawDb(dir)) {
            assertArrayEquals(ByteBuffer.allocate(4).putInt(5).array(),
                    raw.db.get(raw.family("default"), "format".getBytes(StandardCharsets.US_ASCII)), "nothing rewritten");
        }
    }

    // ---------------------------------------------------------------- (e) locking

    @Test
    void aSecondOpenInTheSameJvmIsLockedNamingTheHolderAndTheFirstStillWorks() throws Exception {
        Path dir = tmp.resolve("db");
        long me = ProcessHandle.current().pid();
        try (RocksEngine first = open(dir)) {
            first.commit(claims(0, 2));
            StorageException.Locked e = assertThrows(StorageException.Locked.class, () -> open(dir));
            assertTrue(e.getMessage().contains("pid " + me + " "), "names this process as the holder: " + e.getMessage());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            // a failed open must not have released the first one's lock
            assertThrows(StorageException.Locked.class, () -> open(dir));

            first.commit(claims(2, 4));
            assertEquals(4, first.stats().assertions(), "the first handle still writes");
            assertTrue(first.verify().ok());
        }
        try (RocksEngine again = open(dir)) {
            assertEquals(4, again.stats().assertions(), "after closing the first, the database opens again");
        }
    }

    /**
     * Another process sees the database as locked by this one, also after this JVM made (and
     * failed) a second open: on Linux, closing any channel of a file releases every fcntl lock
     * the process holds on it (FileLock's "platform dependencies"), so a failed second open that
     * closed its own channel on stemedb.lock would silently unlock the first.
     */
    @Test
    void anotherProcessIsLockedOutNamingThisProcessEvenAfterAFailedSecondOpenHere() throws Exception {
        Path dir = tmp.resolve("db");
        long me = ProcessHandle.current().pid();
        try (RocksEngine first = open(dir)) {
            first.commit(claims(0, 1));
            String before = tryOpenInAnotherProcess(dir, "try-before");
            assertEquals("LOCKED", before.split(" ")[0], before);
            assertTrue(before.contains("pid " + me + " "), "the other process is told who holds it: " + before);

            assertThrows(StorageException.Locked.class, () -> open(dir));

            String after = tryOpenInAnotherProcess(dir, "try-after");
            assertEquals("LOCKED", after.split(" ")[0], after);
            assertTrue(after.contains("pid " + me + " "),
                    "after a failed second open in this JVM the other process is still told that this one holds it: " + after);
            String holder = Files.readString(dir.resolve(RocksStore.LOCK_FILE));
            assertTrue(holder.contains("pid " + me + " "), "the lock file still names this process: " + holder);
            assertEquals(1, first.stats().assertions());
        }
    }

    /**
     * The same, when the failed second open here names the directory another way: with a
     * trailing "." or through a symbolic link. It is the same directory and the same lock file.
     */
    @Test
    void anotherProcessIsLockedOutEvenAfterAFailedOpenHereThroughAnotherSpellingOfThePath() throws Exception {
        Path dir = tmp.resolve("db");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir.getFileName());
        long me = ProcessHandle.current().pid();
        try (RocksEngine first = open(dir)) {
            first.commit(claims(0, 1));
            assertThrows(StorageException.Locked.class, () -> open(dir.resolve(".")));
            assertThrows(StorageException.Locked.class, () -> open(link));

            String after = tryOpenInAnotherProcess(dir, "try-after-aliases");
            assertEquals("LOCKED", after.split(" ")[0], after);
            assertTrue(after.contains("pid " + me + " "),
                    "after failed opens here through other spellings of the path, another process is still told "
                            + "that this one holds it: " + after);
            String holder = Files.readString(dir.resolve(RocksStore.LOCK_FILE));
            assertTrue(holder.contains("pid " + me + " "), "the lock file still names this process: " + holder);
        }
    }

    private String tryOpenInAnotherProcess(Path dir, String name) throws Exception {
        try (Child child = new Child(tmp.resolve(name + ".stderr"), LockHolderMain.class.getName(), "try", dir.toString())) {
            String line = child.line();
            assertTrue(child.process.waitFor(60, TimeUnit.SECONDS));
            return line;
        }
    }

    @Test
    void aDatabaseHeldByAnotherProcessIsLockedWithItsPidUntilThatProcessIsKilled() throws Exception {
        Path dir = tmp.resolve("db");
        try (Child holder = new Child(tmp.resolve("holder.stderr"), LockHolderMain.class.getName(), "hold", dir.toString())) {
            String[] open = holder.line().split(" ");
            assertEquals("OPEN", open[0]);
            assertEquals(holder.process.pid(), Long.parseLong(open[1]));
            AssertionId written = AssertionId.parse(open[2]);

            StorageException.Locked e = assertThrows(StorageException.Locked.class, () -> open(dir));
            assertTrue(e.getMessage().contains("pid " + holder.process.pid() + " "), "names the holder: " + e.getMessage());

            holder.kill();
            try (RocksEngine engine = open(dir)) {
                assertTrue(engine.contains(written), "the killed holder's acknowledged commit is there");
                assertEquals(1, engine.stats().assertions());
                assertTrue(engine.verify().ok());
            }
        }
    }

    // ---------------------------------------------------------------- (f) read-only

    /**
     * Read-only opening takes no lock, so it works while another handle (here in the same JVM)
     * has the database open for writing. It sees the database as of its opening, including
     * commits still only in the write-ahead log (RocksDB replays it into memory), and nothing the
     * writer commits later. Writes and compaction are refused.
     */
    @Test
    void readOnlyOpenWorksBesideAWriterSeesTheDataAsOfItsOpeningAndRefusesWrites() {
        Path dir = tmp.resolve("db");
        List<Assertion> early = claims(0, 5);
        List<Assertion> late = claims(5, 8);
        try (RocksEngine writer = open(dir)) {
            writer.commit(early);
            // the writer's own index read writes its index entries now, not within Indexer.IDLE_WRITE_MS:
            // the handle opened next needs them for verify
            writer.subjects(null, 1);
            try (RocksEngine reader = openReadOnly(dir)) {
                writer.commit(late);
                assertEquals(5, reader.stats().assertions());
                for (Assertion a : early) {
                    assertEquals(a, reader.get(a.id()).orElseThrow());
                }
                for (Assertion a : late) {
                    assertFalse(reader.contains(a.id()), "a read-only handle does not see later commits");
                }
                assertTrue(reader.verify().ok(), "verify works read-only: " + reader.verify().problems());
                assertThrows(StorageException.ReadOnly.class, () -> reader.commit(claims(100, 101)));
                assertThrows(StorageException.ReadOnly.class, () -> reader.commit(early));
                assertThrows(StorageException.class, reader::compact, "a read-only handle cannot compact");
                assertEquals(NODE, reader.nodeId());
            }
            writer.commit(claims(8, 9));
            assertEquals(9, writer.stats().assertions(), "the writer is unaffected by the reader");
        }
        try (RocksEngine reader = openReadOnly(dir)) {
            assertEquals(9, reader.stats().assertions());
            try (RocksEngine writer = open(dir)) {
                writer.commit(claims(9, 10));
                assertEquals(10, writer.stats().assertions(), "a read-only handle does not keep a writer out");
            }
        }
    }

    @Test
    void readOnlyOpenOfAMissingOrEmptyDirectoryIsIncompatibleAndCreatesNothing() throws IOException {
        Path missing = tmp.resolve("missing");
        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class, () -> openReadOnly(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertFalse(Files.exists(missing), "read-only opening creates no directory");

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThrows(StorageException.Incompatible.class, () -> openReadOnly(empty));
        try (Stream<Path> files = Files.list(empty)) {
            assertEquals(List.of(), files.toList(), "read-only opening creates no file");
        }
    }

    // ---------------------------------------------------------------- (g) (h) damage

    /** A database whose largest table file has 32 bytes flipped in its middle. */
    record Damaged(Path dir, String file, List<Assertion> written) {}

    private Damaged damageTheLargestTableFile() throws IOException {
        Path dir = tmp.resolve("db");
        Random random = new Random(7);
        List<Assertion> written = new ArrayList<>();
        try (RocksEngine engine = open(dir)) {
            for (int batch = 0; batch < 20; batch++) {
                List<Assertion> claims = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    byte[] noise = new byte[120];
                    random.nextBytes(noise);
                    claims.add(claim(batch * 250 + i, HEX.formatHex(noise)));
                }
                engine.commit(claims);
                written.addAll(claims);
            }
            engine.compact();
        }
        Path sst;
        try (Stream<Path> files = Files.list(dir)) {
            sst = files.filter(p -> p.toString().endsWith(".sst"))
                    .max((x, y) -> Long.compare(x.toFile().length(), y.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(sst);
        assertTrue(bytes.length > 100_000, "the largest table file holds the data: " + bytes.length);
        for (int i = bytes.length / 2; i < bytes.length / 2 + 32; i++) {
            bytes[i] ^= (byte) 0xA5;
        }
        Files.write(sst, bytes);
        return new Damaged(dir, sst.getFileName().toString(), written);
    }

    /**
     * Either opening fails with Corruption naming the file, or (what RocksDB 10 does: it reads
     * only a table file's footer, index and filter when opening) verify reports a problem naming
     * the file, and reading the damaged block fails with Corruption naming it too.
     */
    @Test
    void aDamagedTableFileIsReportedNamingTheFile() throws Exception {
        Damaged damaged = damageTheLargestTableFile();
        String name = damaged.file();
        RocksEngine engine;
        try {
            engine = open(damaged.dir());
        } catch (StorageException.Corruption e) {
            assertTrue(e.getMessage().contains(name), "the open failure names " + name + ": " + e.getMessage());
            return;
        }
        try {
            VerifyReport report = engine.verify();
            assertFalse(report.ok(), "verify finds the damage");
            assertTrue(report.problems().stream().anyMatch(p -> p.contains(name)),
                    "a problem names " + name + ": " + report.problems());
            // reading everything hits the damaged block, and the failure says it is corruption
            StorageException.Corruption e = assertThrows(StorageException.Corruption.class,
                    () -> readEverything(engine, damaged.written()));
            assertTrue(e.getMessage().contains(name), "the read failure names " + name + ": " + e.getMessage());
        } finally {
            engine.close();
        }
    }

    /**
     * The report of a damaged table file holds the findings about that file and nothing false: a
     * check that could not read everything must not go on to report the assertions it did not
     * get to as missing.
     */
    @Test
    void aDamagedTableFileYieldsNoFalseFindings() throws Exception {
        Damaged damaged = damageTheLargestTableFile();
        RocksEngine engine;
        try {
            engine = open(damaged.dir());
        } catch (StorageException.Corruption e) {
            return; // nothing to verify
        }
        try {
            VerifyReport report = engine.verify();
            assertFalse(report.ok());
            List<String> unrelated = report.problems().stream().filter(p -> !p.contains(damaged.file())).toList();
            assertEquals(List.of(), unrelated.subList(0, Math.min(3, unrelated.size())),
                    unrelated.size() + " of the " + report.problemCount() + " problems do not name the damaged file "
                            + damaged.file() + " (the first 3 are shown); all of them: " + report.problemCount());
        } finally {
            engine.close();
        }
    }

    private static void readEverything(RocksEngine engine, List<Assertion> written) {
        for (long seq = 0; ; ) {
            List<Change> page = engine.changesSince(seq, 1000);
            if (page.isEmpty()) {
                break;
            }
            seq = page.get(page.size() - 1).sequence();
        }
        for (Assertion a : written) {
            Claim c = (Claim) a;
            engine.get(a.id());
            engine.evidence(c.subject(), c.predicate());
            engine.subjectsWith(c.predicate(), c.value());
            engine.bySource(c.source());
        }
    }

    @Test
    void aRecordWithOtherBytesIsReportedByItsId() throws Exception {
        Path dir = tmp.resolve("db");
        List<Assertion> all = new ArrayList<>(claims(0, 20));
        Retraction r = Retraction.of(all.get(3).id(), "ops", Hlc.of(BASE_MS + 100, 0, NODE), null);
        all.add(r);
        try (RocksEngine engine = open(dir)) {
            engine.commit(all);
            assertTrue(engine.verify().ok());
        }
        Claim damaged = (Claim) all.get(5);
        Claim other = claim(5, "VALUE 5");
        try (RawDb raw = new RawDb(dir)) {
            byte[] factKey = Keys.factKey(damaged.subject(), damaged.predicate());
            byte[] head = raw.db.get(raw.family("facts"), factKey);
            byte[] original = damaged.canonicalBytes();
            byte[] replaced = replace(head, original, other.canonicalBytes());
            raw.db.put(raw.family("facts"), factKey, replaced);
        }
        try (RocksEngine engine = open(dir)) {
            VerifyReport report = engine.verify();
            assertFalse(report.ok());
            assertTrue(report.problems().stream().anyMatch(p -> p.contains(other.id().toString()))
                            && report.problems().stream().anyMatch(p -> p.contains(HEX.formatHex(damaged.id().toBytes()))),
                    "names the id the entry should hold and the one it holds now: " + report.problems());
        }
    }

    /** {@code from} with its one occurrence of {@code what} replaced by {@code with} of the same length. */
    static byte[] replace(byte[] from, byte[] what, byte[] with) {
        for (int i = 0; i + what.length <= from.length; i++) {
            if (java.util.Arrays.equals(from, i, i + what.length, what, 0, what.length)) {
                byte[] out = from.clone();
                assertEquals(what.length, with.length, "a same-length replacement");
                System.arraycopy(with, 0, out, i, with.length);
                return out;
            }
        }
        throw new AssertionError("the bytes to replace are not there");
    }

    @Test
    void aMissingIndexEntryIsReportedByItsKeyAndId() throws Exception {
        Path dir = tmp.resolve("db");
        List<Assertion> all = claims(0, 20);
        try (RocksEngine engine = open(dir)) {
            engine.commit(all);
        }
        Claim victim = (Claim) all.get(8);
        byte[] key = victim.id().toBytes();
        try (RawDb raw = new RawDb(dir)) {
            assertNotNull(raw.db.get(raw.family("assertions"), key), "the ids entry exists before");
            raw.db.delete(raw.family("assertions"), key);
        }
        try (RocksEngine engine = open(dir)) {
            VerifyReport report = engine.verify();
            assertFalse(report.ok());
            assertTrue(report.problems().stream().anyMatch(p -> p.contains("missing assertions entry of " + victim.id())),
                    "names the claim " + victim.id() + ": " + report.problems());
            assertFalse(engine.contains(victim.id()), "(the damage is real: the id is not found)");
        }
    }

    @Test
    void anIndexEntryNamingNoStoredAssertionIsReportedByItsKey() throws Exception {
        Path dir = tmp.resolve("db");
        try (RocksEngine engine = open(dir)) {
            engine.commit(claims(0, 10));
        }
        Claim ghost = claim(99);
        byte[] key = Keys.sourceKey(ghost.source(), ghost.hlc(), 99);
        try (RawDb raw = new RawDb(dir)) {
            raw.db.put(raw.family("sources"), key, new byte[0]);
        }
        try (RocksEngine engine = open(dir)) {
            VerifyReport report = engine.verify();
            assertEquals(1, report.problemCount(), report.problems().toString());
            assertTrue(report.problems().get(0).contains(HEX.formatHex(key)), report.problems().toString());
        }
    }

    // ---------------------------------------------------------------- durability settings

    @Test
    void aBackgroundSyncDatabaseClosesCleanlyAndItsWritesSurviveReopening() {
        Path dir = tmp.resolve("db");
        RocksSettings background = new RocksSettings(false, false, Duration.ofMillis(20), 64L << 20, 32L << 20, 64L << 20);
        List<Assertion> written = new ArrayList<>();
        try (RocksEngine engine = RocksEngine.open(dir, background, NODE)) {
            for (int i = 0; i < 10; i++) {
                List<Assertion> batch = claims(i * 10, i * 10 + 10);
                engine.commit(batch);
                written.addAll(batch);
            }
        }
        try (RocksEngine engine = RocksEngine.open(dir, background, NODE)) {
            for (Assertion a : written) {
                assertEquals(a, engine.get(a.id()).orElseThrow());
            }
            assertEquals(written.size(), engine.stats().assertions());
            assertTrue(engine.verify().ok());
            engine.close();
            assertThrows(EngineClosedException.class, () -> engine.commit(claims(500, 501)));
        }
    }

    // ---------------------------------------------------------------- (i) disk full

    /**
     * On a 16 MiB tmpfs nearly filled by another file, commits go on until one fails for lack of
     * space; it fails with {@link StorageException.DiskFull}. After space is freed, the database
     * reopens with every acknowledged commit and verifies clean. Needs root (mount); skipped where
     * mounting is not permitted.
     */
    @Test
    void aFullDiskFailsTheCommitWithDiskFullAndLosesNothingAcknowledged() throws Exception {
        Path mount = Files.createDirectory(tmp.resolve("small"));
        Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String mountOutput = new String(mounting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(mounting.waitFor() == 0, "mounting a tmpfs is not permitted here: " + mountOutput);
        try {
            Path dir = mount.resolve("db");
            Path filler = mount.resolve("filler");
            List<Assertion> acknowledged = new ArrayList<>();
            List<Assertion> failedBatch = null;
            StorageException failure = null;
            RocksEngine engine = open(dir);
            try {
                long usable = Files.getFileStore(mount).getUsableSpace();
                try (OutputStream out = Files.newOutputStream(filler)) {
                    byte[] chunk = new byte[1 << 16];
                    for (long left = usable - (3L << 20); left > 0; left -= chunk.length) {
                        out.write(chunk, 0, (int) Math.min(chunk.length, left));
                    }
                }
                Random random = new Random(11);
                for (int batch = 0; batch < 10_000 && failure == null; batch++) {
                    List<Assertion> claims = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        byte[] noise = new byte[400];
                        random.nextBytes(noise);
                        claims.add(claim(batch * 50 + i, HEX.formatHex(noise)));
                    }
                    try {
                        engine.commit(claims);
                        acknowledged.addAll(claims);
                    } catch (StorageException e) {
                        failure = e;
                        failedBatch = claims;
                    }
                }
                assertNotNull(failure, "commits fail once the disk is full");
                assertTrue(failure instanceof StorageException.DiskFull,
                        "a full disk is reported as DiskFull, got " + failure.getClass().getName() + ": " + failure.getMessage());
                assertTrue(acknowledged.size() > 0, "some commits succeeded before the disk filled");
                for (Assertion a : failedBatch) {
                    assertFalse(engine.contains(a.id()), "nothing of the failed commit is visible");
                }
                // RocksDB stops writing after the error: the next commit fails the same way (and,
                // on the same handle, goes on failing even once space is freed: reopen to recover)
                assertThrows(StorageException.DiskFull.class, () -> engine.commit(claims(2_000_000, 2_000_001)));
            } finally {
                Files.deleteIfExists(filler);
                try {
                    engine.close();
                } catch (StorageException e) {
                    // closing after a write error may itself fail; the reopen below is what matters
                }
            }
            try (RocksEngine reopened = open(dir)) {
                for (Assertion a : acknowledged) {
                    assertTrue(reopened.contains(a.id()), "acknowledged " + a.id() + " survives the full disk");
                }
                long stored = reopened.stats().assertions();
                List<AssertionId> failedIds = failedBatch.stream().map(Assertion::id).collect(Collectors.toList());
                long failedPresent = failedIds.stream().filter(reopened::contains).count();
                assertTrue(failedPresent == 0 || failedPresent == failedIds.size(), "the failed commit is all or nothing");
                assertEquals(acknowledged.size() + failedPresent, stored, "nothing else is stored");
                VerifyReport report = reopened.verify();
                assertTrue(report.ok(), report.problems().toString());
                reopened.commit(claims(1_000_000, 1_000_005));
                assertEquals(stored + 5, reopened.stats().assertions(), "writes work again after space is freed");
            }
        } finally {
            Process umount = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
            String out = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (umount.waitFor() != 0) {
                new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
                fail("umount " + mount + " failed: " + out);
            }
        }
    }
}
