package io.stemedb;

import io.stemedb.storage.Engine;
import io.stemedb.storage.NativeBackups;
import io.stemedb.storage.StorageException;
import java.nio.file.Path;
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
}
