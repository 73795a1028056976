package io.stemedb;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who runs after each successful local write (not merges): how {@link Replication} learns there
 * is something to push. Thread-safe (a copy-on-write list).
 */
final class CommitListeners {
    private static final Logger LOG = LoggerFactory.getLogger(CommitListeners.class);

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    void add(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void remove(Runnable listener) {
        listeners.remove(listener);
    }

    /** Tells the listeners that a local write is visible; a failing listener is logged and never fails the write. */
    void committed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a commit listener failed; the write itself succeeded", e);
            }
        }
    }
}
