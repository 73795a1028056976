package io.stemedb;

import java.time.Instant;

/**
 * One native backup in a backup directory ({@link StemeDB#backup}, {@link StemeDB#listBackups}).
 *
 * @param id the backup's number in its directory, increasing
 * @param createdAt when it was taken
 * @param sizeBytes the size of its files, shared ones included
 * @param files how many files it has
 */
public record BackupInfo(int id, Instant createdAt, long sizeBytes, int files) {}
