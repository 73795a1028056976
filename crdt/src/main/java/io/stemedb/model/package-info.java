/**
 * The data of StemeDB: {@link io.stemedb.model.Assertion assertions} (claims, retractions and
 * erasures),
 * {@link io.stemedb.model.Value values}, {@link io.stemedb.model.Hlc hybrid logical clock}
 * timestamps, and the {@link io.stemedb.model.CanonicalCodec canonical encoding} whose BLAKE3
 * hash is an {@link io.stemedb.model.AssertionId}.
 *
 * <p><b>Priorities.</b> Identity above all: the same content has the same bytes and the same id
 * on every machine, in every version that reads format 1 (docs/format.md). Then validation: an
 * object that exists is valid. Then compactness and speed.
 *
 * <p><b>Threading.</b> Every type here is immutable and thread-safe, except the builders
 * ({@link io.stemedb.model.Claim.Builder}), which belong to one thread, and
 * {@link io.stemedb.model.HlcClock}, which is thread-safe by locking.
 *
 * <p><b>Exceptions.</b> {@link io.stemedb.model.StemeException} is the root of every StemeDB
 * exception. Bad content raises {@link io.stemedb.model.Assertion.InvalidAssertionException};
 * bad bytes raise {@link io.stemedb.model.CanonicalCodec.MalformedRecordException} or
 * {@link io.stemedb.model.CanonicalCodec.IdMismatchException}.
 */
package io.stemedb.model;
