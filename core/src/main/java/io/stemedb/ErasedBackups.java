package io.stemedb;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Native backups that hold the content of erased claims ({@link StemeDB#backupsHoldingErased}),
 * and what expiring them did ({@link StemeDB#purgeErasedBackups}).
 *
 * @param holding the backups that held erased content, each with how many erased claims it held
 * @param fresh the backup taken after expiring them, or null when none needed expiring (or this is only a report)
 */
public record ErasedBackups(List<Held> holding, @Nullable BackupInfo fresh) {
    public ErasedBackups {
        holding = List.copyOf(holding);
    }

    /** One backup and the number of erased claims whose content it holds. */
    public record Held(BackupInfo backup, long erasedClaims) {}
}
