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
            throw badFile(firstError[0], otherErrors[0]);
        }
        return new Checked(lines, count[0], targets, keep[0] ? parsed : null);
    }

    private static CliException badFile(String firstError, long otherErrors) {
        return new CliException(firstError + (otherErrors > 0 ? " (and " + otherErrors + " more bad lines)" : "")
                + "; nothing was imported: fix the file and import it again");
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
     * parsed and checked as {@link #check} checks it while the load reads it. At the first bad
     * line the rest of the file is only checked, to count the bad lines, and the load then stops
     * before its commit point, so that, as with a checked merge, a bad file imports nothing.
     * Claims arrive in file order, then retractions.
     */
    public static Imported bulkImportInto(StemeDB db, Path file, Clock clock, ProgressListener progress) {
        CheckedLines lines = new CheckedLines(file, clock.millis() + DEFAULT_MAX_CLOCK_DRIFT.toMillis());
        io.stemedb.BulkLoadResult r;
        try (lines) {
            r = db.bulkLoad(lines, progress);
        }
        long missing = lines.targets.stream().filter(t -> db.get(t).isEmpty()).count();
        Checked checked = new Checked(lines.lineNo, lines.count, lines.targets, null);
        return new Imported(checked, new MergeResult(Math.toIntExact(r.added()), Math.toIntExact(r.duplicates()), r.rejected()),
                missing);
    }

    /** The assertions of a file, parsed and checked as they are read; after a bad line, only checked, then refused. */
    private static final class CheckedLines implements java.util.Iterator<Assertion>, AutoCloseable {
        private final Path file;
        private final long latestAcceptable;
        private final LineReader reader;
        final Set<AssertionId> targets = new HashSet<>();
        long lineNo;
        long count;
        private Assertion next;
        private String firstError;
        private long otherErrors;

        CheckedLines(Path file, long latestAcceptable) {
            this.file = file;
            this.latestAcceptable = latestAcceptable;
            this.reader = new LineReader(file);
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                String text = reader.next();
                lineNo = reader.lineNo;
                if (text == null) {
                    if (firstError != null) {
                        throw badFile(firstError, otherErrors);
                    }
                    return false;
                }
                if (text.isBlank()) {
                    continue;
                }
                String problem;
                Assertion a = null;
                try {
                    a = JsonLines.parse(text);
                    problem = limits(a, latestAcceptable);
                } catch (JsonLines.LineException e) {
                    problem = e.getMessage();
                }
                if (problem != null) {
                    if (firstError == null) {
                        firstError = file + " line " + lineNo + ": " + problem;
                    } else {
                        otherErrors++;
                    }
                } else if (firstError == null) {
                    count++;
                    if (a instanceof Retraction retraction) {
                        targets.add(retraction.target());
                    }
                    next = a;
                }
            }
            return true;
        }

        @Override
        public Assertion next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            Assertion a = next;
            next = null;
            return a;
        }

        @Override
        public void close() {
            reader.close();
        }
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
        try (LineReader lines = new LineReader(file)) {
            for (String text = lines.next(); text != null; text = lines.next()) {
                if (!text.isBlank()) {
                    visitor.line(lines.lineNo, text);
                }
            }
            return lines.lineNo;
        }
    }

    /**
     * The lines of a file (ending with \n or \r\n), each decoded as strict UTF-8 on its own, so
     * that a bad byte is reported with its line; a byte order mark before the first is dropped.
     */
    private static final class LineReader implements AutoCloseable {
        private final Path file;
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int limit;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        long lineNo;
        private boolean ended;

        LineReader(Path file) {
            this.file = file;
            try {
                in = Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The next line, or null at the end. */
        String next() {
            if (ended) {
                return null;
            }
            try {
                while (true) {
                    if (position == limit) {
                        limit = Math.max(0, in.read(buffer));
                        position = 0;
                        if (limit == 0) {
                            ended = true;
                            if (line.size() == 0) {
                                return null;
                            }
                            break;
                        }
                    }
                    int start = position;
                    while (position < limit && buffer[position] != '\n') {
                        position++;
                    }
                    line.write(buffer, start, position - start);
                    if (position < limit) {
                        position++; // the newline
                        break;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lineNo++;
            byte[] bytes = line.toByteArray();
            line.reset();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            String text;
            try {
                text = utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            } catch (CharacterCodingException e) {
                throw badFile(file + " line " + lineNo + ": not valid UTF-8 text (JSON Lines files are UTF-8)", 0);
            }
            return lineNo == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
