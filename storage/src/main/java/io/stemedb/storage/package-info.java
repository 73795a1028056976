/**
 * Storage engines: StemeDB's internal contract {@link io.stemedb.storage.Engine}, its optional
 * capabilities ({@link io.stemedb.storage.BulkLoading}, {@link io.stemedb.storage.NativeBackups},
 * found with {@code Engine.capability}) and its implementations, opened through
 * {@link io.stemedb.storage.Engines}. Not an API for applications (they use
 * {@code io.stemedb.StemeDB}, whose signatures name no type of this package); it may change in
 * any release. The one exception: {@link io.stemedb.storage.StorageException} and its nested
 * types reach applications, which catch them (a locked, damaged or read-only database).
 *
 * <p><b>Threading.</b> Every engine is thread-safe; commits are atomic and readers never see part
 * of one. <b>Exceptions.</b> {@link io.stemedb.storage.EngineClosedException} after close (the core
 * reports it as its own {@code StemeDB.ClosedException}); all, that one included, derive from
 * {@link io.stemedb.model.StemeException}.
 */
package io.stemedb.storage;
