/**
 * Storage engines: StemeDB's internal contract {@link io.stemedb.storage.Engine} and its
 * implementations. Not an API for applications (they use {@code io.stemedb.StemeDB}); it may
 * change in any release.
 *
 * <p><b>Threading.</b> Every engine is thread-safe; commits are atomic and readers never see part
 * of one. <b>Exceptions.</b> {@link io.stemedb.storage.EngineClosedException} after close; all
 * others derive from {@link io.stemedb.model.StemeException}.
 */
package io.stemedb.storage;
