package io.stemedb;

import io.stemedb.storage.Engine;
import io.stemedb.storage.NativeBackups;
import io.stemedb.storage.RocksBackups;
import io.stemedb.storage.StorageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** The native backups of one database, counted in its {@link Meters}. Thread-safe; holds no state of its own. */
final class Backups {
    private final Engine engine;
    private final Lifecycle lifecycle;
    private final Meters meters;

    Backups(Engine engine, Lifecycle lifecycle, Meters meters) {
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.meters = meters;
    }

    BackupInfo backup(Path backupDir, int keepLast) {
        Objects.requireNonNull(backupDir, "backupDir");
        lifecycle.checkOpen();
        NativeBackups backups = engine.capability(NativeBackups.class).orElseThrow(() -> new StorageException.Incompatible(
                "a database in memory has no files to back up; export an archive with exportArchive instead"));
        try {
            BackupInfo info = NativeFiles.info(lifecycle.call(() -> backups.backup(backupDir, keepLast)));
            meters.lastBackupMillis = System.currentTimeMillis();
            return info;
        } catch (RuntimeException e) {
            meters.backupErrors.increment();
            throw e;
        }
    }

    ErasedBackups holdingErased(Path backupDir) {
        Objects.requireNonNull(backupDir, "backupDir");
        return new ErasedBackups(held(lifecycle.call(() -> nativeBackups().backupsHoldingErased(backupDir))), null);
    }

    ErasedBackups purgeErased(Path backupDir) {
        Objects.requireNonNull(backupDir, "backupDir");
        lifecycle.checkWritable();
        RocksBackups.PurgeReport report = lifecycle.call(() -> nativeBackups().purgeErasedBackups(backupDir));
        return new ErasedBackups(held(report.deleted()), report.fresh() == null ? null : NativeFiles.info(report.fresh()));
    }

    private static List<ErasedBackups.Held> held(List<RocksBackups.ErasedInBackup> found) {
        return found.stream().map(h -> new ErasedBackups.Held(NativeFiles.info(h.backup()), h.erasedClaims())).toList();
    }

    private NativeBackups nativeBackups() {
        return engine.capability(NativeBackups.class).orElseThrow(() -> new StorageException.Incompatible(
                "a database in memory has no native backups; archives exported earlier are files to delete by hand"));
    }
}
