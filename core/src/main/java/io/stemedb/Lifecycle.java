package io.stemedb;

import io.stemedb.storage.EngineClosedException;
import io.stemedb.storage.StorageException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Whether a database is open, and whether it may be written: the one flag every collaborator of
 * {@link EngineDatabase} checks before it touches the engine. Thread-safe (an atomic flag).
 */
final class Lifecycle {
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean readOnly;

    Lifecycle(boolean readOnly) {
        this.readOnly = readOnly;
    }

    /** Fails with {@link StemeDB.ClosedException} once the database is closed. */
    void checkOpen() {
        if (closed.get()) {
            throw new StemeDB.ClosedException();
        }
    }

    boolean isOpen() {
        return !closed.get();
    }

    /** Fails if the database is closed or was opened read-only. */
    void checkWritable() {
        checkOpen();
        if (readOnly) {
            throw new StorageException.ReadOnly();
        }
    }

    /** Marks the database closed; true for the call that did it, false if it was closed already. */
    boolean close() {
        return closed.compareAndSet(false, true);
    }

    /**
     * Runs one engine call on an open database. A close that slips in between the check and the
     * call makes the engine refuse; that refusal is reported as the database's own
     * {@link StemeDB.ClosedException}, so callers see one exception for one situation.
     */
    <T> T call(Supplier<T> call) {
        checkOpen();
        try {
            return call.get();
        } catch (EngineClosedException e) {
            throw new StemeDB.ClosedException();
        }
    }
}
