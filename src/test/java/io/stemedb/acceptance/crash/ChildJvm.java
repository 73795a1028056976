package io.stemedb.acceptance.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.acceptance.ChildJava;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM running a main class of the test classpath, whose stdout is read line by line on
 * a thread of its own (so the child never blocks on a full pipe). Only complete lines count: a
 * line the child was killed in the middle of writing is dropped.
 */
final class ChildJvm implements AutoCloseable {
    /** Linux reports a process killed by signal n with exit status 128 + n; SIGKILL is 9. */
    static final int KILLED_BY_SIGKILL = 128 + 9;
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile String partialLine = "";
    private volatile IOException readFailure;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::pump, "child-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM: this JVM's java and the test
     * classpath. Its temporary directory is the one {@code stderr} is written in (the test's:
     * {@link ChildJava}; the crash tests' children left about 40 copies of RocksJava's native
     * library in /tmp per run, 600 MB).
     */
    static ChildJvm start(Class<?> mainClass, Path stderr, String... args) throws IOException {
        List<String> command = ChildJava.command(stderr.toAbsolutePath().getParent(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", testClassPath(), mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        return new ChildJvm(process, stderr);
    }

    /**
     * The test classpath. Surefire may start the test JVM from a manifest-only jar, whose
     * {@code java.class.path} is that one jar; it then gives the real classpath in
     * {@code surefire.test.class.path} (src/test/pom.xml also turns the manifest-only jar off).
     */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private void pump() {
        try (InputStream in = process.getInputStream()) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(buffer[i]);
                    }
                }
            }
            partialLine = line.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            readFailure = e;
        } finally {
            lines.add(EOF);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Writes {@code line} and a newline to the child's stdin. */
    void send(String line) throws IOException {
        java.io.OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The next complete line, waiting up to {@code seconds}; fails if the child ends or is silent. */
    String expectLine(long seconds) throws InterruptedException {
        String line = lines.poll(seconds, TimeUnit.SECONDS);
        if (line == null) {
            fail("the child printed nothing for " + seconds + " s; its stderr:\n" + stderrText());
        }
        if (line.equals(EOF)) {
            lines.add(EOF);
            fail("the child ended before printing the expected line; its stderr:\n" + stderrText());
        }
        return line;
    }

    /** True if the child is still running after waiting {@code millis} (it should not end by itself). */
    boolean stillRunningAfter(long millis) throws InterruptedException {
        return !process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Kills the child with SIGKILL and checks that it was that signal that ended it.
     *
     * <p>It signals through {@link ProcessHandle#destroyForcibly()}, which on Linux sends SIGKILL
     * and nothing else. {@link Process#destroyForcibly()} sends the same signal but then also
     * closes the Process's stdout stream, which throws away whatever the child wrote that was
     * not read yet: the last lines (acknowledgements, BEGINs of batches that did land) would be
     * lost, and the test would blame the database for them.
     */
    void killHard() throws InterruptedException {
        assertTrue(process.toHandle().destroyForcibly(), "the kill signal was sent");
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            fail("the child survived SIGKILL for 60 s");
        }
        assertEquals(KILLED_BY_SIGKILL, process.exitValue(),
                "destroyForcibly ends the child with SIGKILL (exit status 137); stderr:\n" + stderrText());
    }

    /** Every complete line the child printed after those already taken; call once it has ended. */
    List<String> remainingLines() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(120));
        if (reader.isAlive()) {
            fail("the child's stdout did not reach its end within 120 s of the child's death");
        }
        if (readFailure != null) {
            throw new AssertionError("reading the child's stdout failed, so lines may be missing", readFailure);
        }
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        rest.remove(EOF);
        return rest;
    }

    /** What the child was writing when it died: a line without its newline, or "". */
    String partialLine() {
        return partialLine;
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(cannot read " + stderr + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
