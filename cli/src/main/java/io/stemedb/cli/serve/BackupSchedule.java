package io.stemedb.cli.serve;

import io.stemedb.BackupInfo;
import io.stemedb.StemeDB;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pilot server's scheduled backups: one at start, then one every interval, keeping the
 * newest few; a failed backup is logged and the next one tried at its time. Thread-safe.
 */
final class BackupSchedule implements AutoCloseable {
    private final StemeDB db;
    private final Path dir;
    private final int keep;
    private final PrintStream log;
    private final ScheduledExecutorService executor;

    BackupSchedule(StemeDB db, Path dir, Duration interval, int keep, PrintStream log) {
        this.db = db;
        this.dir = dir;
        this.keep = keep;
        this.log = log;
        this.executor = Executors.newSingleThreadScheduledExecutor(HttpListener.daemonThreads("stemedb-backup"));
        executor.scheduleWithFixedDelay(this::backupNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void backupNow() {
        try {
            BackupInfo info = db.backup(dir, keep);
            log.println(Instant.now() + " backup " + info.id() + " taken in " + dir + " (" + info.sizeBytes() + " bytes, "
                    + info.files() + " files)");
        } catch (RuntimeException e) {
            log.println(Instant.now() + " backup into " + dir + " FAILED: " + e.getMessage());
        }
    }

    /** Stops the schedule, waiting up to a minute for a backup under way. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
