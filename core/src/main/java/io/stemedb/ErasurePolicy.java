package io.stemedb;

import io.stemedb.model.Erasure;

/**
 * Which erasures a database accepts from elsewhere: from a merge, a sync, an archive import or a
 * bulk load. An erasure deletes content on every replica that stores it, so a hostile or
 * misconfigured peer could otherwise erase everything; a database that must not trust its peers
 * that far refuses their erasures here (they are reported as rejected, like any refused
 * assertion, and the content stays). Erasures made locally ({@link StemeDB#erase}) are this
 * application's own decision and are not asked.
 *
 * <p>The default accepts every erasure. This is the seam for signed erasures: once claims can be
 * signed (issue 20), a policy can require an erasure to be signed by a configured authority.
 * Implementations must be thread-safe and fast: they run inside merges.
 */
@FunctionalInterface
public interface ErasurePolicy {
    /** Accepts every erasure from a peer: the default. */
    ErasurePolicy ACCEPT_ALL = erasure -> true;
    /** Refuses every erasure from a peer: only local callers may erase. */
    ErasurePolicy LOCAL_ONLY = erasure -> false;

    /** Whether {@code erasure}, arriving from elsewhere, may be stored (and so erase what it covers). */
    boolean accepts(Erasure erasure);

    /** A policy that accepts only the erasures made by one of {@code sources}. */
    static ErasurePolicy fromSources(java.util.Collection<String> sources) {
        java.util.Set<String> allowed = java.util.Set.copyOf(sources);
        return erasure -> allowed.contains(erasure.source());
    }
}
