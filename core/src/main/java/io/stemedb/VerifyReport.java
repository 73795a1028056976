package io.stemedb;

import java.util.List;

/**
 * What {@link StemeDB#verify()} found: how much it checked, and every problem, each naming the
 * assertion id or index key concerned. At most {@link #MAX_PROBLEMS} problems are listed;
 * {@code problemCount} counts them all.
 */
public record VerifyReport(long assertionsChecked, long indexEntriesChecked, long problemCount, List<String> problems) {
    /** The most problems a report lists in full. */
    public static final int MAX_PROBLEMS = 1000;

    public VerifyReport {
        problems = List.copyOf(problems);
    }

    /** True when nothing is wrong. */
    public boolean ok() {
        return problemCount == 0;
    }

    // The engine's report has the same simple name; this is the one place the two meet.
    static VerifyReport of(io.stemedb.storage.VerifyReport r) {
        return new VerifyReport(r.assertionsChecked(), r.indexEntriesChecked(), r.problemCount(), r.problems());
    }
}
