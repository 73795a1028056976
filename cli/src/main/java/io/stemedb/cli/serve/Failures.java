package io.stemedb.cli.serve;

import io.stemedb.StemeDB;
import io.stemedb.model.Assertion;
import io.stemedb.storage.StorageException;
import java.io.PrintStream;
import java.time.Instant;

/**
 * What the API answers when a handler fails with a library exception, and the one state a
 * failure leaves: a full disk, after which the node is not ready. Storage errors and bugs are
 * logged. Thread-safe.
 */
final class Failures {
    private final PrintStream log;
    /** Set when a write hit a full disk: RocksDB refuses writes from then on until reopened, so the node is not ready. */
    private volatile String diskFull;

    Failures(PrintStream log) {
        this.log = log;
    }

    /** Why the node cannot take writes, or null. */
    String diskFull() {
        return diskFull;
    }

    /** Maps a library exception to its reply; logs what is a storage error or a bug. */
    Reply failure(String method, String path, RuntimeException e) {
        if (e instanceof Assertion.InvalidAssertionException) {
            return Reply.error(ApiException.badRequest("invalid_assertion", e.getMessage()));
        }
        if (e instanceof StemeDB.UnknownTargetException) {
            return Reply.error(new ApiException(422, "unknown_target", e.getMessage()));
        }
        if (e instanceof StorageException.DiskFull) {
            markDiskFull(e);
            return Reply.error(new ApiException(507, "disk_full", e.getMessage() + "; this node refuses writes until it "
                    + "has room and is restarted: write to another node meanwhile"));
        }
        if (e instanceof StemeDB.ClosedException) {
            return Reply.error(new ApiException(503, "unavailable", e.getMessage()));
        }
        if (e instanceof StorageException) {
            log.println(Instant.now() + " storage error on " + method + " " + path + ": " + e.getMessage());
            return Reply.error(new ApiException(500, "storage_error", e.getMessage()));
        }
        log.println(Instant.now() + " internal error on " + method + " " + path + ": " + e);
        e.printStackTrace(log);
        return Reply.error(new ApiException(500, "internal_error", "internal error: " + e));
    }

    /** A sync request that failed: a full disk is marked (and answered 507), anything else logged. */
    Reply syncFailure(RuntimeException e) {
        if (e instanceof StorageException.DiskFull) {
            markDiskFull(e);
            return Reply.text(507, e.getMessage() + "\n");
        }
        log.println(Instant.now() + " sync request failed: " + e);
        return Reply.text(500, e.getMessage() + "\n");
    }

    private void markDiskFull(RuntimeException e) {
        if (diskFull == null) {
            log.println(Instant.now() + " DISK FULL: writes are refused until there is room and the server is restarted: "
                    + e.getMessage());
        }
        diskFull = e.getMessage();
    }
}
