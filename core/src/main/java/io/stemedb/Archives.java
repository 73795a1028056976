package io.stemedb;

import io.stemedb.backup.Archive;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.Change;
import io.stemedb.storage.Engine;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/** The portable archive of one database: export and import. Thread-safe; holds no state of its own. */
final class Archives {
    private static final int EXPORT_PAGE = 4096;

    private final Engine engine;
    private final Lifecycle lifecycle;
    private final Intake intake;

    Archives(Engine engine, Lifecycle lifecycle, Intake intake) {
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.intake = intake;
    }

    ArchiveSummary export(Path file, ExportOptions options, ProgressListener progress) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        long upTo = lifecycle.call(engine::lastSequence);
        return Archive.export(() -> selected(options, upTo), file, options.describe(), options.compress(), progress);
    }

    /** The assertions {@code options} selects among the first {@code upTo} to arrive, read a page at a time. */
    private Iterator<Assertion> selected(ExportOptions options, long upTo) {
        return new Iterator<>() {
            private final ArrayDeque<Assertion> page = new ArrayDeque<>();
            private long after;

            @Override
            public boolean hasNext() {
                while (page.isEmpty() && after < upTo) {
                    long from = after;
                    for (Change c : lifecycle.call(() -> engine.changesSince(from, (int) Math.min(EXPORT_PAGE, upTo - from)))) {
                        after = c.sequence();
                        if (options.selects(c.assertion())) {
                            page.add(c.assertion());
                        }
                    }
                }
                return !page.isEmpty();
            }

            @Override
            public Assertion next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.poll();
            }
        };
    }

    /**
     * Into an empty database, an archive is bulk-loaded (after it is verified whole, as always);
     * otherwise it is merged a page at a time.
     */
    MergeResult importInto(Path file, ProgressListener progress) {
        Objects.requireNonNull(file, "file");
        lifecycle.checkWritable();
        if (lifecycle.call(engine::lastSequence) == 0) {
            BulkLoadResult r = intake.loadValid(sink -> Archive.importInto(file, batch -> batch.forEach(sink), progress), progress);
            return new MergeResult(Math.toIntExact(r.added()), Math.toIntExact(r.duplicates()), r.rejected());
        }
        int[] counts = new int[2];
        List<MergeResult.Rejected> rejected = new ArrayList<>();
        Archive.importInto(file, batch -> {
            MergeResult r = intake.merge(batch);
            counts[0] += r.added();
            counts[1] += r.duplicates();
            rejected.addAll(r.rejected());
        }, progress);
        return new MergeResult(counts[0], counts[1], rejected);
    }
}
