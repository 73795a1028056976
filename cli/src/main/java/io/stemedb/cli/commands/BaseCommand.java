package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.cli.CliException;
import io.stemedb.json.Json;
import io.stemedb.model.StemeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * What every {@code stemedb} command shares: {@code --json} and {@code --verbose}, output on
 * picocli's writers, and the exit codes of {@link ExitCodes}. A failure the user can act on (a
 * {@link StemeException}, a {@link CliException}, an I/O error) is printed as one line on stderr,
 * {@code stemedb <command>: <what is wrong and what to do>}, with the stack trace only under
 * {@code --verbose}, and exits with 1. A usage error discovered while running (a malformed value, say)
 * is a {@link CommandLine.ParameterException}, which picocli reports with the usage and exit code 2.
 */
public abstract class BaseCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Option(names = "--json", description = "Print the result as JSON, for scripts, instead of a table.")
    protected boolean json;

    @Option(names = "--verbose", description = "On failure, print the stack trace too.")
    protected boolean verbose;

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (CliException | StemeException e) {
            return fail(e.getMessage(), e);
        } catch (IOException e) {
            return fail(describe(e), e);
        } catch (UncheckedIOException e) {
            return fail(describe(e.getCause()), e);
        }
    }

    /** Runs the command; returns its exit code. */
    protected abstract int execute() throws IOException;

    /** Prints a failure as one line on stderr (and the stack trace under --verbose); returns {@link ExitCodes#FAILURE}. */
    protected int fail(String message, Throwable cause) {
        PrintWriter err = err();
        err.println(spec.qualifiedName() + ": " + message);
        if (verbose && cause != null) {
            cause.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    /** A usage error found while running: picocli prints it with the command's usage and exits with 2. */
    protected CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A progress display on stderr, drawn only on a terminal. */
    protected Progress progress() {
        return Progress.onTerminal(err());
    }

    /** Prints {@code node} as indented JSON on stdout. */
    protected void printJson(JsonNode node) {
        out().println(Json.writePretty(node));
        out().flush();
    }

    protected static ObjectNode object() {
        return Json.object();
    }

    /** A message for an I/O error that names the file and says what happened. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists: " + e.getMessage();
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory: " + e.getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
