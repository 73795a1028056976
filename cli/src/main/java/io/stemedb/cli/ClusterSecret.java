package io.stemedb.cli;

import io.stemedb.merkle.ClusterAuth;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Set;

/**
 * The cluster secret file of {@code stemedb sync} (and of the server): the secret is the file's
 * bytes with whitespace (spaces, tabs, line breaks, other control characters) removed at both
 * ends, so a file written by
 * {@code openssl rand -hex 32 > FILE} holds a 64-byte secret. It must be at least
 * {@link ClusterAuth#MIN_SECRET_BYTES} bytes. Every replica of a cluster reads the same file content.
 */
public final class ClusterSecret {
    private ClusterSecret() {}

    /**
     * The secret in {@code file}.
     *
     * @throws CliException if the file cannot be read or the secret is too short
     */
    public static byte[] read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliException("there is no cluster secret file " + file + "; create one with: openssl rand -hex 32 > "
                    + file + " (and give every replica the same file)");
        } catch (IOException e) {
            throw new CliException("cannot read the cluster secret file " + file + ": " + e.getMessage(), e);
        }
        // The same reading as stemedb serve's: the bytes as ISO-8859-1 text, whitespace stripped at both ends.
        byte[] secret = new String(bytes, StandardCharsets.ISO_8859_1).strip().getBytes(StandardCharsets.ISO_8859_1);
        if (secret.length < ClusterAuth.MIN_SECRET_BYTES) {
            throw new CliException("the cluster secret in " + file + " is " + secret.length + " bytes; it must be at least "
                    + ClusterAuth.MIN_SECRET_BYTES + ": create one with: openssl rand -hex 32 > " + file);
        }
        return secret;
    }

    /** Warns on {@code log} when {@code file}, holding secrets ({@code what}), is readable by other users. */
    public static void warnIfReadableByOthers(Path file, String what, PrintStream log) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                log.println("stemedb serve: warning: the " + what + " " + file + " is readable by other users; chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system, or gone since it was read: nothing to check
        }
    }

    /** Cluster authentication with the secret in {@code file}. */
    public static ClusterAuth auth(Path file, Clock clock) {
        return ClusterAuth.withSecret(read(file), clock);
    }
}
