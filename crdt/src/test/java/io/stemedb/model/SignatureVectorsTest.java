package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signature vectors of canonical-vectors-v1.jsonl (whose ids b3sum checks with the others)
 * are what {@link Attestation#sign} and {@link KeyEntry#entry} make from fixed seeds, byte for
 * byte (Ed25519 signatures are deterministic), and they verify; altered ones do not.
 */
class SignatureVectorsTest {
    static final SigningKey ROOT = TestKeys.key(1);
    static final SigningKey HR = TestKeys.key(2);

    @TempDir
    Path dir;

    static Assertion vector(String namePrefix) {
        List<CanonicalVectors.Vector> found = CanonicalVectors.load().stream().filter(v -> v.name().startsWith(namePrefix)).toList();
        assertEquals(1, found.size(), namePrefix);
        CanonicalVectors.Vector v = found.get(0);
        Assertion a = v.assertion();
        assertEquals(v.canonicalHex(), HexFormat.of().formatHex(a.canonicalBytes()));
        assertEquals(v.id(), a.id().toString());
        return a;
    }

    @Test
    void theKeysOfTheSeedsAreRfc8032s() {
        // RFC 8032 keys of these seeds, as libsodium and OpenSSL derive them
        assertEquals("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c", ROOT.publicKeyHex());
        assertEquals("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394", HR.publicKeyHex());
    }

    @Test
    void theAttestationVectorSignsTheWorkedExample() {
        Claim example = (Claim) vector("worked example from docs/format.md");
        Claim attestation = (Claim) vector("attestation (docs/format.md");
        assertEquals(attestation, Attestation.sign(example, HR, example.hlc()));
        Attestation parsed = Attestation.parse(attestation);
        assertEquals(example.id(), parsed.claim());
        assertEquals(HR.publicKeyHex(), parsed.keyHex());
        assertTrue(parsed.verifies());
        assertEquals(Attestation.SUBJECT_PREFIX + example.id(), attestation.subject());
    }

    @Test
    void theRegistryVectorsAreSignedByTheRoot() {
        Claim bind = (Claim) vector("key registry entry: root key of seed 01*32 binds");
        Claim revoke = (Claim) vector("key registry entry: root key of seed 01*32 revokes");
        assertEquals(bind, KeyEntry.entry("hr", KeyEntry.Action.BIND, HR.publicKey(), Instant.parse("2023-01-01T00:00:00Z"), ROOT,
                bind.hlc()));
        assertEquals(revoke, KeyEntry.entry("hr", KeyEntry.Action.REVOKE, HR.publicKey(), Instant.parse("2024-01-01T00:00:00Z"),
                ROOT, revoke.hlc()));
        KeyEntry b = KeyEntry.parse(bind);
        assertEquals("hr", b.source());
        assertEquals(KeyEntry.Action.BIND, b.action());
        assertEquals(Instant.parse("2023-01-01T00:00:00Z").toEpochMilli(), b.atMillis());
        assertTrue(b.signedBy(ROOT.publicKey()));
        assertFalse(b.signedBy(HR.publicKey()));
        assertEquals(KeyEntry.Action.REVOKE, KeyEntry.parse(revoke).action());
        assertTrue(KeyEntry.parse(revoke).signedBy(ROOT.publicKey()));
    }

    @Test
    void everyAlteredByteOfAnAttestationFailsItsCheck() {
        Claim attestation = (Claim) vector("attestation (docs/format.md");
        byte[] payload = attestation.value().asBytes();
        for (int i = 0; i < payload.length; i++) {
            byte[] altered = payload.clone();
            altered[i] ^= 0x01;
            Claim forged = Claim.builder(attestation.subject(), attestation.predicate(), Value.bytes(altered))
                    .source(attestation.source()).hlc(attestation.hlc()).build();
            boolean refused;
            try {
                refused = !Attestation.parse(forged).verifies();
            } catch (Assertion.InvalidAssertionException e) {
                refused = true;
            }
            assertTrue(refused, "byte " + i);
        }
    }

    @Test
    void keyFilesRoundTripAndThePrivateOneIsTheOwnersOnly() throws Exception {
        SigningKey key = SigningKey.generate();
        Path priv = dir.resolve("k");
        Path pub = dir.resolve("k.pub");
        key.writePrivate(priv);
        key.writePublic(pub);
        assertEquals(key, SigningKey.read(priv));
        assertTrue(Arrays.equals(key.publicKey(), SigningKey.readPublic(pub)));
        if (Files.getFileStore(priv).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        }
        assertThrows(SigningKey.InvalidKeyException.class, () -> key.writePrivate(priv));
        assertThrows(SigningKey.InvalidKeyException.class, () -> SigningKey.read(pub));
        assertEquals("SigningKey[" + key.publicKeyHex() + "]", key.toString());
    }
}
