/**
 * One picocli command per {@code stemedb} subcommand (docs/cli.md), and the options they share:
 * the database directory ({@code DbCommand}), {@code --lens}/{@code --as-of} ({@code LensOptions},
 * read by {@link io.stemedb.lens.Lenses#parse}), output as a table or as the JSON documents of
 * {@link io.stemedb.json.Json}.
 *
 * <p><b>Contract.</b> A command opens the database it needs and closes it before it returns,
 * whatever happens; it reports a failure by throwing (the command line maps exceptions to
 * {@link io.stemedb.cli.commands.ExitCodes}), never by printing and carrying on.
 *
 * <p><b>Threading.</b> Commands run on the thread that calls them; none is shared between threads.
 */
package io.stemedb.cli.commands;
