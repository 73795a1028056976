package io.stemedb;

import java.util.List;

/**
 * What {@link StemeDB#verifySignatures()} found: every stored key registry entry and attestation
 * checked again from its stored bytes, and the attestations counted by what they prove now.
 *
 * @param keyEntries the key registry entries stored
 * @param attestations the attestations stored
 * @param proving the attestations whose key the registry binds to the signed claim's source at the claim's time
 * @param notProving the valid attestations that prove nothing now: their key is not (or no longer) registered
 *     for the claim's source at its time, or the claim is not stored (yet, or erased)
 * @param problems one line per stored entry or attestation whose signature fails: storage damage, since
 *     every arrival path refuses them
 */
public record SignatureReport(long keyEntries, long attestations, long proving, long notProving, List<String> problems) {
    public SignatureReport {
        problems = List.copyOf(problems);
    }

    /** Whether every stored signature verified. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
