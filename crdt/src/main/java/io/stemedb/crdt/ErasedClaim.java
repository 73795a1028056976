package io.stemedb.crdt;

import io.stemedb.model.AssertionId;
import io.stemedb.model.Erasure;
import java.util.Objects;

/**
 * A claim whose content was erased: all a replica still knows of it is its id and the erasure
 * that erased it, which is what a history or an explanation shows in its place. Immutable.
 */
public record ErasedClaim(AssertionId claim, Erasure erasure) {
    public ErasedClaim {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(erasure, "erasure");
    }

    /** "claim 3fa2e4c1 erased by dpo at 2026-11-20T10:00:00Z (GDPR request 17)". */
    public String describe() {
        return "claim " + claim.shortHex() + " erased by " + erasure.source() + " at " + erasure.hlc().instant()
                + " (" + erasure.reason() + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
