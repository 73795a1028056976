/**
 * The merge laws of StemeDB. A replica's state is an {@link io.stemedb.crdt.AssertionSet}: a
 * grow-only set merged by union and read as a two-phase set of claims. The per-(subject,
 * predicate) views ({@link io.stemedb.crdt.LwwRegister}, {@link io.stemedb.crdt.MvRegister},
 * {@link io.stemedb.crdt.OrSetView}, {@link io.stemedb.crdt.PnCounter}) are read-time projections
 * of the {@link io.stemedb.crdt.Evidence} about one fact, so they converge whenever the sets do.
 *
 * <p><b>Threading.</b> Everything here is immutable and thread-safe.
 */
package io.stemedb.crdt;
