package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Laws of the two signature kinds: they round-trip through the canonical codec and their parsers, and verify only for their own claim. */
class SignatureProperties {

    @Provide
    Arbitrary<SigningKey> keys() {
        return Arbitraries.bytes().array(byte[].class).ofSize(SigningKey.KEY_BYTES).map(SigningKey::fromSeed);
    }

    @Provide
    Arbitrary<Claim> claims() {
        return ModelArbitraries.claims();
    }

    @Provide
    Arbitrary<Hlc> hlcs() {
        return ModelArbitraries.hlcs();
    }

    @Provide
    Arbitrary<String> names() {
        return ModelArbitraries.names();
    }

    /**
     * Any bytes as a public key and a signature (most 32-byte strings are no point of the curve,
     * most 64-byte strings no well-formed signature) are a failed check, never an exception.
     */
    @Property(tries = 300)
    void verifyingArbitraryBytesIsFalseNeverAnError(@ForAll("keyBytes") byte[] publicKey, @ForAll("signatureBytes") byte[] signature,
            @ForAll("keys") SigningKey real) {
        byte[] message = "stemedb".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(SigningKey.verify(publicKey, message, signature));
        assertFalse(SigningKey.verify(real.publicKey(), message, signature));
        assertTrue(SigningKey.verify(real.publicKey(), message, real.sign(message)));
    }

    @Provide
    Arbitrary<byte[]> keyBytes() {
        return Arbitraries.bytes().array(byte[].class).ofSize(SigningKey.KEY_BYTES);
    }

    @Provide
    Arbitrary<byte[]> signatureBytes() {
        return Arbitraries.bytes().array(byte[].class).ofSize(SigningKey.SIGNATURE_BYTES);
    }

    @Property(tries = 60)
    void anAttestationRoundTripsAndVerifiesOnlyForItsClaim(@ForAll("claims") Claim claim, @ForAll("claims") Claim other,
            @ForAll("keys") SigningKey key, @ForAll("hlcs") Hlc hlc) {
        Claim attestation = Attestation.sign(claim, key, hlc);
        Assertion decoded = CanonicalCodec.decode(attestation.canonicalBytes());
        assertEquals(attestation, decoded);
        assertEquals(attestation.id(), decoded.id());
        Attestation parsed = Attestation.parse((Claim) decoded);
        assertEquals(claim.id(), parsed.claim());
        assertEquals(key.publicKeyHex(), parsed.keyHex());
        assertTrue(parsed.verifies());
        if (!other.id().equals(claim.id())) {
            byte[] payload = attestation.value().asBytes();
            other.id().copyTo(payload, 1);
            Claim replayed = Claim.builder(Attestation.SUBJECT_PREFIX + other.id(), Attestation.PREDICATE, Value.bytes(payload))
                    .source(Attestation.SOURCE).hlc(hlc).build();
            assertFalse(Attestation.parse(replayed).verifies());
        }
    }

    @Property(tries = 60)
    void aRegistryEntryRoundTripsAndVerifiesOnlyForItsRoot(@ForAll("names") String source, @ForAll("keys") SigningKey key,
            @ForAll("keys") SigningKey root, @ForAll("keys") SigningKey other, @ForAll("hlcs") Hlc hlc, @ForAll boolean revoke,
            @ForAll long at) {
        KeyEntry.Action action = revoke ? KeyEntry.Action.REVOKE : KeyEntry.Action.BIND;
        Claim entry = KeyEntry.entry(source, action, key.publicKey(), Instant.ofEpochMilli(at), root, hlc);
        Assertion decoded = CanonicalCodec.decode(entry.canonicalBytes());
        assertEquals(entry, decoded);
        KeyEntry parsed = KeyEntry.parse((Claim) decoded);
        assertEquals(source, parsed.source());
        assertEquals(action, parsed.action());
        assertEquals(key.publicKeyHex(), parsed.keyHex());
        assertEquals(at, parsed.atMillis());
        assertTrue(parsed.signedBy(root.publicKey()));
        assertEquals(other.equals(root), parsed.signedBy(other.publicKey()));
    }
}
