package io.stemedb;

import io.stemedb.storage.Engine;
import io.stemedb.storage.RocksBackups;
import io.stemedb.storage.RocksEngine;
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

    RocksBackups.BackupInfo backup(Path backupDir, int keepLast) {
        Objects.requireNonNull(backupDir, "backupDir");
        lifecycle.checkOpen();
        if (!(engine instanceof RocksEngine rocks)) {
            throw new StorageException.Incompatible("a database in memory has no files to back up; "
                    + "export an archive with exportArchive instead");
        }
        try {
            RocksBackups.BackupInfo info = lifecycle.call(() -> RocksBackups.create(rocks, backupDir, keepLast));
            meters.lastBackupMillis = System.currentTimeMillis();
            return info;
        } catch (RuntimeException e) {
            meters.backupErrors.increment();
            throw e;
        }
    }
}
