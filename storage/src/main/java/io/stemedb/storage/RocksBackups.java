package io.stemedb.storage;

import io.stemedb.model.AssertionId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.rocksdb.BackupEngine;
import org.rocksdb.BackupEngineOptions;
import org.rocksdb.Env;
import org.rocksdb.RestoreOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Native backups of a RocksDB engine with RocksDB's {@link BackupEngine}: online (writers keep
 * writing), incremental (table files already in the backup directory are shared, not copied
 * again), with retention, listing and restore into a new directory.
 *
 * <p><b>Consistency.</b> A backup copies the live table files and the write-ahead log as of one
 * moment, without flushing first, so restoring replays the log exactly as crash recovery does:
 * a restored database holds every commit acknowledged before the backup started, possibly some
 * later ones, and never part of a commit (each commit is one write batch, atomic in the log).
 *
 * <p><b>Threading.</b> Thread-safe. Every operation on a backup directory (create, list, restore)
 * holds a lock on that directory: a lock in this JVM and an OS file lock on
 * {@value #LOCK_FILE} in the directory, so that concurrent backups into one directory, from
 * threads or processes, take turns (RocksDB's BackupEngine must not be used by two at once on one
 * directory). Listing or restoring from a directory that holds no backup writes nothing to it.
 */
public final class RocksBackups {
    private static final Logger LOG = LoggerFactory.getLogger(RocksBackups.class);
    /** The lock file in a backup directory; its OS lock is held while the directory is used. */
    public static final String LOCK_FILE = "stemedb-backups.lock";
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private RocksBackups() {}

    /** One backup in a backup directory. */
    public record BackupInfo(int id, Instant createdAt, long sizeBytes, int files) {}

    /**
     * Backs up {@code engine} into {@code backupDir} (created if missing), then deletes all but
     * the newest {@code keepLast} backups there.
     *
     * @return the new backup
     */
    public static BackupInfo create(RocksEngine engine, Path backupDir, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
        }
        Path database = engine.directory().toAbsolutePath().normalize();
        if (backupDir.toAbsolutePath().normalize().startsWith(database)) {
            throw new StorageException.Incompatible("the backup directory " + backupDir + " is inside the database "
                    + "directory " + database + ", where a lost disk or a deleted database takes the backups with it; "
                    + "back up into a directory outside it, preferably on another disk");
        }
        createDirectories(backupDir);
        return locked(backupDir, () -> engine.withDatabase(db -> {
            refuseReadOnly(db, engine);
            try (BackupEngine backups = open(backupDir)) {
                backups.createNewBackup(db, false);
                backups.purgeOldBackups(keepLast);
                List<org.rocksdb.BackupInfo> all = backups.getBackupInfo();
                return toInfo(all.get(all.size() - 1));
            } catch (RocksDBException e) {
                throw StorageException.of("backing up to " + backupDir, e);
            }
        }));
    }

    /** The backups in {@code backupDir}, oldest first; empty if there are none. */
    public static List<BackupInfo> list(Path backupDir) {
        if (!holdsBackups(backupDir)) {
            return List.of();
        }
        RocksDB.loadLibrary();
        return locked(backupDir, () -> {
            try (BackupEngine backups = open(backupDir)) {
                List<BackupInfo> result = new ArrayList<>();
                backups.getBackupInfo().forEach(i -> result.add(toInfo(i)));
                return result;
            } catch (RocksDBException e) {
                throw StorageException.of("listing the backups in " + backupDir, e);
            }
        });
    }

    /**
     * Restores backup {@code backupId} (or the newest, when null) from {@code backupDir} into
     * {@code targetDir}, which must not exist or be empty; open it afterwards like any database.
     */
    public static BackupInfo restore(Path backupDir, @Nullable Integer backupId, Path targetDir) {
        if (!Files.isDirectory(backupDir)) {
            throw new StorageException.Incompatible("there is no backup directory at " + backupDir);
        }
        if (Files.exists(targetDir) && (!Files.isDirectory(targetDir) || !isEmpty(targetDir))) {
            throw new StorageException.Incompatible("restore needs a new or empty directory, and " + targetDir
                    + " is not; choose another target (restore never overwrites a database)");
        }
        if (!holdsBackups(backupDir)) {
            throw new StorageException.Incompatible("the backup directory " + backupDir + " holds no backup");
        }
        RocksDB.loadLibrary();
        return locked(backupDir, () -> {
            boolean created = !Files.exists(targetDir);
            RocksDBException failure = null;
            org.rocksdb.BackupInfo chosen;
            try (BackupEngine backups = open(backupDir); RestoreOptions options = new RestoreOptions(false)) {
                List<org.rocksdb.BackupInfo> all = backups.getBackupInfo();
                if (all.isEmpty()) {
                    throw new StorageException.Incompatible("the backup directory " + backupDir + " holds no backup");
                }
                chosen = all.get(all.size() - 1);
                if (backupId != null) {
                    chosen = all.stream().filter(i -> i.backupId() == backupId).findFirst().orElseThrow(() ->
                            new StorageException.Incompatible("there is no backup " + backupId + " in " + backupDir
                                    + "; list them to see which exist"));
                }
                createDirectories(targetDir);
                try {
                    backups.restoreDbFromBackup(chosen.backupId(), targetDir.toString(), targetDir.toString(), options);
                } catch (RocksDBException e) {
                    failure = e;
                }
            } catch (RocksDBException e) {
                throw StorageException.of("opening the backup directory " + backupDir, e);
            }
            if (failure != null) {
                // Only now, with the backup engine closed, have its copying threads stopped: RocksDB
                // returns the first failed file while others are still being copied. Never leave a
                // half-restored database that could be opened by mistake.
                List<IOException> left = deleteContents(targetDir, created);
                StorageException e = StorageException.of("restoring backup " + chosen.backupId() + " from " + backupDir + " into "
                        + targetDir + (left.isEmpty() ? " (the target was cleared again)"
                                : " (clearing the target failed for " + left.size() + " files: delete " + targetDir
                                        + " before using it, it holds a partial restore)"), failure);
                left.forEach(e::addSuppressed);
                throw e;
            }
            return toInfo(chosen);
        });
    }

    /** A backup that holds the content of claims the database has erased since: how many of them. */
    public record ErasedInBackup(BackupInfo backup, long erasedClaims) {}

    /** What {@link #purgeErased} did: the backups it deleted, and the fresh backup that replaced them (null if none was needed). */
    public record PurgeReport(List<ErasedInBackup> deleted, @Nullable BackupInfo fresh) {}

    /**
     * The backups in {@code backupDir} that still hold the content of a claim {@code engine} has
     * erased: each is restored into a temporary directory, opened read-only and asked for every
     * id the engine marks erased. A backup made after an erasure holds none of what it erased
     * (backups copy the live files, which the erasure rewrote); one made before holds what was
     * stored then. Costs a restore per backup; the temporary copies are deleted.
     */
    public static List<ErasedInBackup> holdingErased(RocksEngine engine, Path backupDir) {
        List<AssertionId> erased = engine.erasedIds();
        List<ErasedInBackup> holding = new ArrayList<>();
        if (erased.isEmpty()) {
            return holding;
        }
        for (BackupInfo backup : list(backupDir)) {
            long held = countHeld(backupDir, backup, erased);
            if (held > 0) {
                holding.add(new ErasedInBackup(backup, held));
            }
        }
        return holding;
    }

    /**
     * Expires the backups that hold erased content ({@link #holdingErased}): deletes them (RocksDB
     * deletes the table files no remaining backup shares), then, when it deleted any, takes a fresh
     * backup of the database, which holds none, so that the directory still has a current backup.
     * Backups are expired rather than rewritten: a rewritten old state would be numbered as the
     * newest backup and restored in place of the current one.
     */
    public static PurgeReport purgeErased(RocksEngine engine, Path backupDir) {
        List<ErasedInBackup> holding = holdingErased(engine, backupDir);
        if (holding.isEmpty()) {
            return new PurgeReport(List.of(), null);
        }
        locked(backupDir, () -> {
            try (BackupEngine backups = open(backupDir)) {
                for (ErasedInBackup h : holding) {
                    backups.deleteBackup(h.backup().id());
                }
                backups.garbageCollect();
            } catch (RocksDBException e) {
                throw StorageException.of("deleting the backups in " + backupDir + " that hold erased content", e);
            }
            return null;
        });
        BackupInfo fresh = create(engine, backupDir, Integer.MAX_VALUE);
        return new PurgeReport(holding, fresh);
    }

    /** How many of {@code erased} the backup holds, read from a restored, read-only copy. */
    private static long countHeld(Path backupDir, BackupInfo backup, List<AssertionId> erased) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("stemedb-backup-check-");
        } catch (IOException e) {
            throw new StorageException("cannot create a temporary directory to check backup " + backup.id() + ": "
                    + e.getMessage() + "; set java.io.tmpdir to a disk with room for one restored backup", e);
        }
        Path copy = scratch.resolve("db");
        try {
            restore(backupDir, backup.id(), copy);
            RocksSettings readOnly = new RocksSettings(true, false, java.time.Duration.ofSeconds(1), 8L << 20, 8L << 20, 0);
            try (RocksEngine restored = RocksEngine.open(copy, readOnly, 0)) {
                long held = 0;
                for (AssertionId id : erased) {
                    if (restored.contains(id)) {
                        held++;
                    }
                }
                return held;
            }
        } finally {
            List<IOException> left = deleteContents(scratch, true);
            if (!left.isEmpty()) {
                LOG.warn("could not delete {} files of the temporary copy of backup {} in {}; delete it to free its space",
                        left.size(), backup.id(), scratch, left.get(0));
            }
        }
    }

    /**
     * A database opened read-only cannot be backed up: RocksDB's backup of it silently leaves out
     * the write-ahead log, so every write not yet flushed into a table file (after a normal close,
     * usually the most recent ones, often all of them) would be missing from the backup. RocksDB
     * refuses to disable file deletions in read-only mode, which is how this is detected.
     */
    private static void refuseReadOnly(RocksDB db, RocksEngine engine) {
        try {
            db.disableFileDeletions();
        } catch (RocksDBException e) {
            if (e.getStatus() != null && e.getStatus().getCode() == org.rocksdb.Status.Code.NotSupported) {
                throw new StorageException.Incompatible("the database at " + engine.directory() + " is open read-only, "
                        + "and a backup of it would miss the writes still in its log; back up from the process that has "
                        + "it open for writing (backups are online), or open it read-write");
            }
            throw StorageException.of("preparing the backup of " + engine.directory(), e);
        }
        try {
            db.enableFileDeletions();
        } catch (RocksDBException e) {
            throw StorageException.of("preparing the backup of " + engine.directory(), e);
        }
    }

    /** True when {@code dir} has the metadata directory of RocksDB backups. */
    private static boolean holdsBackups(Path dir) {
        return Files.isDirectory(dir) && Files.isDirectory(dir.resolve("meta"));
    }

    /**
     * Runs {@code body} holding the lock of {@code backupDir}: this JVM's, then the OS file lock,
     * which waits for another process using the directory to finish.
     */
    private static <T> T locked(Path backupDir, Supplier<T> body) {
        Path key;
        try {
            key = backupDir.toRealPath(); // one lock however the directory is named (symbolic links included)
        } catch (IOException e) {
            key = backupDir.toAbsolutePath().normalize();
        }
        ReentrantLock lock = LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try (FileChannel channel = FileChannel.open(key.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock fileLock = channel.lock();
            try {
                return body.get();
            } finally {
                fileLock.release();
            }
        } catch (IOException e) {
            throw new StorageException("cannot lock the backup directory " + backupDir + ": " + e
                    + "; check its permissions", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes what is in {@code dir}, and {@code dir} itself when {@code andDir}; goes on past a
     * file it cannot delete and returns each such failure (empty: all gone), for the caller to report.
     */
    private static List<IOException> deleteContents(Path dir, boolean andDir) {
        List<IOException> failures = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).filter(p -> andDir || !p.equals(dir)).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    failures.add(e);
                }
            });
        } catch (IOException e) {
            failures.add(e);
        } catch (UncheckedIOException e) {
            failures.add(e.getCause());
        }
        return failures;
    }

    private static BackupEngine open(Path backupDir) throws RocksDBException {
        try (BackupEngineOptions options = new BackupEngineOptions(backupDir.toString())) {
            return BackupEngine.open(Env.getDefault(), options);
        }
    }

    private static BackupInfo toInfo(org.rocksdb.BackupInfo i) {
        return new BackupInfo(i.backupId(), Instant.ofEpochSecond(i.timestamp()), i.size(), i.numberFiles());
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new StorageException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
