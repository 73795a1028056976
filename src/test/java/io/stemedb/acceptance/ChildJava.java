package io.stemedb.acceptance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of the command line of a JVM that a test starts: this JVM's {@code java}, with the
 * test's own directory as the child's temporary directory. RocksJava copies its 15 MB native
 * library into the temporary directory and deletes it only when the JVM exits normally, so each
 * child a test kills (SIGKILL, {@code destroyForcibly}) left one in /tmp; in the test's directory
 * it goes with the test's files.
 */
public final class ChildJava {
    private ChildJava() {}

    /** {@code java -Djava.io.tmpdir=<tmp> <options...>}: append the main class or {@code -jar} and the arguments. */
    public static List<String> command(Path tmp, String... options) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.io.tmpdir=" + tmp.toAbsolutePath());
        command.addAll(List.of(options));
        return command;
    }
}
