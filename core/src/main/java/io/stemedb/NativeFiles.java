package io.stemedb;

import io.stemedb.backup.ProgressListener;
import io.stemedb.storage.RocksBackups;
import io.stemedb.storage.RocksUpgrade;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The operations of {@link StemeDB} on a database's files rather than an open database: listing
 * and restoring native backups, upgrading the storage format. Each converts the storage layer's
 * answer to the API's type. Stateless.
 */
final class NativeFiles {
    private NativeFiles() {}

    static BackupInfo info(RocksBackups.BackupInfo info) {
        return new BackupInfo(info.id(), info.createdAt(), info.sizeBytes(), info.files());
    }

    static List<BackupInfo> listBackups(Path backupDir) {
        return RocksBackups.list(backupDir).stream().map(NativeFiles::info).toList();
    }

    static BackupInfo restoreBackup(Path backupDir, @Nullable Integer backupId, Path targetDir) {
        BackupInfo info = info(RocksBackups.restore(backupDir, backupId, targetDir));
        // a backup of a format-1 database restores as format 1: upgrade it now, the directory is new anyway
        if (RocksUpgrade.isFormat1(targetDir)) {
            RocksUpgrade.upgrade(targetDir, false, (phase, done, total) -> { });
        }
        return info;
    }

    static UpgradeReport upgrade(Path directory, ProgressListener progress) {
        RocksUpgrade.Report r = RocksUpgrade.upgrade(directory, true, progress::progress);
        return new UpgradeReport(r.assertions(), r.format1Directory(), r.took());
    }
}
