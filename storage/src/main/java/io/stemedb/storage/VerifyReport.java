package io.stemedb.storage;

import java.util.List;

/**
 * What a verification found: how much it checked, and every problem, each naming the assertion
 * id or index key concerned. At most {@link #MAX_PROBLEMS} problems are listed; {@code
 * problemCount} counts them all.
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
}
