/**
 * The JSON of StemeDB, for embedding applications, the command line and the HTTP server alike:
 * {@link io.stemedb.json.Json}, the one shape of an assertion, a value, a resolution with its
 * explanation, a history, a conflict and a page; and {@link io.stemedb.json.JsonLines}, the JSON
 * Lines file format and its streaming import and export.
 *
 * <p>Depends on the core API and Jackson only: no logging binding, no HTTP server, no command
 * line. Everything here is stateless and thread-safe. Errors are {@link io.stemedb.model.StemeException}s
 * ({@link io.stemedb.json.Json.InvalidJsonException}, {@link io.stemedb.json.JsonLines.LineException},
 * {@link io.stemedb.json.JsonLines.BadFileException}) whose messages say what to fix.
 */
package io.stemedb.json;
