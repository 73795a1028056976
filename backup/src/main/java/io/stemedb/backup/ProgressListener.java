package io.stemedb.backup;

/**
 * Hears how a long operation (export, verify, import, backup, restore) is going. Called on the
 * thread that runs the operation, at most every few thousand items; must return quickly.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Nothing. */
    ProgressListener NONE = (phase, done, total) -> { };

    /**
     * @param phase what is being done, for example "export" or "verify"
     * @param done items done so far
     * @param total items in all, or -1 when unknown
     */
    void progress(String phase, long done, long total);
}
