package io.stemedb.storage;

import io.stemedb.internal.DurableFiles;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Change;
import io.stemedb.model.StemeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites a database of storage format 1 into format 2 ({@code stemedb upgrade DIR}).
 *
 * <p><b>Design.</b> The format-1 database is only ever read: it is opened read-only by RocksDB
 * itself (naming its eight column families, its info log sent to a temporary directory so that
 * nothing in its directory changes). Its arrival log (sequence -> id) is read in order, a page at
 * a time, and each record is fetched from its {@code assertions} family (id -> canonical record),
 * re-hashed against its id and decoded strictly; the page is committed through the ordinary
 * commit path of a new format-2 engine with the same node id, in a sibling directory
 * {@code DIR.upgrading}. Committing in the original arrival order gives every assertion its
 * original sequence number (checked as it goes), so the change feed is unchanged, and the commit
 * path computes every entry, index, digest and placement of waiting retractions as it always
 * does. The new database is flushed, reopened and verified; only when it is clean are the
 * directories swapped: {@code DIR} becomes {@code DIR.format1-<UTC time>} (kept; delete it once
 * satisfied) and {@code DIR.upgrading} becomes {@code DIR}.
 *
 * <p>The swap is two renames, made crash-safe by a small file beside them,
 * {@code DIR.upgrade-swap}, naming the format-1 directory's new name, written and synced before
 * the first rename and deleted after the second. {@link #finishInterruptedSwap} (called by every
 * open and every upgrade) completes a swap it finds: whichever rename is missing is done. A crash
 * before the swap file leaves {@code DIR} untouched and a {@code DIR.upgrading} that the next
 * upgrade deletes and starts again.
 */
public final class RocksUpgrade {
    private static final Logger LOG = LoggerFactory.getLogger(RocksUpgrade.class);
    /** Assertions read and committed at a time. */
    static final int PAGE = 4096;
    /** The column families of format 1, as its code declared them. */
    private static final List<String> FORMAT1_FAMILIES = List.of("default", "assertions", "log", "facts", "values", "sources",
            "retractions", "digests");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private RocksUpgrade() {}

    /**
     * What an upgrade did.
     *
     * @param assertions the assertions rewritten, each with its original sequence number
     * @param format1Directory where the format-1 database now is (kept, untouched); null when
     *     it was deleted (an upgrade of a freshly restored backup)
     * @param took how long the rewrite and the verify took
     */
    public record Report(long assertions, Path format1Directory, Duration took) {}

    /** Hears the upgrade's progress: assertions rewritten so far, of {@code total}. */
    @FunctionalInterface
    public interface Listener {
        void progress(String phase, long done, long total);
    }

    /** The sibling directory the new database is built in. */
    static Path upgrading(Path directory) {
        return directory.resolveSibling(directory.getFileName() + ".upgrading");
    }

    /** The file that makes the swap of directories crash-safe. */
    static Path swapFile(Path directory) {
        return directory.resolveSibling(directory.getFileName() + ".upgrade-swap");
    }

    /** Whether {@code directory} holds a database of format 1 (the format-1 code's families and format record). */
    public static boolean isFormat1(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        finishInterruptedSwap(dir);
        if (!Files.exists(dir.resolve("CURRENT")) || Files.exists(dir.resolve(RocksStore.FORMAT_MARKER))) {
            return false;
        }
        try (Format1 v1 = Format1.open(dir)) {
            return v1.format() == RocksStore.UPGRADABLE_FORMAT;
        } catch (StorageException.Incompatible e) {
            return false;
        }
    }

    /**
     * Upgrades the format-1 database in {@code directory} to format 2, offline (no process may
     * have it open). See the class comment for how; the format-1 files are not modified, and stay
     * beside the new database unless {@code keepFormat1} is false.
     *
     * @throws StorageException.Incompatible if {@code directory} is not a format-1 database
     * @throws StorageException.Corruption if a format-1 record does not hash to its id or the
     *     log has a gap; the format-1 database is left as it was
     */
    public static Report upgrade(Path directory, boolean keepFormat1, Listener listener) {
        Path dir = directory.toAbsolutePath().normalize();
        finishInterruptedSwap(dir);
        long started = System.nanoTime();
        Path target = upgrading(dir);
        deleteTree(target);
        long count;
        try (Format1 v1 = Format1.open(dir); AutoCloseable lock = v1.lockIfPresent()) {
            if (v1.format() != RocksStore.UPGRADABLE_FORMAT) {
                throw new StorageException.Incompatible(dir + " holds storage format " + v1.format() + ", not format "
                        + RocksStore.UPGRADABLE_FORMAT + "; only format " + RocksStore.UPGRADABLE_FORMAT + " is upgraded");
            }
            count = rewrite(v1, target, listener);
        } catch (RuntimeException | Error e) {
            deleteQuietly(target);
            throw e;
        } catch (Exception e) {
            deleteQuietly(target);
            throw new StorageException("cannot lock " + dir + " for the upgrade: " + e.getMessage(), e);
        }
        try (RocksEngine check = RocksEngine.open(target, RocksSettings.DEFAULT, 0)) {
            listener.progress("upgrade: verifying", 0, count);
            VerifyReport report = check.verify();
            if (!report.ok() || check.lastSequence() != count) {
                throw new StorageException.Corruption("the upgraded database does not verify clean (" + report
                        + "); the format-1 database at " + dir + " is unchanged; report this", null);
            }
        } catch (RuntimeException | Error e) {
            deleteQuietly(target);
            throw e;
        }
        Path old = dir.resolveSibling(dir.getFileName() + ".format1-" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP));
        swap(dir, target, old);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (!keepFormat1) {
            deleteTree(old);
            old = null;
        }
        LOG.info("upgraded {} to storage format {}: {} assertions in {}; the format-1 database is at {}", dir,
                RocksStore.FORMAT_VERSION, count, took, old);
        return new Report(count, old, took);
    }

    /** Commits every format-1 assertion, in arrival order, into a new format-2 database at {@code target}. */
    private static long rewrite(Format1 v1, Path target, Listener listener) {
        RocksSettings settings = new RocksSettings(false, false, Duration.ofSeconds(1), 64L << 20, 32L << 20, 0);
        long total = v1.lastSequence();
        long done = 0;
        try (RocksEngine engine = RocksEngine.open(target, settings, v1.nodeId())) {
            if (engine.nodeId() != v1.nodeId()) {
                throw new StorageException(target + " already held a database; delete it and upgrade again");
            }
            long next = 1;
            while (true) {
                List<Assertion> page = v1.page(next, PAGE);
                if (page.isEmpty()) {
                    break;
                }
                List<Change> changes = engine.commit(page);
                for (int i = 0; i < page.size(); i++) {
                    if (i >= changes.size() || changes.get(i).sequence() != next + i
                            || !changes.get(i).assertion().id().equals(page.get(i).id())) {
                        throw new StorageException.Corruption("the format-1 log holds assertion " + page.get(i).id()
                                + " twice, or out of order, at sequence " + (next + i) + "; the format-1 database is "
                                + "unchanged: verify it with the StemeDB version that wrote it", null);
                    }
                }
                next += page.size();
                done += page.size();
                listener.progress("upgrade: rewriting", done, total);
            }
        }
        if (done != total) {
            throw new StorageException.Corruption("the format-1 log holds " + done + " assertions but its counters say "
                    + total + "; the format-1 database is unchanged: verify it with the StemeDB version that wrote it", null);
        }
        return done;
    }

    /**
     * Swaps the directories: the swap file first (synced, with its directory), then the two
     * renames, then the swap file is deleted.
     */
    private static void swap(Path dir, Path upgraded, Path old) {
        Path swap = swapFile(dir);
        try {
            Path temp = swap.resolveSibling(swap.getFileName() + ".tmp");
            DurableFiles.write(temp, old.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            Files.move(temp, swap, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(dir.getParent());
        } catch (IOException e) {
            throw new StorageException("cannot write " + swap + ": " + e.getMessage() + "; the format-1 database at " + dir
                    + " is unchanged, the upgraded one is at " + upgraded, e);
        }
        finishInterruptedSwap(dir);
    }

    /**
     * Completes a swap of directories that an upgrade began ({@code DIR.upgrade-swap} exists):
     * renames {@code DIR} to the format-1 name it records unless done, then
     * {@code DIR.upgrading} to {@code DIR} unless done, then deletes the swap file. Does nothing
     * when there is no swap file. Called by every open of a RocksDB database.
     */
    public static void finishInterruptedSwap(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        if (dir.getParent() == null) {
            return;
        }
        Path swap = swapFile(dir);
        if (!Files.exists(swap)) {
            return;
        }
        try {
            Path old = dir.resolveSibling(new String(Files.readAllBytes(swap), StandardCharsets.UTF_8).trim());
            Path upgraded = upgrading(dir);
            if (Files.exists(upgraded)) {
                if (Files.exists(dir)) {
                    if (Files.exists(old)) {
                        throw new StorageException.Incompatible("cannot finish the upgrade of " + dir + ": " + dir + ", "
                                + upgraded + " and " + old + " all exist; keep the one you want as " + dir
                                + " and delete " + swap);
                    }
                    Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(upgraded, dir, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.syncDirectory(dir.getParent());
                LOG.info("finished the upgrade of {}: the format-1 database is at {}", dir, old);
            }
            Files.delete(swap);
            DurableFiles.syncDirectory(dir.getParent());
        } catch (IOException e) {
            throw new StorageException("cannot finish the upgrade of " + dir + " (" + e.getMessage() + "); the swap file "
                    + swap + " names where the format-1 database goes: rename it there by hand, rename " + upgrading(dir)
                    + " to " + dir + ", and delete " + swap, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (RuntimeException e) {
            LOG.warn("could not delete {} after a failed upgrade; delete it by hand", dir, e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new StorageException("cannot delete " + dir + ": " + e.getMessage() + "; delete it by hand", e);
        }
    }

    /**
     * A format-1 database opened read-only by RocksDB: its format record, node id, counters, and
     * its assertions in arrival order. Its info log goes to a temporary directory, so opening it
     * writes nothing in its directory.
     */
    private static final class Format1 implements AutoCloseable {
        private final Path directory;
        private final RocksStore.QuietLog logDir;
        private final DBOptions options;
        private final RocksDB db;
        private final List<ColumnFamilyHandle> handles;

        private Format1(Path directory, RocksStore.QuietLog logDir, DBOptions options, RocksDB db, List<ColumnFamilyHandle> handles) {
            this.directory = directory;
            this.logDir = logDir;
            this.options = options;
            this.db = db;
            this.handles = handles;
        }

        static Format1 open(Path directory) {
            RocksDB.loadLibrary();
            List<String> found = new ArrayList<>();
            try (Options listing = new Options()) {
                for (byte[] name : RocksDB.listColumnFamilies(listing, directory.toString())) {
                    found.add(new String(name, StandardCharsets.US_ASCII));
                }
            } catch (RocksDBException e) {
                throw new StorageException.Incompatible(directory + " is not a RocksDB database (" + e.getMessage() + ")");
            }
            if (!found.containsAll(FORMAT1_FAMILIES) || !FORMAT1_FAMILIES.containsAll(found)) {
                throw new StorageException.Incompatible(directory + " does not have the column families of a format-1 "
                        + "StemeDB database (it has " + found + ")");
            }
            RocksStore.QuietLog logDir = new RocksStore.QuietLog();
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : FORMAT1_FAMILIES) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII)));
            }
            DBOptions options = new DBOptions().setDbLogDir(logDir.path().toString());
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try {
                RocksDB db = RocksDB.openReadOnly(options, directory.toString(), descriptors, handles);
                return new Format1(directory, logDir, options, db, handles);
            } catch (RocksDBException e) {
                handles.forEach(ColumnFamilyHandle::close);
                options.close();
                logDir.close();
                throw StorageException.of("opening the format-1 database at " + directory + " read-only", e);
            }
        }

        private ColumnFamilyHandle family(String name) {
            return handles.get(FORMAT1_FAMILIES.indexOf(name));
        }

        private byte[] meta(String key) {
            try {
                return db.get(family("default"), key.getBytes(StandardCharsets.US_ASCII));
            } catch (RocksDBException e) {
                throw StorageException.of("reading the format-1 database's " + key + " record", e);
            }
        }

        int format() {
            byte[] format = meta("format");
            return format == null || format.length != 4 ? 0 : ByteBuffer.wrap(format).getInt();
        }

        long nodeId() {
            byte[] node = meta("node");
            if (node == null || node.length != 8) {
                throw new StorageException.Corruption("the node id record of the format-1 database at " + directory
                        + " is missing or damaged; it cannot be upgraded", null);
            }
            return ByteBuffer.wrap(node).getLong();
        }

        /** The last sequence of format 1's state record (u64 first), 0 without one. */
        long lastSequence() {
            byte[] state = meta("state");
            return state == null ? 0 : ByteBuffer.wrap(state).getLong();
        }

        /** Up to {@code limit} assertions from sequence {@code from} on, each re-hashed against its id. */
        List<Assertion> page(long from, int limit) {
            List<byte[]> ids = new ArrayList<>();
            try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(family("log"), ro)) {
                long expected = from;
                for (it.seek(Keys.sequenceKey(from)); it.isValid() && ids.size() < limit; it.next()) {
                    long sequence = Keys.sequenceOf(it.key());
                    if (sequence != expected || it.value().length != AssertionId.LENGTH) {
                        throw new StorageException.Corruption("the format-1 log is damaged at sequence " + expected
                                + "; the format-1 database is unchanged: verify it with the StemeDB version that wrote it", null);
                    }
                    ids.add(it.value());
                    expected++;
                }
                it.status();
            } catch (RocksDBException e) {
                throw StorageException.of("reading the format-1 log", e);
            }
            if (ids.isEmpty()) {
                return List.of();
            }
            List<ColumnFamilyHandle> families = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                families.add(family("assertions"));
            }
            List<byte[]> records;
            try {
                records = db.multiGetAsList(families, ids);
            } catch (RocksDBException e) {
                throw StorageException.of("reading format-1 records", e);
            }
            List<Assertion> page = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                AssertionId id = AssertionId.fromBytes(ids.get(i));
                byte[] record = records.get(i);
                if (record == null) {
                    throw new StorageException.Corruption("the format-1 log names " + id + " at sequence " + (from + i)
                            + " but its record is missing; the format-1 database is unchanged: restore it from a backup", null);
                }
                try {
                    page.add(CanonicalCodec.decodeVerified(id, record));
                } catch (StemeException e) {
                    throw new StorageException.Corruption("the format-1 record of " + id + " (sequence " + (from + i)
                            + ") is damaged: " + e.getMessage() + "; the format-1 database is unchanged: restore it from a "
                            + "backup", e);
                }
            }
            return page;
        }

        /**
         * Locks the format-1 database's lock file, if it has one, so that no StemeDB process
         * writes it meanwhile; the file's content is left as it is.
         */
        AutoCloseable lockIfPresent() throws IOException {
            Path file = directory.resolve(RocksStore.LOCK_FILE);
            if (!Files.exists(file)) {
                return () -> { };
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = RocksStore.tryLock(channel);
            if (lock == null) {
                channel.close();
                throw new StorageException.Locked("the database at " + directory + " is open in another process; close "
                        + "it there first, then upgrade", null);
            }
            FileLock held = lock;
            return () -> {
                try (channel) {
                    held.release();
                }
            };
        }

        @Override
        public void close() {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            options.close();
            logDir.close();
        }
    }
}
