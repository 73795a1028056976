package io.stemedb;

/**
 * A snapshot of what a database has done since it was opened ({@link StemeDB#counters()}): what
 * {@link StemeDBMetrics} publishes, for any other monitoring too. Each figure is read on its own
 * while writers and readers go on, so two figures may be a few operations apart.
 *
 * @param written assertions (claims and retractions) stored by successful local writes
 * @param writeCalls successful write calls (a claim, a batch, a retraction)
 * @param writeNanos their total time, fsync included
 * @param writeErrors write calls refused or failed; they stored nothing
 * @param reads reads: each (subject, predicate) history loaded, each get by id, each bySource,
 *     through the database or any of its {@code asOf} views
 * @param readNanos their total time, estimated from one read in 16 timed at random
 * @param merges merge calls (merge, sync, archive import, bulk load)
 * @param mergeNanos their total time
 * @param merged assertions those calls added
 * @param backupErrors native backups that failed
 * @param lastBackupMillis epoch milliseconds of this instance's last successful backup, 0 before the first
 * @param signaturesRefused attestations and key registry entries refused on arrival, from any path (a
 *     signature that does not verify, an entry not signed by the root key, a malformed one)
 */
public record Counters(long written, long writeCalls, long writeNanos, long writeErrors, long reads, double readNanos,
        long merges, long mergeNanos, long merged, long backupErrors, long lastBackupMillis, long signaturesRefused) {}
