package io.stemedb.storage;

import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids of committed assertions whose entry in the ids family the indexer has not written yet,
 * with their sequences ({@link Family#IDS}, {@link Indexer}): commits record theirs here, and
 * readers look here first, then in the family.
 *
 * <p>Design note. The ids are kept in two generations, each a map that only the committing
 * thread changes: commits put into the current one; once it holds {@link #GENERATION} ids and the
 * older one is gone, it becomes the older one and a new one starts; the older one is dropped
 * whole once the indexer's entries watermark has passed every id in it. A map shared by a putting
 * and a removing thread, with one remove per id, cost the committing thread an eighth of its time
 * (JFR of W1: resizing and the size counter shared with the remover; docs/benchmarks.md, session
 * 22); generations remove nothing one by one, and a reader does at most two lookups. A generation
 * is dropped only after the indexer has written its ids, and readers look at the current
 * generation, then the older, then the family, so an id is never in none of them while it is
 * stored: dropping is published by the volatile write that a reader's read of {@link #older}
 * follows, which the indexer's write of the family precedes.
 *
 * <p>Thread-safe for readers; {@link #committing} and {@link #withdraw} are called by one commit at
 * a time (under the engine's commit monitor).
 */
final class UnwrittenIds {
    /** Ids per generation before it is turned over, when the older one is gone; tests use fewer. */
    static final int GENERATION = 1 << 16;

    private final int generation;

    private volatile ConcurrentHashMap<AssertionId, Long> current = new ConcurrentHashMap<>();
    private volatile ConcurrentHashMap<AssertionId, Long> older;
    /** The newest sequence in {@link #older}; changed by the committing thread only. */
    private long olderNewest;
    /** The newest sequence in {@link #current}; changed by the committing thread only. */
    private long currentNewest;
    /** {@link #currentNewest} before the last {@link #committing}, for {@link #withdraw}. */
    private long newestBefore;

    UnwrittenIds(int generation) {
        if (generation < 1) {
            throw new IllegalArgumentException("a generation holds at least one id, got " + generation);
        }
        this.generation = generation;
    }

    /**
     * Records the ids of a commit's new assertions ({@code changes}, in sequence order) just before
     * its batch is written, dropping first each generation whose ids the indexer has written (up to
     * {@code indexed}): a commit that erases claims, which waited for the indexer, finds none left
     * that names them.
     */
    void committing(List<Change> changes, long indexed) {
        if (older != null && olderNewest <= indexed) {
            older = null;
        }
        if (currentNewest <= indexed && !current.isEmpty()) {
            current = new ConcurrentHashMap<>();
        } else if (older == null && current.size() >= generation) {
            older = current;
            olderNewest = currentNewest;
            current = new ConcurrentHashMap<>(2 * generation);
        }
        if (changes.isEmpty()) {
            return;
        }
        newestBefore = currentNewest;
        ConcurrentHashMap<AssertionId, Long> into = current;
        for (Change c : changes) {
            into.put(c.assertion().id(), c.sequence());
        }
        currentNewest = changes.get(changes.size() - 1).sequence();
    }

    /** Forgets what {@link #committing} recorded of a commit whose batch was not written. */
    void withdraw(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        ConcurrentHashMap<AssertionId, Long> from = current;
        for (Change c : changes) {
            from.remove(c.assertion().id(), c.sequence());
        }
        currentNewest = newestBefore;
    }

    /**
     * The sequence recorded for {@code id}, or -1 (then the ids family holds it, or it is not
     * stored): read the family after this, never before.
     */
    long sequenceOf(AssertionId id) {
        ConcurrentHashMap<AssertionId, Long> c = current;
        Long sequence = c.get(id);
        if (sequence == null) {
            ConcurrentHashMap<AssertionId, Long> o = older;
            sequence = o == null ? null : o.get(id);
        }
        return sequence == null ? -1 : sequence;
    }
}
