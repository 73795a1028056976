/**
 * {@code stemedb serve}, the pilot HTTP server over one database: lifecycle ({@code PilotServer},
 * {@code HttpListener} on Jetty, {@code BackupSchedule}, {@code ServerConfig}), routing
 * ({@code ApiRoutes}, {@code Routes}) and handlers ({@code ReadHandlers}, {@code WriteHandlers},
 * {@code OpsHandlers}, with {@code Failures} mapping exceptions to replies).
 *
 * <p><b>Contract.</b> docs/openapi.json, served at {@code /openapi.json}, is the API: every route
 * and reply is in it, and {@code OpenApiContractTest} checks the server against it. Replies are
 * the documents of {@link io.stemedb.json.Json}; errors are a JSON object with the HTTP status
 * a client can act on (400 bad input, 401/403 auth, 404 nothing there, 413 over a limit,
 * 503 not ready). Bodies, headers and query strings are bounded ({@code HttpLimits}). The server
 * sets no JVM-wide property and logs through SLF4J.
 *
 * <p><b>Threading.</b> Jetty's pool runs handlers concurrently; they share only the database,
 * which is thread-safe, and immutable configuration. Backups and replication run on their own
 * daemon threads and stop with the server.
 */
package io.stemedb.cli.serve;
