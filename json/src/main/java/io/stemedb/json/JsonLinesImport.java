package io.stemedb.json;

import io.stemedb.BulkLoadResult;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBBuilder;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * The import of a JSON Lines file ({@link JsonLines#importFrom}). A checked import is
 * all-or-nothing with respect to the file's validity: a first pass parses and validates every line
 * and stops, storing nothing, if any line is bad; only then does a second pass merge the
 * assertions in batches (a merge is a set union, so importing again is harmless). A bulk import
 * checks each line as the load reads it and stops before the load's commit point at a bad one.
 * Stateless.
 */
final class JsonLinesImport {
    /** How many assertions one merge stores. */
    static final int BATCH = 5000;
    private static final int PROGRESS_EVERY = 1000;
    /** The clock drift a database accepts in a merge by default (StemeDBBuilder.maxClockDrift). */
    static final Duration DEFAULT_MAX_CLOCK_DRIFT = Duration.ofHours(1);
    /** How many parsed assertions the checking pass keeps for the merge, so that a small file is parsed once. */
    static final int KEEP_PARSED = 100_000;

    private JsonLinesImport() {}

    /**
     * What the checking pass found in a valid file: its assertions too when there are at most
     * {@link #KEEP_PARSED} of them (else null, and the merge reads the file again).
     */
    record Checked(long lines, long assertions, Set<AssertionId> retractionTargets, List<Assertion> parsed) {}

    /** Collects the bad lines of a file: the first one's message and how many others there are. */
    private static final class Problems {
        private final String name;
        private String first;
        private long others;

        Problems(String name) {
            this.name = name;
        }

        void add(long lineNo, String problem) {
            if (first == null) {
                first = name + " line " + lineNo + ": " + problem;
            } else {
                others++;
            }
        }

        boolean any() {
            return first != null;
        }

        JsonLines.BadFileException refusal() {
            return JsonLines.BadFileException.of(first, others);
        }
    }

    /** Parses a line and applies a database's default limits; returns the problem, or null. */
    private static String problem(String text, long latestAcceptable, Assertion[] parsed) {
        try {
            Assertion a = AssertionReader.parse(text);
            parsed[0] = a;
            if (a instanceof Claim c && c.value().encodedSize() > StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES) {
                return String.format("the value is %,d bytes, over the database's limit of %,d",
                        c.value().encodedSize(), StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES);
            }
            if (a.hlc().physicalMillis() > latestAcceptable) {
                return "the hlc " + a.hlc() + " is more than " + DEFAULT_MAX_CLOCK_DRIFT.toHours()
                        + " hour ahead of this machine's clock, so a database would refuse it; check the clock of the "
                        + "machine that wrote it";
            }
            return null;
        } catch (JsonLines.LineException e) {
            return e.getMessage();
        }
    }

    /** Parses and validates every line of {@code file}, as a database with default limits would merge it. */
    static Checked check(Path file, JsonLines.ImportOptions options) {
        long latestAcceptable = options.clock().millis() + DEFAULT_MAX_CLOCK_DRIFT.toMillis();
        ProgressListener progress = options.progress();
        Set<AssertionId> targets = new HashSet<>();
        List<Assertion> parsed = new ArrayList<>();
        boolean[] keep = {true};
        long[] count = new long[1];
        Problems problems = new Problems(file.toString());
        Assertion[] one = new Assertion[1];
        long lines = LineReader.read(file, (lineNo, text) -> {
            String problem = problem(text, latestAcceptable, one);
            if (problem != null) {
                problems.add(lineNo, problem);
            } else {
                Assertion a = one[0];
                count[0]++;
                if (keep[0] && parsed.size() < KEEP_PARSED) {
                    parsed.add(a);
                } else if (keep[0]) {
                    keep[0] = false;
                    parsed.clear();
                }
                if (a instanceof Retraction r) {
                    targets.add(r.target());
                }
            }
            if (lineNo % PROGRESS_EVERY == 0) {
                progress.progress("import: checking", lineNo, -1);
            }
        });
        if (problems.any()) {
            throw problems.refusal();
        }
        return new Checked(lines, count[0], targets, keep[0] ? parsed : null);
    }

    /** Merges the assertions of {@code file}, which {@link #check} found valid, into {@code db}. */
    static JsonLines.ImportResult merge(StemeDB db, Path file, Checked checked, ProgressListener progress) {
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
        Consumer<Assertion> merge = a -> {
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
            LineReader.read(file, (lineNo, text) -> {
                try {
                    merge.accept(AssertionReader.parse(text));
                } catch (JsonLines.LineException e) {
                    throw new JsonLines.BadFileException(file + " line " + lineNo + " changed while it was imported: "
                            + e.getMessage());
                }
            });
        }
        flush.run();
        progress.progress("import", done[0], checked.assertions());
        missing.removeIf(t -> db.get(t).isPresent());
        return new JsonLines.ImportResult(checked.lines(), checked.assertions(),
                new MergeResult(totals[0], totals[1], rejected), missing.size(), false);
    }

    /**
     * Bulk-loads {@code file} into {@code db} ({@link StemeDB#bulkLoad}) in one pass: each line is
     * parsed and checked as {@link #check} checks it while the load reads it. At the first bad
     * line the rest of the file is only checked, to count the bad lines, and the load then stops
     * before its commit point, so that, as with a checked merge, a bad file imports nothing.
     */
    static JsonLines.ImportResult bulk(StemeDB db, LineReader reader, String name, JsonLines.ImportOptions options) {
        CheckedLines lines = new CheckedLines(reader, name, options.clock().millis() + DEFAULT_MAX_CLOCK_DRIFT.toMillis());
        BulkLoadResult r;
        try (lines) {
            r = db.bulkLoad(lines, options.progress());
        }
        long missing = lines.targets.stream().filter(t -> db.get(t).isEmpty()).count();
        return new JsonLines.ImportResult(lines.lines, lines.count,
                new MergeResult(Math.toIntExact(r.added()), Math.toIntExact(r.duplicates()), r.rejected()), missing, true);
    }

    /**
     * The assertions of a file, parsed and checked as they are read; after a bad line, only
     * checked, then refused. The lines are read and parsed (JSON, then the assertion's canonical
     * bytes and id) on a thread of their own, {@link #PARSE_BATCH} at a time and at most
     * {@link #BATCHES_AHEAD} batches ahead, and checked here in their order. On the load's
     * thread, parsing took more than half of that thread's time; beside it, on two cores,
     * 10,000,000 lines imported in 62.9 and 60.6 s against 69.6 and 63.6 s (alternated), the two
     * cores then busy.
     */
    private static final class CheckedLines implements Iterator<Assertion>, AutoCloseable {
        private static final int PARSE_BATCH = 512;
        private static final int BATCHES_AHEAD = 16;

        /** A non-blank line: its assertion, or what is wrong with it. */
        private record Parsed(long lineNo, Assertion assertion, String problem) {}

        /** Parsed lines in order; the last batch has {@code ended} set, and {@code failure} if reading failed. */
        private record Batch(List<Parsed> lines, long lastLineNo, boolean ended, Throwable failure) {}

        private final long latestAcceptable;
        private final LineReader reader;
        private final BlockingQueue<Batch> ahead = new ArrayBlockingQueue<>(BATCHES_AHEAD);
        private final Thread parser;
        final Set<AssertionId> targets = new HashSet<>();
        long count;
        /** The lines of the file, once it was read to its end. */
        long lines;
        private Iterator<Parsed> batch = Collections.emptyIterator();
        private boolean ended;
        private Assertion next;
        private final Problems problems;

        CheckedLines(LineReader reader, String name, long latestAcceptable) {
            this.latestAcceptable = latestAcceptable;
            this.reader = reader;
            this.problems = new Problems(name);
            this.parser = new Thread(this::parse, "stemedb-import-parser");
            parser.setDaemon(true);
            parser.start();
        }

        /** The parsing thread's work: every line of the file into {@link #ahead}, then the end or the failure. */
        private void parse() {
            try {
                List<Parsed> parsed = new ArrayList<>(PARSE_BATCH);
                Assertion[] one = new Assertion[1];
                for (String text = reader.next(); text != null; text = reader.next()) {
                    if (text.isBlank()) {
                        continue;
                    }
                    String problem = problem(text, latestAcceptable, one);
                    parsed.add(new Parsed(reader.lineNo, problem == null ? one[0] : null, problem));
                    if (parsed.size() == PARSE_BATCH) {
                        ahead.put(new Batch(parsed, reader.lineNo, false, null));
                        parsed = new ArrayList<>(PARSE_BATCH);
                    }
                }
                ahead.put(new Batch(parsed, reader.lineNo, true, null));
            } catch (InterruptedException e) {
                // closed: nobody reads what would come next
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                try {
                    ahead.put(new Batch(List.of(), reader.lineNo, true, t));
                } catch (InterruptedException e) {
                    // closed while the failure waited: the load it would fail has already stopped
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                if (!batch.hasNext()) {
                    if (ended) {
                        if (problems.any()) {
                            throw problems.refusal();
                        }
                        return false;
                    }
                    take();
                    continue;
                }
                Parsed p = batch.next();
                if (p.problem() != null) {
                    problems.add(p.lineNo(), p.problem());
                } else if (!problems.any()) {
                    count++;
                    if (p.assertion() instanceof Retraction retraction) {
                        targets.add(retraction.target());
                    }
                    next = p.assertion();
                }
            }
            return true;
        }

        private void take() {
            Batch b;
            try {
                b = ahead.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StemeException("the import was interrupted while it read the file; nothing was imported", e);
            }
            batch = b.lines().iterator();
            lines = b.lastLineNo();
            ended = b.ended();
            if (b.failure() instanceof RuntimeException r) {
                throw r;
            }
            if (b.failure() instanceof Error e) {
                throw e;
            }
            if (b.failure() != null) {
                throw new StemeException("reading the file failed: " + b.failure(), b.failure());
            }
        }

        @Override
        public Assertion next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Assertion a = next;
            next = null;
            return a;
        }

        /** Stops the parsing thread, which the load may have left before the end of the file, and closes the file. */
        @Override
        public void close() {
            parser.interrupt();
            try {
                parser.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StemeException("interrupted while stopping the import's parsing thread", e);
            } finally {
                reader.close();
            }
        }
    }
}
