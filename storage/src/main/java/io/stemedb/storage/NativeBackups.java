package io.stemedb.storage;

import java.nio.file.Path;
import java.util.List;

/**
 * An engine capability ({@link Engine#capability}): online backups of the engine's own files
 * ({@link RocksBackups}). An engine in memory has no files and no such capability.
 */
public interface NativeBackups {

    /**
     * Backs up into {@code backupDir} (created if missing), keeping the newest {@code keepLast}
     * backups there; see {@link RocksBackups#create}.
     */
    RocksBackups.BackupInfo backup(Path backupDir, int keepLast);

    /** The backups in {@code backupDir} that hold content this database has erased; see {@link RocksBackups#holdingErased}. */
    List<RocksBackups.ErasedInBackup> backupsHoldingErased(Path backupDir);

    /** Expires the backups in {@code backupDir} that hold erased content; see {@link RocksBackups#purgeErased}. */
    RocksBackups.PurgeReport purgeErasedBackups(Path backupDir);
}
