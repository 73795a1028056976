package io.stemedb.acceptance.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.acceptance.ChildJava;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees on the stderr of the real {@code stemedb} jar running {@code serve} with a
 * peer that nobody listens on: the failed syncs at WARN by default, more with {@code --log-level}
 * or a {@code --log-config} file (docs/operations.md, "Logging").
 */
// A server that never logs the expected line would block the read of its stderr: end the test instead.
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
class ServeLoggingTest {
    /** Replication's INFO line at start, logged before its first sync session. */
    private static final String STARTED = "INFO io.stemedb.Replication - replicating node ";

    @TempDir
    Path dir;

    @Test
    void aFailedSyncIsLoggedAtWarnAndNothingBelowWarnByDefault() throws Exception {
        String peer = deadPeer();
        List<String> seen = serveUntil(List.of(), List.of(), peer, failedSyncWith(peer));

        String warn = seen.get(seen.size() - 1);
        assertTrue(warn.contains("failed; retrying in "), warn);
        assertTrue(warn.matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}.* \\[.+\\] WARN .*"),
                "a log line has the time, the thread and the level: " + warn);
        assertFalse(seen.stream().anyMatch(l -> l.contains(STARTED)), "INFO logged at the default level:\n" + seen);
    }

    @Test
    void logLevelAfterTheCommandShowsInfo() throws Exception {
        String peer = deadPeer();
        List<String> seen = serveUntil(List.of(), List.of("--log-level", "INFO"), peer,
                failedSyncWith(peer));

        assertTrue(seen.stream().anyMatch(l -> l.contains(STARTED) && l.contains("with 1 peer(s)")), String.join("\n", seen));
    }

    @Test
    void aLogConfigFileSetsTheLevelOfOneLogger() throws Exception {
        Path config = dir.resolve("logging.properties");
        Files.writeString(config, "org.slf4j.simpleLogger.log.io.stemedb.Replication=info\n");
        String peer = deadPeer();
        List<String> seen = serveUntil(List.of("--log-config", config.toString()), List.of(), peer,
                failedSyncWith(peer));

        assertTrue(seen.stream().anyMatch(l -> l.contains(STARTED)), String.join("\n", seen));
    }

    @Test
    void anUnknownLevelIsAUsageError() throws Exception {
        List<String> command = ChildJava.command(dir, "-Xmx128m", "-jar", ServeJarTest.jar().toString());
        command.addAll(List.of("--log-level", "loud", "stats", "--data-dir", dir.resolve("data").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("--log-level loud is not a level; give one of trace, debug, info, warn, error, off"), output);
    }

    /** Replication's WARN line for a failed session with {@code peer}. */
    private static Predicate<String> failedSyncWith(String peer) {
        return line -> line.contains(" WARN io.stemedb.Replication - sync with ") && line.contains(peer + "/sync")
                && line.contains(" failed");
    }

    /** A local URL that nobody listens on: the port of a socket just closed. */
    private static String deadPeer() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    /**
     * Starts {@code stemedb [global] serve ... [after]} replicating with {@code peer} every 100 ms and
     * returns its stderr lines up to the first that {@code until} accepts.
     */
    private List<String> serveUntil(List<String> global, List<String> after, String peer, Predicate<String> until)
            throws Exception {
        Path secret = dir.resolve("cluster.secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef\n");
        List<String> command = ChildJava.command(dir, "-Xmx256m", "-jar", ServeJarTest.jar().toString());
        command.addAll(global);
        command.addAll(List.of("serve", "--data-dir", dir.resolve("data").toString(), "--port", "0", "--peer", peer,
                "--cluster-secret-file", secret.toString(), "--sync-interval", "100ms"));
        command.addAll(after);
        Process server = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<String> seen = new ArrayList<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                seen.add(line);
                if (until.test(line)) {
                    return seen;
                }
            }
            fail("the server's stderr ended (exit " + server.waitFor() + ") without the expected line:\n"
                    + String.join("\n", seen));
            return seen;
        } finally {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
