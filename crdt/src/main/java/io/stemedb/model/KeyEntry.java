package io.stemedb.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An entry of a database's key registry, carried as an assertion: it binds a public key to a
 * source from an instant on, or revokes that binding from an instant on, and is signed by the
 * database's root key. Like an {@link Attestation}, it is an ordinary claim in a reserved
 * namespace (source {@value #SOURCE}, predicate {@value #PREDICATE}, subject
 * {@value #SUBJECT_PREFIX} followed by the source it is about) whose bytes value is laid out in
 * docs/format.md ("Key registry entries"), so it replicates on every path a claim takes.
 *
 * <p>What the registry says is a function of the set of its entries, whatever their order: a key
 * proves a claim of a source made at time {@code t} (the claim's HLC physical time) when an entry
 * binds it to the source from an instant at or before {@code t} and no entry revokes it at an
 * instant at or before {@code t}. A revocation therefore leaves the signatures of claims made
 * before it valid; revoking at the epoch withdraws every one. Immutable and thread-safe.
 */
public final class KeyEntry {
    /** The source of every registry entry. */
    public static final String SOURCE = "stemedb:keys";
    /** The predicate of every registry entry. */
    public static final String PREDICATE = "stemedb:key";
    /** An entry's subject is this prefix and the source whose key it binds or revokes. */
    public static final String SUBJECT_PREFIX = "stemedb:source:";
    /** The version of the payload layout. */
    public static final int VERSION = 1;
    /** The length of the payload: version, action, key, instant, root key, root signature. */
    public static final int PAYLOAD_BYTES = 1 + 1 + SigningKey.KEY_BYTES + 8 + SigningKey.KEY_BYTES + SigningKey.SIGNATURE_BYTES;
    private static final byte[] DOMAIN = "stemedb-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();

    /** What an entry does. */
    public enum Action {
        /** The key proves the source's claims from the entry's instant on. */
        BIND(1),
        /** The key proves none of the source's claims from the entry's instant on. */
        REVOKE(2);

        private final int code;

        Action(int code) {
            this.code = code;
        }

        static Action of(int code) {
            for (Action a : values()) {
                if (a.code == code) {
                    return a;
                }
            }
            return null;
        }
    }

    private final AssertionId id;
    private final String source;
    private final Action action;
    private final byte[] key;
    private final long atMillis;
    private final byte[] rootKey;
    private final byte[] rootSignature;

    private KeyEntry(AssertionId id, String source, Action action, byte[] key, long atMillis, byte[] rootKey, byte[] rootSignature) {
        this.id = id;
        this.source = source;
        this.action = action;
        this.key = key;
        this.atMillis = atMillis;
        this.rootKey = rootKey;
        this.rootSignature = rootSignature;
    }

    /**
     * The bytes the root key signs: the ASCII domain {@code stemedb-key-v1}, a zero byte, the
     * source's UTF-8 length (u32) and bytes, the action code, the key and the instant (i64 epoch milliseconds).
     */
    public static byte[] message(String source, Action action, byte[] key, long atMillis) {
        byte[] name = source.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(DOMAIN.length + 4 + name.length + 1 + key.length + 8).put(DOMAIN).putInt(name.length)
                .put(name).put((byte) action.code).put(key).putLong(atMillis).array();
    }

    /** The entry, signed by {@code root}, in which {@code action} applies to {@code key} for {@code source} from {@code at} on. */
    public static Claim entry(String source, Action action, byte[] key, Instant at, SigningKey root, Hlc hlc) {
        Checks.name("source", source);
        if (key.length != SigningKey.KEY_BYTES) {
            throw new SigningKey.InvalidKeyException("a public key is " + SigningKey.KEY_BYTES + " bytes, got " + key.length);
        }
        long atMillis = at.toEpochMilli();
        byte[] signature = root.sign(message(source, action, key, atMillis));
        ByteBuffer payload = ByteBuffer.allocate(PAYLOAD_BYTES).put((byte) VERSION).put((byte) action.code).put(key)
                .putLong(atMillis).put(root.publicKey()).put(signature);
        return Claim.builder(SUBJECT_PREFIX + source, PREDICATE, Value.bytes(payload.array())).source(SOURCE).hlc(hlc).build();
    }

    /** Whether {@code a} is in the registry's namespace (its source is {@value #SOURCE}): {@link #parse} must accept it. */
    public static boolean isEntry(Assertion a) {
        return a instanceof Claim c && SOURCE.equals(c.source());
    }

    /**
     * The entry a claim of source {@value #SOURCE} carries, its layout checked (not its signature: {@link #signedBy}).
     *
     * @throws Assertion.InvalidAssertionException (field {@code signature}) if the claim is not a well-formed entry
     */
    public static KeyEntry parse(Claim c) {
        if (!SOURCE.equals(c.source()) || !PREDICATE.equals(c.predicate()) || c.value().type() != Value.Type.BYTES
                || !c.subject().startsWith(SUBJECT_PREFIX) || c.subject().length() == SUBJECT_PREFIX.length()) {
            throw malformed(c, "a key registry entry is a claim of source " + SOURCE + ", predicate " + PREDICATE + ", subject "
                    + SUBJECT_PREFIX + "<source> and a bytes value");
        }
        ByteBuffer payload = ByteBuffer.wrap(c.value().asBytes());
        if (payload.remaining() != PAYLOAD_BYTES || payload.get() != VERSION) {
            throw malformed(c, "its value must be " + PAYLOAD_BYTES + " bytes starting with version " + VERSION);
        }
        Action action = Action.of(payload.get());
        if (action == null) {
            throw malformed(c, "its action must be 1 (bind) or 2 (revoke)");
        }
        byte[] key = new byte[SigningKey.KEY_BYTES];
        payload.get(key);
        long at = payload.getLong();
        byte[] root = new byte[SigningKey.KEY_BYTES];
        payload.get(root);
        byte[] signature = new byte[SigningKey.SIGNATURE_BYTES];
        payload.get(signature);
        return new KeyEntry(c.id(), c.subject().substring(SUBJECT_PREFIX.length()), action, key, at, root, signature);
    }

    private static Assertion.InvalidAssertionException malformed(Claim c, String why) {
        return new Assertion.InvalidAssertionException("signature", "key registry entry " + c.id().shortHex() + " is malformed: " + why);
    }

    /** Whether the entry names {@code root} as its root key and carries that key's valid signature of {@link #message}. */
    public boolean signedBy(byte[] root) {
        return Arrays.equals(rootKey, root) && SigningKey.verify(rootKey, message(source, action, key, atMillis), rootSignature);
    }

    public AssertionId id() {
        return id;
    }

    /** The source whose key this entry binds or revokes. */
    public String source() {
        return source;
    }

    public Action action() {
        return action;
    }

    /** The bound or revoked public key, in hex. */
    public String keyHex() {
        return HEX.formatHex(key);
    }

    /** The instant from which the entry applies, in epoch milliseconds (compared with a claim's HLC physical time). */
    public long atMillis() {
        return atMillis;
    }

    /** The root key that signed the entry, in hex. */
    public String rootKeyHex() {
        return HEX.formatHex(rootKey);
    }

    @Override
    public String toString() {
        return "KeyEntry[" + action + " " + keyHex() + " for " + source + " from " + Instant.ofEpochMilli(atMillis) + "]";
    }
}
