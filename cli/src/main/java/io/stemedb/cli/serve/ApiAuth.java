package io.stemedb.cli.serve;

import io.stemedb.cli.CliException;
import io.stemedb.cli.ClusterSecret;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Who may use the pilot server's API: the credentials of an API tokens file (docs/operations.md,
 * "API authentication"), each bound to the sources it may write for and whether it may retract.
 * A line is {@code token SECRET sources=hr,crm retract=yes} (a bearer token, sent as
 * {@code Authorization: Bearer SECRET}) or {@code cert CN=ingest-1 sources=* retract=no} (a TLS
 * client certificate's subject, with mutual TLS); {@code #} starts a comment. Tokens are compared
 * in constant time, by their SHA-256. Immutable and thread-safe.
 */
final class ApiAuth {
    /** The shortest token accepted: guessing must be hopeless. */
    static final int MIN_TOKEN_CHARS = 16;

    /** An authenticated caller: a name for logs (never the secret), what it may write for, and whether it may retract. */
    record Principal(String name, Set<String> sources, boolean mayRetract) {
        boolean mayWriteFor(String source) {
            return sources.contains("*") || sources.contains(source);
        }
    }

    private record Entry(boolean cert, byte[] credential, Principal principal) {}

    private final List<Entry> entries;

    private ApiAuth(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Reads a tokens file; every mistake in it is a {@link CliException} naming the line. */
    static ApiAuth read(Path file, PrintStream log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot read the API tokens file " + file + ": " + e);
        }
        ClusterSecret.warnIfReadableByOthers(file, "API tokens file", log);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            entries.add(entry(file + " line " + (i + 1), line, entries));
        }
        if (entries.isEmpty()) {
            throw new CliException("the API tokens file " + file + " lists no credentials; add a line such as "
                    + "'token <secret> sources=hr retract=no' (create a secret with: openssl rand -hex 32)");
        }
        return new ApiAuth(entries);
    }

    private static Entry entry(String where, String line, List<Entry> before) {
        String[] fields = line.split("\\s+");
        if (fields.length < 3 || !(fields[0].equals("token") || fields[0].equals("cert"))) {
            throw new CliException(where + ": expected 'token SECRET sources=... [retract=yes|no]' or "
                    + "'cert SUBJECT sources=... [retract=yes|no]'");
        }
        boolean cert = fields[0].equals("cert");
        String credential = fields[1];
        if (!cert && credential.length() < MIN_TOKEN_CHARS) {
            throw new CliException(where + ": the token is " + credential.length() + " characters; use at least "
                    + MIN_TOKEN_CHARS + " (openssl rand -hex 32)");
        }
        Set<String> sources = null;
        boolean retract = false;
        for (int f = 2; f < fields.length; f++) {
            String field = fields[f];
            if (field.startsWith("sources=") && field.length() > "sources=".length()) {
                sources = Set.of(field.substring("sources=".length()).split(","));
            } else if (field.equals("retract=yes") || field.equals("retract=no")) {
                retract = field.equals("retract=yes");
            } else {
                throw new CliException(where + ": unknown field '" + field + "'; the fields are sources=a,b (or *) and "
                        + "retract=yes|no");
            }
        }
        if (sources == null) {
            throw new CliException(where + ": sources=... is missing: name the sources it may write for, or * for all");
        }
        byte[] key = cert ? credential.getBytes(StandardCharsets.UTF_8) : sha256(credential);
        for (Entry e : before) {
            if (e.cert == cert && MessageDigest.isEqual(e.credential, key)) {
                throw new CliException(where + ": this " + fields[0] + " is listed twice");
            }
        }
        String name = cert ? "certificate " + credential : "token of " + where;
        return new Entry(cert, key, new Principal(name, sources, retract));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The caller of a request: by its bearer token if it sends one (a wrong one is refused even
     * with a valid certificate), else by its TLS client certificate's subject; null when neither.
     *
     * @throws ApiException 401 for an Authorization header that is not a known bearer token
     */
    Principal authenticate(String authorization, String certificateSubject) {
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw unauthorized("the Authorization header must be 'Bearer <token>'");
            }
            byte[] presented = sha256(authorization.substring(7).strip());
            Principal found = null;
            for (Entry e : entries) {
                // every entry is compared, so the time taken does not say which one matched
                if (!e.cert && MessageDigest.isEqual(e.credential, presented)) {
                    found = e.principal;
                }
            }
            if (found == null) {
                throw unauthorized("the bearer token is not one this server knows");
            }
            return found;
        }
        if (certificateSubject != null) {
            byte[] subject = certificateSubject.getBytes(StandardCharsets.UTF_8);
            for (Entry e : entries) {
                if (e.cert && MessageDigest.isEqual(e.credential, subject)) {
                    return e.principal;
                }
            }
        }
        return null;
    }

    static ApiException unauthorized(String why) {
        return new ApiException(401, "unauthorized", why + "; send 'Authorization: Bearer <token>' with a token of the "
                + "server's API tokens file (docs/operations.md, \"API authentication\")", "WWW-Authenticate", "Bearer");
    }
}
