package io.stemedb.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.fuzz.Fuzz;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import picocli.CommandLine;

/**
 * The command line's arguments from outside: a read or write command on a real database, then
 * any arguments (options, values, types, lens expressions, times, any Unicode). Every run ends in
 * exit 0, 1 (a failure said in one line) or 2 (a usage error), never in an internal error or a
 * stack trace. Commands that write files other than the database are not drawn.
 */
@Tag(Fuzz.TAG)
class CliArgumentsFuzzProperties {
    static Path dir;

    @BeforeContainer
    static void database() throws IOException {
        dir = Files.createTempDirectory("stemedb-cli-fuzz");
        run(List.of("init", "--data-dir", dir.resolve("db").toString()));
        run(List.of("assert", "acme", "ceo", "Alice", "--source", "hr", "--data-dir", dir.resolve("db").toString()));
    }

    @AfterContainer
    static void clean() throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static final List<String> COMMANDS = List.of("get", "resolve", "history", "entity", "conflicts", "find", "sources",
            "subjects", "stats", "assert", "retract");

    @Provide
    Arbitrary<List<String>> arguments() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.of("--lens", "--as-of", "--type", "--source", "--confidence", "--valid-from", "--valid-to",
                        "--meta", "--json", "--limit", "--after", "--", "-", "acme", "ceo", "Alice", "real", "integer",
                        "bytes", "instant", "ref", "bool", "1e400", "NaN", "-Infinity", "0x", "2023-03-20", "k=v", "=",
                        "trust(hr).orElse(latest)", "((((latest", "\u00e9", "\ud800", "x".repeat(2000), "0".repeat(64)),
                Arbitraries.strings().all().ofMaxLength(12));
        return Combinators.combine(Arbitraries.of(COMMANDS), token.list().ofMaxSize(8)).as((command, rest) -> {
            List<String> args = new ArrayList<>();
            args.add(command);
            args.addAll(rest);
            return args;
        });
    }

    private static String run(List<String> args) {
        CommandLine cmd = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args.toArray(String[]::new));
        String stderr = err.toString();
        assertTrue(exit == 0 || exit == 1 || exit == 2, "exit " + exit + " for " + args + ": " + stderr);
        return stderr;
    }

    @Property
    void anyArgumentsEndInSuccessAFailureOrAUsageErrorNeverAnInternalError(@ForAll("arguments") List<String> args) {
        List<String> withDatabase = new ArrayList<>(args);
        withDatabase.add("--data-dir");
        withDatabase.add(dir.resolve("db").toString());
        String stderr = Fuzz.typedOrValid(withDatabase, () -> run(withDatabase));
        assertFalse(stderr.contains("internal error") || stderr.contains("\tat "), args + ": " + stderr);
    }
}
