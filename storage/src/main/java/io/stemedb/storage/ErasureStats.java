package io.stemedb.storage;

/**
 * What erasure did on one replica: the erasures it stores, the claims whose content it erased
 * (their ids stay known, marked with the erasure), and how many times since it opened it refused
 * the content of an erased claim (from a commit, a merge, a sync, an archive or a bulk load).
 */
public record ErasureStats(long erasures, long erasedClaims, long refused) {
    /** A replica that never erased anything. */
    public static final ErasureStats NONE = new ErasureStats(0, 0, 0);
}
