/**
 * Lenses: read-time resolution of conflicting claims.
 *
 * <p><b>Contract.</b> A {@link io.stemedb.lens.Lens} is a pure, thread-safe function from the
 * {@link io.stemedb.crdt.Evidence} about one (subject, predicate) to a
 * {@link io.stemedb.lens.Resolution}: the winners, the overruled and the retracted claims, and an
 * explanation. Determinism comes from the evidence's content-only order, so a lens that reads
 * nothing but its evidence gives every replica the same answer.
 *
 * <p><b>Priorities.</b> Correctness and explainability first: every answer can say why. Then
 * speed: a lens runs in time linear in the number of claims it is given.
 *
 * <p><b>Exceptions.</b> {@link io.stemedb.lens.Resolution.AmbiguousResolutionException} when a
 * single value is asked of a resolution that holds several.
 */
package io.stemedb.lens;
