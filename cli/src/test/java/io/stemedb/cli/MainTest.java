package io.stemedb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class MainTest {

    @TempDir
    Path dir;

    /** The result of one run: exit code, stdout, stderr. */
    private record Run(int exit, String out, String err) {}

    /** Runs the command line the way the brief's users do, capturing System.out and System.err. */
    private static Run runWithSystemStreams(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new Main()).execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Runs {@link Main#commandLine()} with picocli's own writers redirected. */
    private static Run run(CommandLine cmd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertHasLine(String output, String regex) {
        assertTrue(Pattern.compile("(?m)^\\s*" + regex + "\\s*(\\s.*)?$").matcher(output).find(),
                "no line matching /" + regex + "/ in:\n" + output);
    }

    @Test
    void demoExitsZeroAndShowsTheLensesDisagreeing() {
        Run run = runWithSystemStreams("demo", "--data-dir", dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.err());
        String out = run.out();

        // fabrikam.headquarters: the same four claims, three answers
        assertHasLine(out, "latest\\s+\"Denver\"\\s+web-scraper, 2024-02-10 \\(\\p{XDigit}{8}\\)");
        assertHasLine(out, "trust\\s+\"Boston\"\\s+registry, 2018-05-14 \\(\\p{XDigit}{8}\\)");
        assertHasLine(out, "confident\\s+\"Boston\"\\s+registry, 2018-05-14 \\(\\p{XDigit}{8}\\)");
        assertHasLine(out, "majority\\s+\"Austin\"\\s+2 sources: crm, news");
        assertHasLine(out, "all\\s+\"Austin\", \"Boston\", \"Denver\"\\s+4 sources: crm, news, registry, web-scraper");
        // northwind.employees: trust picks the registry's old figure, confidence HR's count
        assertHasLine(out, "trust\\s+1180\\s+registry.*");
        assertHasLine(out, "confident\\s+1342\\s+hr.*");
        assertHasLine(out, "majority\\s+1500\\s+crm, 2024-01-15.*"); // every source differs: the tie goes to the newest
        assertHasLine(out, "as of 2023-10-13\\s+14000\\s+news.*");
        // contoso.ceo: record time against valid time
        assertHasLine(out, "as of 2023-03-20\\s+->bob-chen\\s+news.*");
        assertHasLine(out, "valid at 2023-03-20\\s+->alice-martin\\s+hr.*");
        // tailspin-toys.public: a retracted claim, alive again in the past
        assertHasLine(out, "latest\\s+false\\s+crm.*");
        assertHasLine(out, "as of 2021-10-01\\s+true\\s+news.*");

        assertTrue(out.contains("retracted"), out);
        // the library lenses explain themselves under their own names
        String flat = out.replaceAll("\\s+", " ");
        assertTrue(flat.contains("trust[registry > hr > crm > news > web-scraper]: registry said \"Boston\""), out);
        assertTrue(flat.contains("latest.validAt(2023-03-20T00:00:00Z): hr said ->alice-martin at 2023-04-03T09:00:00Z"), out);
        assertTrue(flat.contains("set aside (not validAt(2023-03-20T00:00:00Z)): news said ->bob-chen at 2023-03-02T14:30:00Z"),
                "claims not valid then are set aside, not overruled: " + out);
        assertTrue(flat.contains("latest.asOf(2023-10-13T00:00:00Z): news said 14000"), out);
        assertTrue(flat.contains("Every lens here is built into StemeDB"), out);
        assertFalse(out.contains("demo lenses"), "no cli-local lenses any more");
        assertTrue(out.contains("overruled: "), "explain() output is shown");
        assertTrue(out.contains("^ retracted 2021-11-02 12:00 by news: IPO postponed"), out);
        assertTrue(out.replaceAll("\\s+", " ").contains("190 claims and 5 retractions from 5 sources"), out);
        // conflicts, entity and find
        assertTrue(out.contains("db.conflicts(\"fabrikam\")"), out);
        assertHasLine(out, "headquarters\\s+\"Boston\" \\(registry\\)\\s+\"Denver\" \\(web-scraper\\)\\s+<- differ");
        assertHasLine(out, "majority\\s+fabrikam, litware, proseware");
        assertHasLine(out, "trust\\s+litware");
    }

    @Test
    void demoOutputIsPlainNarrowAndTheSameOnEveryRun() {
        // The second run reopens the same database and merges the same claims again: nothing changes.
        String first = run(Main.commandLine(), "demo", "--data-dir", dir.toString()).out();
        String second = run(Main.commandLine(), "demo", "--data-dir", dir.toString()).out();
        String inMemory = run(Main.commandLine(), "demo", "--in-memory").out();
        assertEquals(first, second, "the demo is deterministic: fixed node id and recorded times");
        assertEquals(first.replaceAll("\\s+", " ").replace("the database at " + dir, "an in-memory database"),
                inMemory.replaceAll("\\s+", " "), "on disk and in memory, the same tour");
        assertFalse(first.contains("\u001b["), "no ANSI escapes when stdout is not a terminal");
        first.lines().forEach(l -> assertTrue(l.length() <= Screen.WIDTH, "too wide (" + l.length() + "): " + l));
        assertTrue(first.lines().count() > 100, "the demo prints a full tour");
    }

    @Test
    void helpListsTheDemo() {
        Run run = runWithSystemStreams("--help");
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("Usage: stemedb"), run.out());
        assertTrue(Pattern.compile("(?m)^\\s+demo\\s+\\S").matcher(run.out()).find(), run.out());

        Run demoHelp = run(Main.commandLine(), "demo", "--help");
        assertEquals(0, demoHelp.exit());
        assertTrue(demoHelp.out().contains("Usage: stemedb demo"), demoHelp.out());
    }

    @Test
    void versionComesFromTheBuild() {
        Run run = run(Main.commandLine(), "--version");
        assertEquals(0, run.exit());
        assertTrue(run.out().startsWith("stemedb "), run.out());
        assertFalse(run.out().contains("unknown"), run.out());
        assertFalse(run.out().contains("${"), run.out());
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Run run = runWithSystemStreams("frobnicate");
        assertEquals(2, run.exit());
        assertEquals("", run.out());
        assertTrue(run.err().contains("frobnicate"), run.err());
        // picocli shows the usage, or instead suggests the commands closest to the one mistyped
        assertTrue(run.err().contains("Usage: stemedb") || run.err().contains("Did you mean: stemedb "), run.err());
    }

    @Test
    void noCommandIsAUsageError() {
        Run run = run(Main.commandLine());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("Missing command"), run.err());
        assertEquals("", run.out());
    }

    @Command(name = "bad-data")
    static final class BadData implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new DemoDataset.DatasetException("x.jsonl", 7, "\"value\" is missing");
        }
    }

    @Command(name = "bug")
    static final class Bug implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void aFailingCommandReportsOnStderrAndExitsOne() {
        CommandLine cmd = Main.commandLine().addSubcommand(new BadData()).addSubcommand(new Bug());
        Run bad = run(cmd, "bad-data");
        assertEquals(1, bad.exit());
        assertEquals("", bad.out());
        assertEquals("stemedb bad-data: x.jsonl line 7: \"value\" is missing", bad.err().strip());

        Run bug = run(cmd, "bug");
        assertEquals(1, bug.exit());
        assertTrue(bug.err().startsWith("stemedb bug: internal error: boom"), bug.err());
        assertTrue(bug.err().contains("at io.stemedb.cli"), "a bug shows its stack trace: " + bug.err());
    }
}
