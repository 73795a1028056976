package io.stemedb.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A signature of a claim, carried as an assertion of its own: an <em>attestation</em>. It is an
 * ordinary claim in a reserved namespace (source {@value #SOURCE}, predicate {@value #PREDICATE},
 * subject {@value #SUBJECT_PREFIX} followed by the signed claim's id in hex) whose value is
 * {@value #PAYLOAD_BYTES} bytes: a version byte (1), the signed claim's id, the signer's public
 * key and the Ed25519 signature of {@link #message} (docs/format.md, "Signed claims").
 *
 * <p>The signature covers the claim's canonical bytes through their BLAKE3-256 hash, which is the
 * claim's id: signing a claim leaves its id unchanged, a claim may have several signers, and an
 * attestation can be checked on arrival without the claim it signs (which sync may bring later).
 * Because it is a claim, an attestation travels every path a claim travels (merge, sync, archive,
 * backup, bulk load, JSON Lines, Kafka) in every format version that carries claims; StemeDB
 * checks its signature on every one of them and refuses a bad one. Immutable and thread-safe.
 */
public final class Attestation {
    /** The source of every attestation. */
    public static final String SOURCE = "stemedb:attestation";
    /** The predicate of every attestation. */
    public static final String PREDICATE = "stemedb:signature";
    /** An attestation's subject is this prefix and the signed claim's id in hex. */
    public static final String SUBJECT_PREFIX = "stemedb:claim:";
    /** The version of the payload layout. */
    public static final int VERSION = 1;
    /** The length of the payload: version, claim id, public key, signature. */
    public static final int PAYLOAD_BYTES = 1 + AssertionId.LENGTH + SigningKey.KEY_BYTES + SigningKey.SIGNATURE_BYTES;
    private static final byte[] DOMAIN = "stemedb-attestation-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();

    private final AssertionId id;
    private final AssertionId claim;
    private final byte[] publicKey;
    private final byte[] signature;

    private Attestation(AssertionId id, AssertionId claim, byte[] publicKey, byte[] signature) {
        this.id = id;
        this.claim = claim;
        this.publicKey = publicKey;
        this.signature = signature;
    }

    /** The bytes an attestation of {@code claim} signs: the ASCII domain {@code stemedb-attestation-v1}, a zero byte, the claim's id. */
    public static byte[] message(AssertionId claim) {
        byte[] message = Arrays.copyOf(DOMAIN, DOMAIN.length + AssertionId.LENGTH);
        claim.copyTo(message, DOMAIN.length);
        return message;
    }

    /** The attestation claim in which {@code key} signs {@code claim}, stamped {@code hlc}. */
    public static Claim sign(Claim claim, SigningKey key, Hlc hlc) {
        byte[] signature = key.sign(message(claim.id()));
        ByteBuffer payload = ByteBuffer.allocate(PAYLOAD_BYTES);
        payload.put((byte) VERSION).put(claim.id().toBytes()).put(key.publicKey()).put(signature);
        return Claim.builder(SUBJECT_PREFIX + claim.id().toString(), PREDICATE, Value.bytes(payload.array()))
                .source(SOURCE).hlc(hlc).build();
    }

    /** Whether {@code a} is in the attestations' namespace (its source is {@value #SOURCE}): {@link #parse} must accept it. */
    public static boolean isAttestation(Assertion a) {
        return a instanceof Claim c && SOURCE.equals(c.source());
    }

    /**
     * The attestation a claim of source {@value #SOURCE} carries, its layout checked (not its
     * signature: {@link #verifies}).
     *
     * @throws Assertion.InvalidAssertionException (field {@code signature}) if the claim is not a well-formed attestation
     */
    public static Attestation parse(Claim c) {
        if (!SOURCE.equals(c.source()) || !PREDICATE.equals(c.predicate()) || c.value().type() != Value.Type.BYTES) {
            throw malformed(c, "an attestation is a claim of source " + SOURCE + " and predicate " + PREDICATE + " with a bytes value");
        }
        byte[] payload = c.value().asBytes();
        if (payload.length != PAYLOAD_BYTES || payload[0] != VERSION) {
            throw malformed(c, "its value must be " + PAYLOAD_BYTES + " bytes starting with version " + VERSION + ", got "
                    + payload.length + " bytes");
        }
        AssertionId claim = AssertionId.fromBytes(payload, 1);
        if (!c.subject().equals(SUBJECT_PREFIX + claim)) {
            throw malformed(c, "its subject must be " + SUBJECT_PREFIX + " and the signed claim's id " + claim);
        }
        int keyAt = 1 + AssertionId.LENGTH;
        int signatureAt = keyAt + SigningKey.KEY_BYTES;
        return new Attestation(c.id(), claim, Arrays.copyOfRange(payload, keyAt, signatureAt),
                Arrays.copyOfRange(payload, signatureAt, PAYLOAD_BYTES));
    }

    private static Assertion.InvalidAssertionException malformed(Claim c, String why) {
        return new Assertion.InvalidAssertionException("signature", "attestation " + c.id().shortHex() + " is malformed: " + why);
    }

    /** Whether the signature is the public key's signature of {@link #message} for the signed claim's id. */
    public boolean verifies() {
        return SigningKey.verify(publicKey, message(claim), signature);
    }

    /** The id of this attestation (the claim that carries it). */
    public AssertionId id() {
        return id;
    }

    /** The id of the signed claim. */
    public AssertionId claim() {
        return claim;
    }

    /** The signer's raw public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The signer's public key in hex: the key's id. */
    public String keyHex() {
        return HEX.formatHex(publicKey);
    }

    @Override
    public String toString() {
        return "Attestation[" + claim.shortHex() + " signed by " + keyHex() + "]";
    }
}
