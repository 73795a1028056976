package io.stemedb.storage;

import io.stemedb.model.StemeException;

/** Thrown when an engine is used after it was closed. */
public final class EngineClosedException extends StemeException {
    private static final long serialVersionUID = 1L;

    public EngineClosedException(String what) {
        super(what + " is closed; open the database again to use it");
    }
}
