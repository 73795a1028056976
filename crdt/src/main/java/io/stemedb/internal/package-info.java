/**
 * Helpers shared by StemeDB's modules, not part of its API: exported only to the modules that use
 * them, and free to change in any release.
 *
 * <p><b>Threading.</b> Stateless; safe from any thread.
 *
 * <p><b>Exceptions.</b> I/O failures are thrown as {@link java.io.IOException}, for each caller to
 * map to its own typed exception with what the user should do.
 */
package io.stemedb.internal;
