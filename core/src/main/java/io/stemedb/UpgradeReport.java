package io.stemedb;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link StemeDB#upgrade} did.
 *
 * @param assertions the assertions rewritten
 * @param format1Directory where the format-1 database, never modified, was kept
 * @param took how long the upgrade took
 */
public record UpgradeReport(long assertions, Path format1Directory, Duration took) {}
