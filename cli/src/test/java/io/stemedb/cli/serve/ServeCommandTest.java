package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code stemedb serve}'s options and its refusals; a real start is ServeJarTest's (src/test). */
class ServeCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cmd = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void serveIsACommandWithHelp() {
        Run help = run("serve", "--help");
        assertEquals(0, help.exit(), help.err());
        for (String option : new String[] {"--data-dir", "--bind", "--port", "--peer", "--cluster-secret-file", "--sync-interval",
            "--max-request-bytes", "--backup-dir"}) {
            assertTrue(help.out().contains(option), option + " in:\n" + help.out());
        }
        assertTrue(run("--help").out().contains("serve"));
    }

    @Test
    void peersWithoutASecretAreAUsageError() {
        Run r = run("serve", "--data-dir", dir.resolve("db").toString(), "--port", "0", "--peer", "http://127.0.0.1:7072");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--peer needs --cluster-secret-file"), r.err());
        assertFalse(Files.exists(dir.resolve("db")), "nothing was opened");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://host:1", "http://host", "not a url", "http://:7070"})
    void malformedPeersAreAUsageError(String peer) throws Exception {
        Path secret = Files.writeString(dir.resolve("s"), "0123456789abcdef0123456789abcdef");
        Run r = run("serve", "--data-dir", dir.resolve("db").toString(), "--cluster-secret-file", secret.toString(),
                "--peer", peer);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("is not a peer URL"), r.err());
    }

    @Test
    void kafkaOptionsAreCheckedBeforeAnythingOpens() {
        Run help = run("serve", "--help");
        for (String option : new String[] {"--kafka-bootstrap", "--kafka-topic", "--kafka-property", "--kafka-create-topic",
            "--kafka-replication-factor", "--kafka-topic-config"}) {
            assertTrue(help.out().contains(option), option + " in:\n" + help.out());
        }
        String db = dir.resolve("db").toString();
        Run noBootstrap = run("serve", "--data-dir", db, "--kafka-property", "security.protocol=SSL");
        assertEquals(2, noBootstrap.exit(), noBootstrap.err());
        assertTrue(noBootstrap.err().contains("need --kafka-bootstrap"), noBootstrap.err());
        Run reserved = run("serve", "--data-dir", db, "--kafka-bootstrap", "127.0.0.1:9", "--kafka-property", "acks=1");
        assertEquals(2, reserved.exit(), reserved.err());
        assertTrue(reserved.err().contains("acks is set by StemeDB"), reserved.err());
        Run topic = run("serve", "--data-dir", db, "--kafka-bootstrap", "127.0.0.1:9", "--kafka-topic", "no spaces");
        assertEquals(2, topic.exit(), topic.err());
        Run compacted = run("serve", "--data-dir", db, "--kafka-bootstrap", "127.0.0.1:9", "--kafka-create-topic", "3",
                "--kafka-topic-config", "cleanup.policy=compact");
        assertEquals(2, compacted.exit(), compacted.err());
        assertTrue(compacted.err().contains("compacted"), compacted.err());
        Run configAlone = run("serve", "--data-dir", db, "--kafka-bootstrap", "127.0.0.1:9", "--kafka-topic-config", "a=b");
        assertEquals(2, configAlone.exit(), configAlone.err());
        assertFalse(Files.exists(dir.resolve("db")), "nothing was opened");
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        Run interval = run("serve", "--data-dir", dir.toString(), "--sync-interval", "soon");
        assertEquals(2, interval.exit());
        assertTrue(interval.err().contains("not a duration"), interval.err());
        Run port = run("serve", "--data-dir", dir.toString(), "--port", "70000");
        assertEquals(2, port.exit());
        assertTrue(port.err().contains("--port must be between 0"), port.err());
        Run body = run("serve", "--data-dir", dir.toString(), "--max-request-bytes", "10");
        assertEquals(2, body.exit());
    }

    @Test
    void aShortSecretFailsBeforeTheDatabaseIsOpened() throws Exception {
        Path secret = Files.writeString(dir.resolve("short"), "short\n");
        Run r = run("serve", "--data-dir", dir.resolve("db").toString(), "--port", "0", "--cluster-secret-file", secret.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("stemedb serve: the cluster secret in "), r.err());
        assertFalse(Files.exists(dir.resolve("db")));
    }

    @Test
    void aLockedDatabaseFailsWithOneLine() {
        try (StemeDB held = StemeDB.open(dir.resolve("db"))) {
            Run r = run("serve", "--data-dir", dir.resolve("db").toString(), "--port", "0");
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("stemedb serve: cannot open the database in "), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals(0, held.stats().assertions());
        }
    }

    @ParameterizedTest
    @CsvSource({"250ms, PT0.25S", "1s, PT1S", "5m, PT5M", "1h, PT1H", "2d, PT48H", "PT1.5S, PT1.5S", " 10S , PT10S"})
    void durations(String text, String iso) {
        assertEquals(Duration.parse(iso), ServeCommand.DurationConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-1s", "1 s", "s", "1w", "PT0S", "forever"})
    void badDurations(String text) {
        assertThrows(CommandLine.TypeConversionException.class, () -> ServeCommand.DurationConverter.parse(text));
    }
}
