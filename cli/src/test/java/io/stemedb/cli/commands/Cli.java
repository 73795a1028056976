package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** Runs the command line in this JVM the way the tests need: {@code new CommandLine(new Main())}, output captured. */
final class Cli {
    private final Path dataDir;

    Cli(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The result of one run. */
    record Run(int exit, String out, String err) {
        /** The output as JSON, after checking the run succeeded. */
        JsonNode json() {
            assertEquals(0, exit, "exit code; stderr: " + err);
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }

        Run ok() {
            assertEquals(0, exit, "exit code; stderr: " + err + "\nstdout: " + out);
            assertEquals("", err, "stderr of a successful run");
            return this;
        }

        /** A usage error: exit 2, the message first on stderr (then the usage or suggestions), nothing on stdout. */
        Run usageError(String message) {
            assertEquals(2, exit, "exit code; stderr: " + err + "\nstdout: " + out);
            assertEquals("", out, "stdout of a usage error");
            assertTrue(err.lines().findFirst().orElse("").contains(message),
                    "first line of stderr should say '" + message + "': " + err);
            assertTrue(err.contains("Usage: stemedb") || err.contains("Possible solutions: ") || err.contains("Did you mean: "),
                    "a usage error shows the usage, or suggests what was meant: " + err);
            return this;
        }

        /** A runtime failure: exit 1, one line on stderr that contains {@code message}, no stack trace. */
        Run failure(String message) {
            assertEquals(1, exit, "exit code; stderr: " + err + "\nstdout: " + out);
            assertTrue(err.contains(message), "stderr should say '" + message + "': " + err);
            assertTrue(err.startsWith("stemedb "), "the error names the command: " + err);
            assertTrue(!err.contains("\tat ") && !err.contains("Caused by"), "no stack trace without --verbose: " + err);
            assertEquals(1, err.lines().filter(l -> l.startsWith("stemedb ")).count(), err);
            return this;
        }
    }

    /** Runs {@code args} with no data directory added. */
    static Run plain(String... args) {
        CommandLine cmd = new CommandLine(new Main());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs a database command on this data directory: {@code --data-dir} goes right after the command name. */
    Run run(String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.add("--data-dir");
        all.add(dataDir.toString());
        all.addAll(Arrays.asList(args));
        return plain(all.toArray(String[]::new));
    }

    /** {@code command args --json}, parsed. */
    JsonNode json(String command, String... args) {
        String[] withJson = Arrays.copyOf(args, args.length + 1);
        withJson[args.length] = "--json";
        return run(command, withJson).json();
    }

    /** The counts of the database: to show that a failed command changed nothing. */
    String stats() {
        JsonNode s = json("stats");
        return s.get("assertions") + " assertions, " + s.get("claims") + " claims, " + s.get("retractions")
                + " retractions, last sequence " + s.get("lastSequence");
    }

    Path dataDir() {
        return dataDir;
    }
}
