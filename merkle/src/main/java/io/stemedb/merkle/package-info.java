/**
 * Sync between replicas: range-based set reconciliation of their id sets, then the transfer of
 * what each side lacks (docs/architecture.md, "Sync"). {@link io.stemedb.merkle.SyncSession} is
 * the initiating side, {@link io.stemedb.merkle.SyncResponder} the answering side, both over a
 * {@link io.stemedb.merkle.SyncReplica} (the database as sync sees it) and a
 * {@link io.stemedb.merkle.SyncTransport} ({@code inProcess}, or {@link
 * io.stemedb.merkle.HttpSyncTransport} to a {@link io.stemedb.merkle.SyncHttpHandler}, requests
 * and replies signed with {@link io.stemedb.merkle.ClusterAuth}). Both sides bound what the other
 * can cost them ({@link io.stemedb.merkle.SyncLimits}). Applications reach sync through
 * {@code StemeDB.syncWith}, {@code StemeDB.replicate} and {@code StemeDB.syncResponder}; the
 * transports, the HTTP handler, the limits and the report are theirs to use.
 *
 * <p><b>Contract.</b> A session only adds: what it receives is re-hashed and validated by the
 * receiving database, refused records are reported, and a session cut at any point can simply be
 * run again. The responder keeps no state between requests.
 *
 * <p><b>Threading.</b> A {@code SyncSession} belongs to one thread; the responder, the HTTP
 * transport and handler and {@code ClusterAuth} are thread-safe; a replica or transport shared
 * between threads must be thread-safe.
 *
 * <p><b>Exceptions.</b> {@link io.stemedb.merkle.SyncException} and its nested types (a
 * malformed message, a session limit reached, refused credentials, a failed peer), all unchecked
 * and rooted at {@link io.stemedb.model.StemeException}.
 */
package io.stemedb.merkle;
