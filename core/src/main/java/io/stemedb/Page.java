package io.stemedb;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing that runs over the whole database, and where the next page starts.
 *
 * @param items this page's items
 * @param next the cursor to pass for the next page, or null when this page is the last
 */
public record Page<T>(List<T> items, @Nullable String next) {
    public Page {
        items = List.copyOf(items);
    }

    /** True when there is nothing after this page. */
    public boolean isLast() {
        return next == null;
    }
}
