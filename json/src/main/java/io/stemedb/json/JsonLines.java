package io.stemedb.json;

import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.Change;
import io.stemedb.model.StemeException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * JSON Lines, the text form of a database's assertions (docs/cli.md, "JSON Lines"): one JSON
 * object per line, carrying every field of a claim or retraction, including its HLC timestamp,
 * so that importing rebuilds exactly the same assertions with the same ids. A line has the shape
 * of {@link Json#assertion}.
 *
 * <p>A claim:
 * <pre>{@code
 * {"id":"3fa2...","hlc":{"physical":1700000000000,"logical":0,"node":"5eed000000000001"},"source":"hr",
 *  "subject":"acme","predicate":"ceo","type":"text","value":"Alice","confidence":0.9,
 *  "validFrom":"2023-01-01T00:00:00Z","validTo":"2024-01-01T00:00:00Z","metadata":{"url":"https://..."}}
 * }</pre>
 * A retraction names the id of the claim it retracts:
 * <pre>{@code
 * {"id":"91bc...","hlc":{"physical":1700000100000,"logical":0,"node":"5eed000000000001"},"source":"hr",
 *  "retracts":"3fa2...","metadata":{"reason":"typo"}}
 * }</pre>
 *
 * <p>{@link #importFrom} and {@link #exportTo} load and dump whole files or streams, streaming:
 * memory is bounded by a batch and the longest line, not by the file. Stateless and thread-safe; an import
 * or export runs on the caller's thread.
 */
public final class JsonLines {
    private JsonLines() {}

    /** A line that is not a valid assertion; the message says what is wrong (without the line number). */
    public static final class LineException extends Json.InvalidJsonException {
        private static final long serialVersionUID = 1L;

        LineException(String message) {
            super(message);
        }
    }

    /**
     * A file that cannot be imported: the message names the file, its first bad line and what is
     * wrong with it, and how many other lines are bad. Nothing of the file was stored.
     */
    public static final class BadFileException extends StemeException {
        private static final long serialVersionUID = 1L;

        BadFileException(String message) {
            super(message);
        }

        static BadFileException of(String firstError, long otherErrors) {
            return new BadFileException(firstError + (otherErrors > 0 ? " (and " + otherErrors + " more bad lines)" : "")
                    + "; nothing was imported: fix the file and import it again");
        }
    }

    /**
     * How to import.
     *
     * @param bulk true to bulk-load ({@link StemeDB#bulkLoad}: sorted table files, much faster for
     *     large files, writers wait meanwhile), false to merge in batches, null to bulk-load exactly
     *     when the database is empty
     * @param clock the clock that decides which timestamps are too far ahead (an hour, as a database's default)
     * @param progress hears the lines checked and the assertions stored
     */
    public record ImportOptions(Boolean bulk, Clock clock, ProgressListener progress) {
        public ImportOptions {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(progress, "progress");
        }

        /** Bulk when the database is empty, the system clock, no progress. */
        public static ImportOptions defaults() {
            return new ImportOptions(null, Clock.systemUTC(), ProgressListener.NONE);
        }

        public ImportOptions withBulk(Boolean newBulk) {
            return new ImportOptions(newBulk, clock, progress);
        }

        public ImportOptions withProgress(ProgressListener newProgress) {
            return new ImportOptions(bulk, clock, newProgress);
        }
    }

    /**
     * What an import did.
     *
     * @param lines the lines of the file, blank ones included
     * @param assertions the assertions the file holds
     * @param merge what the database did with them: added, already there, refused
     * @param missingTargets retractions of claims that are neither in the file nor in the database
     *     (kept: they take effect when the claims arrive)
     * @param bulk whether the file was bulk-loaded
     */
    public record ImportResult(long lines, long assertions, MergeResult merge, long missingTargets, boolean bulk) {}

    /**
     * What to export.
     *
     * @param asOf only the assertions recorded at or before it, or null for all
     * @param sources only these sources' assertions, or empty for all
     * @param progress hears the sequence numbers read
     */
    public record ExportOptions(Instant asOf, Set<String> sources, ProgressListener progress) {
        public ExportOptions {
            sources = Set.copyOf(sources);
            Objects.requireNonNull(progress, "progress");
        }

        /** Every assertion, no progress. */
        public static ExportOptions all() {
            return new ExportOptions(null, Set.of(), ProgressListener.NONE);
        }
    }

    /** One line of a file (without the line break). */
    public static String toLine(Assertion a) {
        return Json.write(Json.assertion(a));
    }

    /**
     * Parses and validates one line into the assertion it describes. If the line states an
     * {@code id}, it must be the id of the assertion the other fields describe.
     *
     * @throws LineException saying what is wrong
     */
    public static Assertion parse(String line) {
        return AssertionReader.parse(line);
    }

    /**
     * Imports {@code file} into {@code db}. The whole file is checked first, as a database with
     * default limits would take it (value size, clock drift); if any line is bad, nothing is
     * stored. Assertions already in the database are counted, not stored again, so importing
     * twice is harmless.
     *
     * @throws BadFileException naming the first bad line, and how many others are bad
     * @throws UncheckedIOException if the file cannot be read
     */
    public static ImportResult importFrom(StemeDB db, Path file, ImportOptions options) {
        boolean bulk = options.bulk() != null ? options.bulk() : db.stats().lastSequence() == 0;
        if (bulk) {
            return JsonLinesImport.bulk(db, new LineReader(file), file.toString(), options);
        }
        JsonLinesImport.Checked checked = JsonLinesImport.check(file, options);
        return JsonLinesImport.merge(db, file, checked, options.progress());
    }

    /**
     * Imports JSON Lines read from {@code in} (which it closes) into {@code db}, in one pass: a
     * stream cannot be read twice, so it is always bulk-loaded ({@link StemeDB#bulkLoad}), each
     * line checked as the load reads it; at a bad line the rest is only checked, to count the bad
     * lines, and the load stops before its commit point, so that a bad stream imports nothing.
     * Memory is bounded by the load's batches and the longest line.
     *
     * @param name what to call the stream in error messages (a file name, a URL)
     * @throws BadFileException naming the first bad line, and how many others are bad
     * @throws IllegalArgumentException if {@code options} ask not to bulk-load
     */
    public static ImportResult importFrom(StemeDB db, InputStream in, String name, ImportOptions options) {
        if (Boolean.FALSE.equals(options.bulk())) {
            throw new IllegalArgumentException("a stream is imported in one pass, which only a bulk load can undo at a bad "
                    + "line; write it to a file and import the file to merge it instead");
        }
        return JsonLinesImport.bulk(db, new LineReader(in, name), name, options);
    }

    /**
     * Writes the assertions of {@code db} that {@code options} select (as an archive export would
     * select them) to {@code target}, in arrival order. The file is written beside the target and
     * renamed over it when complete, so a reader never sees half a file.
     *
     * @return how many were written
     */
    public static long exportTo(StemeDB db, Path target, ExportOptions options) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try {
            long written;
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                written = exportTo(db, out, options);
            }
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return written;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes the assertions of {@code db} that {@code options} select to {@code out}, one line
     * each, in arrival order, up to the last assertion stored when the export began. Does not
     * close {@code out}.
     *
     * @return how many were written
     */
    public static long exportTo(StemeDB db, Writer out, ExportOptions options) throws IOException {
        long upTo = db.stats().lastSequence();
        long written = 0;
        long after = 0;
        while (after < upTo) {
            List<Change> page = db.changesSince(after, (int) Math.min(4096, upTo - after));
            if (page.isEmpty()) {
                break;
            }
            for (Change c : page) {
                after = c.sequence();
                Assertion a = c.assertion();
                if ((options.asOf() == null || !a.hlc().instant().isAfter(options.asOf()))
                        && (options.sources().isEmpty() || options.sources().contains(a.source()))) {
                    out.write(toLine(a));
                    out.write('\n');
                    written++;
                }
            }
            options.progress().progress("export", after, upTo);
        }
        out.flush();
        return written;
    }
}
