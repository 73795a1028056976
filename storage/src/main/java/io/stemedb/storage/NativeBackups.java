package io.stemedb.storage;

import java.nio.file.Path;

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
}
