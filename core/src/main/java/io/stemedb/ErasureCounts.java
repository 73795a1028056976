package io.stemedb;

/**
 * What erasure did on one replica ({@link StemeDB#erasureCounts()}): the erasures it stores, the
 * claims whose content it erased (their ids stay known, marked), and how many times since it
 * opened it refused the content of an erased claim, from a commit, merge, sync, archive import
 * or bulk load.
 */
public record ErasureCounts(long erasures, long erasedClaims, long refused) {}
