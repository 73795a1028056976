package io.stemedb.backup;

import io.stemedb.model.StemeException;

/**
 * An archive that cannot be trusted: damaged, truncated, of an unknown format, or not matching
 * its own header or trailer. The message names what is wrong and where (record number, byte
 * offset). Importing such an archive stores nothing.
 */
public final class ArchiveException extends StemeException {
    private static final long serialVersionUID = 1L;

    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
