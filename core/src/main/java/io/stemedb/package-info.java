/**
 * StemeDB: an embedded database of attributed, immutable claims, resolved at read time by lenses.
 * Start at {@link io.stemedb.StemeDB}.
 *
 * <p><b>Priorities.</b> Nothing acknowledged is ever lost or changed; every answer can explain
 * itself; the same assertion set gives the same answers on every replica; then speed.
 *
 * <p><b>Threading.</b> {@link io.stemedb.StemeDB} and its {@link io.stemedb.ReadView}s are
 * thread-safe. Drafts ({@link io.stemedb.PendingClaim}, {@link io.stemedb.Batch}) and
 * {@link io.stemedb.StemeDBBuilder} belong to the thread that fills them.
 *
 * <p><b>Exceptions.</b> Everything StemeDB throws derives from the unchecked
 * {@link io.stemedb.model.StemeException}; specific ones are nested in the type that raises them
 * ({@link io.stemedb.StemeDB.ClosedException}, {@link io.stemedb.StemeDB.UnknownTargetException},
 * {@link io.stemedb.model.Assertion.InvalidAssertionException}, ...). Misuse of the Java API
 * itself (a null argument, a negative limit) raises the usual {@link NullPointerException} or
 * {@link IllegalArgumentException}.
 */
package io.stemedb;
