package io.stemedb.crdt;

import io.stemedb.model.Claim;

/**
 * Which claims are proven: signed (by a valid {@link io.stemedb.model.Attestation}) with a key
 * that the database's key registry binds to the claim's source at the claim's time. A database
 * that holds signatures attaches its proofs to the evidence it reads ({@link Evidence#withProofs}),
 * so that a lens requiring signatures stays a function of its evidence. Implementations must be
 * thread-safe and fast: a signed-only lens asks once per live claim.
 */
@FunctionalInterface
public interface Proofs {
    /** Proves nothing: the proofs of a database without signatures. */
    Proofs NONE = claim -> null;

    /** The public key (hex) that proves {@code claim}, or null if none does. */
    String signer(Claim claim);

    /**
     * A number that changes whenever {@link #signer} may answer differently for some claim (a
     * signature or a key registry entry arrived): evidence keeps what it derived from these proofs
     * while it stays the same. Constant proofs keep the default.
     */
    default long version() {
        return 0;
    }
}
