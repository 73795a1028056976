/**
 * The {@code stemedb} command line: {@code Main} (picocli, the global {@code --log-level} and
 * {@code --log-config}), the demo, and what the commands share (argument reading, the screen,
 * the text form of values). A thin shell over the library: every operation is a call of
 * {@link io.stemedb.StemeDB} or {@link io.stemedb.json.JsonLines}, and JSON is printed by
 * {@link io.stemedb.json.Json}, the same documents the HTTP API serves.
 *
 * <p><b>Contract.</b> Exit codes are those of {@link io.stemedb.cli.commands.ExitCodes}: 0 done, 1 a
 * failure the user can fix ({@link io.stemedb.cli.CliException} and the library's
 * {@link io.stemedb.model.StemeException}s, printed as one line on stderr), 2 a usage error.
 * Logs go to stderr through SLF4J's simple backend, WARN and above unless told otherwise.
 *
 * <p><b>Threading.</b> A command runs on the main thread; only {@code serve} starts others.
 */
package io.stemedb.cli;
