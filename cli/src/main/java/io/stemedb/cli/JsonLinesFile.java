package io.stemedb.cli;

import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBBuilder;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Import and export of whole JSON Lines files ({@link JsonLines}). Import is all-or-nothing with
 * respect to the file's validity: a first pass parses and validates every line and stops the
 * import, storing nothing, if any line is bad; only then does a second pass merge the assertions
 * (in batches; a merge is a set union, so running an import again is harmless). Export writes a
 * temporary file and renames it over the target when complete.
 */
public final class JsonLinesFile {
    /** How many assertions one merge stores. */
    static final int BATCH = 5000;
    private static final int PROGRESS_EVERY = 1000;
    /** The clock drift a database accepts in a merge by default (StemeDBBuilder.maxClockDrift). */
    static final Duration DEFAULT_MAX_CLOCK_DRIFT = Duration.ofHours(1);

    private JsonLinesFile() {}

    /** How many parsed assertions the checking pass keeps for the merge, so that a small file is parsed once. */
    static final int KEEP_PARSED = 100_000;

    /**
     * What the checking pass found in a valid file: its assertions too when there are at most
     * {@link #KEEP_PARSED} of them (else null, and the merge reads the file again).
     */
    public record Checked(long lines, long assertions, Set<AssertionId> retractionTargets, List<Assertion> parsed) {}

    /** What an import did. */
    public record Imported(Checked checked, MergeResult merge, long missingTargets) {}

    /**
     * Parses and validates every line of {@code file}, as a database with default limits would
     * merge it (value size, clock drift).
     *
     * @throws CliException naming the file and the first bad line, and how many other lines are bad
     */
    public static Checked check(Path file, Clock clock, ProgressListener progress) {
        long latestAcceptable = clock.millis() + DEFAULT_MAX_CLOCK_DRIFT.toMillis();
        Set<AssertionId> targets = new HashSet<>();
        List<Assertion> parsed = new ArrayList<>();
        boolean[] keep = {true};
        long[] count = new long[1];
        String[] firstError = new String[1];
        long[] otherErrors = new long[1];
        long lines = read(file, (lineNo, text) -> {
            String problem = null;
            try {
                Assertion a = JsonLines.parse(text);
                problem = limits(a, latestAcceptable);
                if (problem == null) {
                    count[0]++;
                    if (keep[0] && parsed.size() < KEEP_PARSED) {
                        parsed.add(a);
                    } else if (keep[0]) {
                        keep[0] = false;
                        parsed.clear();
                    }
                    if (a instanceof Retraction) {
                        targets.add(((Retraction) a).target());
                    }
                }
            } catch (JsonLines.LineException e) {
                problem = e.getMessage();
            }
            if (problem != null) {
                if (firstError[0] == null) {
                    firstError[0] = file + " line " + lineNo + ": " + problem;
                } else {
                    otherErrors[0]++;
                }
            }
            if (lineNo % PROGRESS_EVERY == 0) {
                progress.progress("import: checking", lineNo, -1);
            }
        });
        if (firstError[0] != null) {
            throw new CliException(firstError[0] + (otherErrors[0] > 0 ? " (and " + otherErrors[0] + " more bad lines)" : "")
                    + "; nothing was imported: fix the file and import it again");
        }
        return new Checked(lines, count[0], targets, keep[0] ? parsed : null);
    }

    private static String limits(Assertion a, long latestAcceptable) {
        if (a instanceof Claim && ((Claim) a).value().encodedSize() > StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES) {
            return String.format("the value is %,d bytes, over the database's limit of %,d",
                    ((Claim) a).value().encodedSize(), StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES);
        }
        if (a.hlc().physicalMillis() > latestAcceptable) {
            return "the hlc " + a.hlc() + " is more than " + DEFAULT_MAX_CLOCK_DRIFT.toHours()
                    + " hour ahead of this machine's clock, so a database would refuse it; check the clock of the "
                    + "machine that wrote it";
        }
        return null;
    }

    /**
     * Merges the assertions of {@code file}, which {@link #check} found valid ({@code checked}),
     * into {@code db}.
     */
    public static Imported importInto(StemeDB db, Path file, Checked checked, ProgressListener progress) {
        Set<AssertionId> missing = new HashSet<>(checked.retractionTargets());
        List<Assertion> batch = new ArrayList<>(BATCH);
        int[] totals = new int[2];
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        long[] done = new long[1];
        Runnable flush = () -> {
            if (!batch.isEmpty()) {
                MergeResult r = db.merge(batch);
                totals[0] += r.added();
                totals[1] += r.duplicates();
                rejected.addAll(r.rejected());
                batch.clear();
            }
        };
        java.util.function.Consumer<Assertion> merge = a -> {
            if (a instanceof Claim) {
                missing.remove(a.id());
            }
            batch.add(a);
            done[0]++;
            if (batch.size() >= BATCH) {
                flush.run();
            }
            if (done[0] % PROGRESS_EVERY == 0) {
                progress.progress("import", done[0], checked.assertions());
            }
        };
        if (checked.parsed() != null) {
            checked.parsed().forEach(merge);
        } else {
            read(file, (lineNo, text) -> {
                try {
                    merge.accept(JsonLines.parse(text));
                } catch (JsonLines.LineException e) {
                    throw new CliException(file + " line " + lineNo + " changed while it was imported: " + e.getMessage());
                }
            });
        }
        flush.run();
        progress.progress("import", done[0], checked.assertions());
        missing.removeIf(t -> db.get(t).isPresent());
        return new Imported(checked, new MergeResult(totals[0], totals[1], rejected), missing.size());
    }

    /**
     * Bulk-loads {@code file} into {@code db} ({@link StemeDB#bulkLoad}) in one pass: each line is
     * parsed and checked as {@link #check} checks it while the load reads it, and the first bad
     * line stops the load before its commit point, so that, as with a checked merge, a bad file
     * imports nothing. Claims arrive in file order, then retractions.
     */
    public static Imported bulkImportInto(StemeDB db, Path file, Clock clock, ProgressListener progress) {
        long latestAcceptable = clock.millis() + DEFAULT_MAX_CLOCK_DRIFT.toMillis();
        Set<AssertionId> targets = new HashSet<>();
        long[] lines = new long[1];
        long[] count = new long[1];
        io.stemedb.BulkLoadResult r;
        try (java.util.stream.Stream<Assertion> parsed = parsedLines(file, lines).map(a -> {
            String problem = limits(a.assertion(), latestAcceptable);
            if (problem != null) {
                throw new CliException(file + " line " + a.line() + ": " + problem + "; nothing was imported: fix the file "
                        + "and import it again");
            }
            if (a.assertion() instanceof Retraction retraction) {
                targets.add(retraction.target());
            }
            count[0]++;
            return a.assertion();
        })) {
            r = db.bulkLoad(parsed, progress);
        }
        long missing = targets.stream().filter(t -> db.get(t).isEmpty()).count();
        Checked checked = new Checked(lines[0], count[0], targets, null);
        return new Imported(checked, new MergeResult(Math.toIntExact(r.added()), Math.toIntExact(r.duplicates()), r.rejected()),
                missing);
    }

    /** An assertion and the line it came from. */
    private record Numbered(long line, Assertion assertion) {}

    /** The assertions of {@code file}, parsed as they are read; {@code lines} counts the lines read. */
    private static java.util.stream.Stream<Numbered> parsedLines(Path file, long[] lines) {
        java.io.BufferedReader reader;
        try {
            reader = new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return reader.lines().onClose(() -> {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).map(text -> {
            long lineNo = ++lines[0];
            String line = lineNo == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
            if (line.isBlank()) {
                return null;
            }
            try {
                return new Numbered(lineNo, JsonLines.parse(line));
            } catch (JsonLines.LineException e) {
                throw new CliException(file + " line " + lineNo + ": " + e.getMessage() + "; nothing was imported: fix the "
                        + "file and import it again");
            }
        }).filter(java.util.Objects::nonNull);
    }

    /**
     * Writes the assertions of {@code db} that {@code asOf} and {@code sources} select (as an
     * archive export would select them) to {@code target}, in arrival order.
     *
     * @param asOf only assertions recorded at or before it, or null for all
     * @param sources only these sources' assertions, or empty for all
     * @return how many were written
     */
    public static long export(StemeDB db, Path target, Instant asOf, Set<String> sources, ProgressListener progress)
            throws IOException {
        long upTo = db.stats().lastSequence();
        Path absolute = target.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        long written = 0;
        try {
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                long after = 0;
                while (after < upTo) {
                    List<Change> page = db.changesSince(after, (int) Math.min(4096, upTo - after));
                    if (page.isEmpty()) {
                        break;
                    }
                    for (Change c : page) {
                        after = c.sequence();
                        Assertion a = c.assertion();
                        if ((asOf == null || !a.hlc().instant().isAfter(asOf))
                                && (sources.isEmpty() || sources.contains(a.source()))) {
                            out.write(JsonLines.toLine(a));
                            out.write('\n');
                            written++;
                        }
                    }
                    progress.progress("export", after, upTo);
                }
            }
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return written;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Hears one non-blank line. */
    private interface LineVisitor {
        void line(long lineNo, String text);
    }

    /**
     * Reads every non-blank line (lines end with \n or \r\n; each must be UTF-8); returns how
     * many lines the file has.
     */
    private static long read(Path file, LineVisitor visitor) {
        long lineNo = 0;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            boolean more = true;
            while (more) {
                int b = in.read();
                if (b != -1 && b != '\n') {
                    line.write(b);
                    continue;
                }
                more = b != -1;
                if (!more && line.size() == 0) {
                    break;
                }
                lineNo++;
                byte[] bytes = line.toByteArray();
                line.reset();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                String text;
                try {
                    text = utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
                } catch (CharacterCodingException e) {
                    throw new CliException(file + " line " + lineNo + ": not valid UTF-8 text (JSON Lines files are UTF-8); "
                            + "nothing was imported: fix the file and import it again");
                }
                if (lineNo == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (!text.isBlank()) {
                    visitor.line(lineNo, text);
                }
            }
            return lineNo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
