package io.stemedb;

import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.SigningKey;
import java.util.function.Function;

/**
 * A claim draft to be signed: the writer builds the claim, then stores with it, in the same
 * commit, the attestation in which {@code key} signs it (stamped with the claim's own timestamp).
 */
record SignedDraft(Function<Hlc, Claim> claim, SigningKey key) implements Function<Hlc, Claim> {
    @Override
    public Claim apply(Hlc hlc) {
        return claim.apply(hlc);
    }

    /** The attestation of {@code built}, the claim {@link #apply} built. */
    Claim attestation(Claim built) {
        return Attestation.sign(built, key, built.hlc());
    }
}
