package io.stemedb.crdt;

import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The observed-remove set view of one (subject, predicate): each claim adds its value, and a
 * retraction removes exactly the claim it names, so a value is in the set while any claim of it
 * is live. A remove never cancels an add it did not observe: a concurrent claim of the same value
 * keeps it in (the OR-Set of Shapiro et al. 2011, with assertion ids as the unique tags).
 * Immutable and thread-safe.
 */
public final class OrSetView {
    private final SortedSet<Value> elements;

    private OrSetView(SortedSet<Value> elements) {
        this.elements = Collections.unmodifiableSortedSet(elements);
    }

    public static OrSetView of(Evidence evidence) {
        SortedSet<Value> elements = new TreeSet<>();
        for (Claim c : evidence.live()) {
            elements.add(c.value());
        }
        return new OrSetView(elements);
    }

    /** The values in the set, in {@link Value} order. */
    public SortedSet<Value> elements() {
        return elements;
    }

    public boolean contains(Value value) {
        return elements.contains(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrSetView && elements.equals(((OrSetView) o).elements);
    }

    @Override
    public int hashCode() {
        return elements.hashCode();
    }

    @Override
    public String toString() {
        return "OrSetView" + elements;
    }
}
