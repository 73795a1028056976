package io.stemedb.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
 * Thread-safe: backups of one engine are serialized by the engine.
 */
public final class RocksBackups {
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
        createDirectories(backupDir);
        return engine.withDatabase(db -> {
            try (BackupEngine backups = open(backupDir)) {
                backups.createNewBackup(db, false);
                backups.purgeOldBackups(keepLast);
                List<org.rocksdb.BackupInfo> all = backups.getBackupInfo();
                return toInfo(all.get(all.size() - 1));
            } catch (RocksDBException e) {
                throw StorageException.of("backing up to " + backupDir, e);
            }
        });
    }

    /** The backups in {@code backupDir}, oldest first; empty if there are none. */
    public static List<BackupInfo> list(Path backupDir) {
        if (!Files.isDirectory(backupDir)) {
            return List.of();
        }
        RocksDB.loadLibrary();
        try (BackupEngine backups = open(backupDir)) {
            List<BackupInfo> result = new ArrayList<>();
            backups.getBackupInfo().forEach(i -> result.add(toInfo(i)));
            return result;
        } catch (RocksDBException e) {
            throw StorageException.of("listing the backups in " + backupDir, e);
        }
    }

    /**
     * Restores backup {@code backupId} (or the newest, when null) from {@code backupDir} into
     * {@code targetDir}, which must not exist or be empty; open it afterwards like any database.
     */
    public static BackupInfo restore(Path backupDir, Integer backupId, Path targetDir) {
        if (!Files.isDirectory(backupDir)) {
            throw new StorageException.Incompatible("there is no backup directory at " + backupDir);
        }
        if (Files.exists(targetDir) && (!Files.isDirectory(targetDir) || !isEmpty(targetDir))) {
            throw new StorageException.Incompatible("restore needs a new or empty directory, and " + targetDir
                    + " is not; choose another target (restore never overwrites a database)");
        }
        createDirectories(targetDir);
        RocksDB.loadLibrary();
        try (BackupEngine backups = open(backupDir); RestoreOptions options = new RestoreOptions(false)) {
            List<org.rocksdb.BackupInfo> all = backups.getBackupInfo();
            if (all.isEmpty()) {
                throw new StorageException.Incompatible("the backup directory " + backupDir + " holds no backup");
            }
            org.rocksdb.BackupInfo chosen = all.get(all.size() - 1);
            if (backupId != null) {
                chosen = all.stream().filter(i -> i.backupId() == backupId).findFirst().orElseThrow(() ->
                        new StorageException.Incompatible("there is no backup " + backupId + " in " + backupDir
                                + "; list them to see which exist"));
            }
            backups.restoreDbFromBackup(chosen.backupId(), targetDir.toString(), targetDir.toString(), options);
            return toInfo(chosen);
        } catch (RocksDBException e) {
            throw StorageException.of("restoring from " + backupDir + " into " + targetDir, e);
        }
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
