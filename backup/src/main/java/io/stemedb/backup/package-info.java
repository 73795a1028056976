/**
 * The portable archive (docs/format.md, "Archive"): {@link io.stemedb.backup.Archive} writes,
 * verifies and imports files of canonical records between a header (count, Merkle root of the
 * ids) and a checksummed trailer; {@link io.stemedb.backup.ArchiveSummary} says what an archive
 * holds; {@link io.stemedb.backup.ProgressListener} hears the phases of long operations (archives,
 * bulk loads, upgrades). Applications use these through {@code StemeDB.exportArchive},
 * {@code importArchive} and {@code verifyArchive}. Native backups of a database's files are not
 * here: they belong to the storage engine and are reached through {@code StemeDB.backup}.
 *
 * <p><b>Contract.</b> Import is all-or-nothing and idempotent: the whole archive is verified
 * (checksum, every record decoded strictly and re-hashed, count and root) before anything is
 * stored, so a damaged archive stores nothing. An export replaces its target atomically.
 *
 * <p><b>Threading.</b> {@code Archive} is stateless and thread-safe; a progress listener is
 * called on the thread running the operation and must return quickly.
 *
 * <p><b>Exceptions.</b> {@link io.stemedb.backup.ArchiveException} names what is wrong with a
 * damaged or unreadable archive; it is unchecked and rooted at
 * {@link io.stemedb.model.StemeException}.
 */
package io.stemedb.backup;
