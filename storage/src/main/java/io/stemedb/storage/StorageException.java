package io.stemedb.storage;

import io.stemedb.model.StemeException;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * A failure of the storage underneath a database: the files, the disk, or RocksDB. The specific
 * kinds are nested here, and {@link #of} is the one place that turns RocksDB's native status
 * codes into them.
 */
public class StorageException extends StemeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Maps a RocksDB failure while {@code doing} something to the matching exception, with a
     * message that says what happened and what to do.
     */
    public static StorageException of(String doing, RocksDBException e) {
        Status status = e.getStatus();
        Status.Code code = status == null ? null : status.getCode();
        String detail = e.getMessage();
        if (code == Status.Code.Corruption) {
            return new Corruption("data is corrupted while " + doing + ": " + detail
                    + "; restore the database from a backup or run verify to see what is damaged", e);
        }
        if (isDiskFull(status, detail)) {
            return new DiskFull("the disk is full while " + doing + ": " + detail
                    + "; free space or move the database, then reopen it (acknowledged writes are safe)", e);
        }
        if (code == Status.Code.IOError && detail != null && detail.contains("lock")) {
            return new Locked("the database is in use by another process while " + doing + ": " + detail
                    + "; close the other process or open read-only", e);
        }
        return new StorageException("storage failed while " + doing + ": " + detail
                + (code == null ? "" : " (RocksDB status " + code + ")"), e);
    }

    /**
     * A later report of an {@code earlier} failure that stopped a component (the indexer): the
     * same kind of exception when it has one the caller can act on (a full disk stays
     * {@link DiskFull}, damage stays {@link Corruption}), with {@code message}.
     */
    static StorageException again(String message, Throwable earlier) {
        if (earlier instanceof DiskFull) {
            return new DiskFull(message, earlier);
        }
        if (earlier instanceof Corruption) {
            return new Corruption(message, earlier);
        }
        return new StorageException(message, earlier);
    }

    private static boolean isDiskFull(Status status, String detail) {
        return (status != null && status.getSubCode() == Status.SubCode.NoSpace)
                || (detail != null && detail.contains("No space left"));
    }

    /** Stored bytes failed a checksum or do not decode. */
    public static final class Corruption extends StorageException {
        private static final long serialVersionUID = 1L;

        public Corruption(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The write-ahead log holds damage to commits that were fully written, so opening would
     * silently drop them and every commit after them (see {@code WalCheck}). The message names
     * the log file and the byte, and how many commits would be lost.
     */
    public static final class DamagedLog extends StorageException {
        private static final long serialVersionUID = 1L;

        public DamagedLog(String message) {
            super(message);
        }
    }

    /**
     * The database's own files (its CURRENT or MANIFEST, which list the others) are damaged:
     * StemeDB wrote this directory, but RocksDB cannot open it. The message names the file.
     */
    public static final class DamagedDatabase extends StorageException {
        private static final long serialVersionUID = 1L;

        public DamagedDatabase(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The disk or filesystem ran out of space. */
    public static final class DiskFull extends StorageException {
        private static final long serialVersionUID = 1L;

        public DiskFull(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Another process (or another open in this one) holds the database. */
    public static final class Locked extends StorageException {
        private static final long serialVersionUID = 1L;

        public Locked(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The path is not a StemeDB database this version can open: a file, a directory of unrelated
     * files, or a database written in a newer format.
     */
    public static final class Incompatible extends StorageException {
        private static final long serialVersionUID = 1L;

        public Incompatible(String message) {
            super(message);
        }
    }

    /**
     * The database was written in an older storage format, which this version upgrades but does
     * not open: the message names the command that rewrites it.
     */
    public static final class OlderFormat extends StorageException {
        private static final long serialVersionUID = 1L;
        private final int found;

        public OlderFormat(java.nio.file.Path directory, int found, int current) {
            super(directory + " is a StemeDB database in storage format " + found + "; this version reads format " + current
                    + ". Rewrite it with `stemedb upgrade " + directory + "` (or StemeDB.upgrade(path)); the database is left"
                    + " as it is until the rewritten one verifies clean");
            this.found = found;
        }

        /** The storage format the database is in. */
        public int found() {
            return found;
        }
    }

    /**
     * A bulk load failed after its commit point: it is not lost, and the next open of the
     * database finishes it; until then this instance refuses every call.
     */
    public static final class BulkLoadIncomplete extends StorageException {
        private static final long serialVersionUID = 1L;

        public BulkLoadIncomplete(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A write was attempted on a database opened read-only. */
    public static final class ReadOnly extends StorageException {
        private static final long serialVersionUID = 1L;

        public ReadOnly() {
            super("this database was opened read-only; open it without readOnly to write");
        }
    }
}
