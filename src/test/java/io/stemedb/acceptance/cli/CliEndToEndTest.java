package io.stemedb.acceptance.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.StemeDB;
import io.stemedb.acceptance.ChildJava;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code stemedb} jar, run as a separate process the way a user or a script runs it:
 * init, import, resolve under two lenses, export (JSON Lines and archive), verify, backup, restore
 * into another directory, and the restored database answering exactly like the original; then bad
 * arguments and bad input files, which exit non-zero with a clear message and change nothing.
 *
 * <p>The jar is {@code cli/target/stemedb.jar}, built by the cli module's package phase, which the
 * reactor runs before this module (it depends on stemedb-cli). Set {@code -Dstemedb.cli.jar=PATH}
 * to test another jar.
 */
class CliEndToEndTest {
    private static final long TIMEOUT_SECONDS = 180;
    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheJar() {
        String configured = System.getProperty("stemedb.cli.jar");
        Path candidate = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.dir")).resolve("../../cli/target/stemedb.jar");
        jar = candidate.toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            fail("the stemedb command line jar is missing at " + jar + "; build it first: mvn -f cli/pom.xml package "
                    + "(a root 'mvn verify' packages the cli module before running these tests), "
                    + "or point -Dstemedb.cli.jar at a built jar");
        }
    }

    /** What one run of the jar did. */
    private record Result(int exit, String out, String err) {
        Result ok() {
            assertEquals(0, exit, "exit code; stderr:\n" + err + "\nstdout:\n" + out);
            assertEquals("", err, "nothing on stderr: no progress bar when not on a terminal, no warnings");
            return this;
        }

        Result fails(int code, String message) {
            assertEquals(code, exit, "exit code; stderr:\n" + err + "\nstdout:\n" + out);
            assertTrue(err.contains(message), "stderr should say '" + message + "':\n" + err);
            assertFalse(err.contains("\tat "), "no stack trace:\n" + err);
            return this;
        }
    }

    /** Runs {@code java -jar stemedb.jar args...} in the test's directory. */
    private Result stemedb(String... args) throws IOException, InterruptedException {
        List<String> command = ChildJava.command(dir, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-jar",
                jar.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("stemedb " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** The counts that any change to the database would move. */
    private String stats(String dataDir) throws Exception {
        String json = stemedb("stats", "--data-dir", dataDir, "--json").ok().out();
        return field(json, "assertions") + " assertions, " + field(json, "retractions") + " retractions, last sequence "
                + field(json, "lastSequence");
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\" : (\\d+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    /** A small dataset, written by hand the way docs/cli.md describes JSON Lines: no ids, fixed HLC timestamps. */
    private Path dataset() throws IOException {
        String node = "\"node\":\"00000000000000e2\"";
        List<String> lines = List.of(
                claim(1672736400000L, "hr", "acme", "ceo", "text", "\"Alice\"", ",\"confidence\":0.9,\"validFrom\":\"2019-01-01\""),
                claim(1676019600000L, "crm", "acme", "ceo", "text", "\"Bob\"", ",\"confidence\":0.6"),
                claim(1678438800000L, "news", "acme", "ceo", "text", "\"Bob\"", ",\"metadata\":{\"url\":\"https://news.example/1\"}"),
                claim(1672736400000L, "hr", "acme", "employees", "integer", "1200", ""),
                claim(1676106000000L, "crm", "acme", "employees", "integer", "1500", ""),
                claim(1673773200000L, "crm", "globex", "ceo", "text", "\"Carol\"", ""),
                claim(1680339600000L, "news", "globex", "public", "boolean", "true", ""),
                claim(1672563600000L, "registry", "globex", "founded", "instant", "\"2001-06-12T00:00:00Z\"", ""),
                claim(1682931600000L, "web", "initech", "ceo", "text", "\"Bob\"", ",\"confidence\":0.3"),
                claim(1683104400000L, "crm", "initech", "revenue", "real", "1500000.5", ""),
                claim(1683190800000L, "web", "initech", "logo", "bytes", "\"0a0b\"", ""),
                claim(1683277200000L, "registry", "initech", "parent", "ref", "\"globex\"", ",\"validTo\":\"2030-01-01T00:00:00Z\""));
        Path file = dir.resolve("dataset.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static String claim(long millis, String source, String subject, String predicate, String type, String value,
            String extra) {
        return "{\"hlc\":{\"physical\":" + millis + ",\"logical\":0,\"node\":\"00000000000000e2\"},\"source\":\"" + source
                + "\",\"subject\":\"" + subject + "\",\"predicate\":\"" + predicate + "\",\"type\":\"" + type
                + "\",\"value\":" + value + extra + "}";
    }

    @Test
    void theWholeLifecycleThroughTheRealJar() throws Exception {
        // init, idempotent
        Result init = stemedb("init", "--data-dir", "db").ok();
        Matcher node = Pattern.compile("node id +(\\p{XDigit}{16})").matcher(init.out());
        assertTrue(node.find(), init.out());
        assertTrue(stemedb("init", "--data-dir", "db").ok().out().contains(node.group(1)), "the same database");

        // import a JSON Lines file: into an empty database, a bulk load
        Result imported = stemedb("import", dataset().toString(), "--data-dir", "db").ok();
        assertEquals("bulk-loaded " + dir.resolve("dataset.jsonl") + " (jsonl, 12 lines): 12 new assertions, 0 already there",
                imported.out().strip());
        String claimId = stemedb("history", "initech", "ceo", "--data-dir", "db", "--json").ok().out()
                .replaceAll("(?s).*?\"id\" : \"(\\p{XDigit}{64})\".*", "$1");
        assertTrue(claimId.matches("\\p{XDigit}{64}"), claimId);
        String retraction = stemedb("retract", claimId, "--source", "web", "--reason", "misread", "--data-dir", "db")
                .ok().out().strip();
        assertTrue(retraction.matches("\\p{XDigit}{64}"), retraction);

        // resolve under two lenses
        Result latest = stemedb("resolve", "acme", "ceo", "--data-dir", "db").ok();
        assertTrue(latest.out().startsWith("acme ceo = \"Bob\"\nlens: latest\n"), latest.out());
        Result trust = stemedb("resolve", "acme", "ceo", "--lens", "trust(hr, crm).orElse(latest)", "--data-dir", "db").ok();
        assertTrue(trust.out().startsWith("acme ceo = \"Alice\"\n"), trust.out());
        Result trustJson = stemedb("resolve", "acme", "ceo", "--lens", "trust(hr, crm).orElse(latest)", "--json",
                "--data-dir", "db").ok();
        assertTrue(trustJson.out().contains("\"lens\" : \"trust[hr > crm]\""), trustJson.out());
        assertTrue(trustJson.out().replaceAll("\\s+", "").contains("\"values\":[{\"type\":\"text\",\"value\":\"Alice\"}]"),
                trustJson.out());
        Result gone = stemedb("resolve", "initech", "ceo", "--explain", "--data-dir", "db").ok();
        assertTrue(gone.out().startsWith("initech ceo = (no value: every claim is retracted)"), gone.out());

        // export as JSON Lines and as an archive, and verify both
        stemedb("export", "export.jsonl", "--data-dir", "db").ok();
        List<String> exported = Files.readAllLines(dir.resolve("export.jsonl"));
        assertEquals(13, exported.size());
        assertTrue(exported.get(12).contains("\"retracts\":\"" + claimId + "\""), exported.get(12));
        Result archive = stemedb("export", "export.stemedb", "--data-dir", "db", "--json").ok();
        assertTrue(archive.out().contains("\"count\" : 13"), archive.out());
        assertTrue(stemedb("verify-archive", "export.stemedb").ok().out().startsWith("ok: export.stemedb is intact"));
        assertTrue(stemedb("verify", "--data-dir", "db").ok().out().startsWith("ok: checked 13 assertions"));

        // the JSON Lines export is exact: a new database that imports it exports the same bytes
        stemedb("init", "--data-dir", "copy").ok();
        stemedb("import", "export.jsonl", "--data-dir", "copy").ok();
        stemedb("export", "copy.jsonl", "--data-dir", "copy").ok();
        assertArrayEquals(Files.readAllBytes(dir.resolve("export.jsonl")), Files.readAllBytes(dir.resolve("copy.jsonl")));
        // and so is the archive
        stemedb("init", "--data-dir", "from-archive").ok();
        assertTrue(stemedb("import", "export.stemedb", "--data-dir", "from-archive").ok().out()
                .contains("13 new assertions"));

        // backup, restore into another directory: the restored database answers like the original
        Result backup = stemedb("backup", "backups", "--data-dir", "db").ok();
        assertTrue(backup.out().startsWith("backup 1 of db written to backups"), backup.out());
        Result restore = stemedb("restore", "backups", "restored").ok();
        assertTrue(restore.out().contains(": 13 assertions, node id " + node.group(1)), restore.out());
        for (String lens : List.of("latest", "trust(hr, crm).orElse(latest)")) {
            for (String format : List.of("--explain", "--json")) {
                assertEquals(stemedb("resolve", "acme", "ceo", "--lens", lens, format, "--data-dir", "db").ok().out(),
                        stemedb("resolve", "acme", "ceo", "--lens", lens, format, "--data-dir", "restored").ok().out(),
                        lens + " " + format);
            }
        }
        assertEquals(stemedb("entity", "initech", "--json", "--data-dir", "db").ok().out(),
                stemedb("entity", "initech", "--json", "--data-dir", "from-archive").ok().out());
        stemedb("export", "restored.jsonl", "--data-dir", "restored").ok();
        assertArrayEquals(Files.readAllBytes(dir.resolve("export.jsonl")), Files.readAllBytes(dir.resolve("restored.jsonl")));
    }

    @Test
    void badArgumentsAndBadFilesExitNonZeroAndChangeNothing() throws Exception {
        stemedb("init", "--data-dir", "db").ok();
        stemedb("import", dataset().toString(), "--data-dir", "db").ok();
        String before = stats("db");

        // usage errors: exit 2, the problem first on stderr
        Result lens = stemedb("resolve", "acme", "ceo", "--lens", "trust(hr, crm", "--data-dir", "db")
                .fails(2, "Invalid value for option '--lens': expected ',' or ')' after 'crm' but the expression ended "
                        + "(column 14 of \"trust(hr, crm\")");
        assertEquals("", lens.out());
        stemedb("assert", "acme", "ceo", "Zed", "--data-dir", "db").fails(2, "Missing required option: '--source=SOURCE'");
        stemedb("assert", "acme", "size", "big", "--type", "integer", "--source", "s", "--data-dir", "db")
                .fails(2, "VALUE 'big' is not an integer");
        stemedb("get", "not-an-id", "--data-dir", "db").fails(2, "an assertion id is 64 hex digits");
        stemedb("frobnicate").fails(2, "Unmatched argument at index 0: 'frobnicate'");

        // a malformed JSON Lines file: exit 1, the line named, nothing imported
        List<String> lines = new ArrayList<>(Files.readAllLines(dataset()));
        lines.set(2, lines.get(2).replace("\"type\":\"text\"", "\"type\":\"colour\""));
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, lines);
        Result badImport = stemedb("import", "bad.jsonl", "--data-dir", "db")
                .fails(1, "stemedb import: bad.jsonl line 3: \"type\" is 'colour'; it must be one of text, integer, real");
        assertEquals(1, badImport.err().lines().count(), badImport.err());
        assertTrue(badImport.err().contains("nothing was imported"), badImport.err());
        Files.writeString(dir.resolve("notjson.jsonl"), "{\"hlc\":\n");
        stemedb("import", "notjson.jsonl", "--data-dir", "db").fails(1, "notjson.jsonl line 1: not valid JSON");

        // a damaged archive: exit 1, nothing imported
        stemedb("export", "good.stemedb", "--uncompressed", "--data-dir", "db").ok();
        byte[] bytes = Files.readAllBytes(dir.resolve("good.stemedb"));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(dir.resolve("damaged.stemedb"), bytes);
        stemedb("verify-archive", "damaged.stemedb").fails(1, "stemedb verify-archive: ");
        stemedb("import", "damaged.stemedb", "--data-dir", "db").fails(1, "stemedb import: ");

        // a missing database is not created by mistake
        stemedb("resolve", "acme", "ceo", "--data-dir", "typo").fails(1, "there is no database at typo; create one with: "
                + "stemedb init --data-dir typo");
        assertFalse(Files.exists(dir.resolve("typo")));

        // a database another process holds: writers fail with exit 1, readers still read
        try (StemeDB holder = StemeDB.open(dir.resolve("db"))) {
            stemedb("assert", "acme", "ceo", "Zed", "--source", "s", "--data-dir", "db").fails(1, "is already open");
            assertTrue(stemedb("resolve", "acme", "ceo", "--data-dir", "db").ok().out().startsWith("acme ceo = \"Bob\""));
            assertEquals(12, holder.stats().assertions());
        }
        assertEquals(before, stats("db"), "no failed command changed the database");
    }

    /**
     * Runs the jar under {@code LC_ALL=C}, the locale of containers and cron, through a shell, so
     * that arguments reach it as raw bytes ({@code shellArgs} may use printf escapes, as
     * "$(printf 'caf\\303\\251')"); returns the exit code, stdout as bytes, and stderr.
     */
    private record RawResult(int exit, byte[] out, String err) {}

    private RawResult stemedbInCLocale(String shellArgs) throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder("exec");
        for (String word : ChildJava.command(dir, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString())) {
            line.append(" '").append(word).append('\'');
        }
        ProcessBuilder b = new ProcessBuilder("/bin/sh", "-c", line + " " + shellArgs).directory(dir.toFile());
        b.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
        b.environment().put("LC_ALL", "C");
        Path out = Files.createTempFile(dir, "out", ".bin");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = b.redirectInput(ProcessBuilder.Redirect.from(nullDevice())).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("stemedb " + shellArgs + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new RawResult(p.exitValue(), Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * Under LC_ALL=C the command line neither alters its arguments nor its output: café is stored
     * as café and printed in UTF-8, and an argument that is not UTF-8 (an overlong '/') is refused
     * with a usage error, storing nothing.
     */
    @Test
    void underLcAllCArgumentsAreReadAsUtf8OrRefusedAndOutputIsUtf8() throws Exception {
        assertEquals(0, stemedbInCLocale("init --data-dir c").exit());
        RawResult asserted = stemedbInCLocale("assert \"$(printf 'caf\\303\\251')\" ceo \"$(printf '\\342\\202\\254100')\" "
                + "--source hr --data-dir c");
        assertEquals(0, asserted.exit(), asserted.err());
        try (StemeDB db = StemeDB.builder().openReadOnly(dir.resolve("c"))) {
            assertEquals(1, db.history("caf\u00e9", "ceo").claims().size(), "stored under the subject typed");
            assertEquals(io.stemedb.model.Value.text("\u20ac100"), db.history("caf\u00e9", "ceo").claims().get(0).value());
        }
        RawResult resolved = stemedbInCLocale("resolve \"$(printf 'caf\\303\\251')\" ceo --json --data-dir c");
        assertEquals(0, resolved.exit(), resolved.err());
        String out = new String(resolved.out(), StandardCharsets.UTF_8);
        assertTrue(out.contains("caf\u00e9") && out.contains("\u20ac100"), "UTF-8 output: " + out);

        RawResult overlong = stemedbInCLocale("assert \"$(printf 'a\\300\\257b')\" ceo x --source hr --data-dir c");
        assertEquals(2, overlong.exit(), overlong.err());
        assertTrue(overlong.err().contains("is not valid UTF-8"), overlong.err());
        try (StemeDB db = StemeDB.builder().openReadOnly(dir.resolve("c"))) {
            assertEquals(1, db.stats().assertions(), "nothing stored");
        }
    }
}
