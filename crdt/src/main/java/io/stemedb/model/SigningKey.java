package io.stemedb.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An Ed25519 key pair that signs claims ({@code db.assertion(...).signedWith(key)}) and key
 * registry entries (the root key). It uses the JDK's own {@code Ed25519} provider. The private
 * key is its 32-byte seed; the public key is the 32-byte point of RFC 8032, which
 * {@link #publicKeyHex()} spells in hex and which is the key's id in attestations, in the key
 * registry and in explanations. Immutable and thread-safe.
 *
 * <p>Files (docs/format.md, "Key files"): a private key file is one line
 * {@code stemedb-ed25519-private <base64 seed>}, created with owner-only permissions where the
 * file system has POSIX permissions; a public key file is one line
 * {@code stemedb-ed25519-public <hex point>}.
 */
public final class SigningKey {
    /** The length of a raw public key and of a private key's seed. */
    public static final int KEY_BYTES = 32;
    /** The length of an Ed25519 signature. */
    public static final int SIGNATURE_BYTES = 64;
    static final String PRIVATE_TAG = "stemedb-ed25519-private";
    static final String PUBLIC_TAG = "stemedb-ed25519-public";
    private static final HexFormat HEX = HexFormat.of();
    /** The DER prefix of RFC 8410 that makes a raw point an X.509 SubjectPublicKeyInfo. */
    private static final byte[] X509_PREFIX = HEX.parseHex("302a300506032b6570032100");

    private final byte[] seed;
    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private SigningKey(byte[] seed, PrivateKey privateKey, byte[] publicKey) {
        this.seed = seed;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A new random key pair. */
    public static SigningKey generate() {
        byte[] seed = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(seed);
        return fromSeed(seed);
    }

    /** The key pair of a 32-byte seed (the private key itself): the same seed, the same keys. */
    public static SigningKey fromSeed(byte[] seed) {
        if (seed.length != KEY_BYTES) {
            throw new InvalidKeyException("an Ed25519 private key is a " + KEY_BYTES + "-byte seed, got " + seed.length + " bytes");
        }
        byte[] copy = seed.clone();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(255, new FixedSeed(copy));
            KeyPair pair = generator.generateKeyPair();
            byte[] encoded = pair.getPublic().getEncoded();
            return new SigningKey(copy, pair.getPrivate(), Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length));
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyException("this JDK cannot make Ed25519 keys (" + e.getMessage() + "); run StemeDB on Java 17 or later", e);
        }
    }

    /** Reads a private key file written by {@link #writePrivate}. */
    public static SigningKey read(Path privateKeyFile) {
        String body = readTagged(privateKeyFile, PRIVATE_TAG);
        try {
            return fromSeed(Base64.getDecoder().decode(body));
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyException(privateKeyFile + " does not hold a base64 Ed25519 seed after '" + PRIVATE_TAG
                    + "'; make the key again with stemedb keygen", e);
        }
    }

    /** Reads a public key file written by {@link #writePublic}: the raw 32-byte public key. */
    public static byte[] readPublic(Path publicKeyFile) {
        return parsePublic(readTagged(publicKeyFile, PUBLIC_TAG));
    }

    /** A public key written in hex (64 digits), as {@link #publicKeyHex()} spells it. */
    public static byte[] parsePublic(String hex) {
        try {
            byte[] key = HEX.parseHex(hex.trim());
            if (key.length == KEY_BYTES) {
                return key;
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyException("'" + hex + "' is not a public key: give " + KEY_BYTES * 2 + " hex digits", e);
        }
        throw new InvalidKeyException("'" + hex + "' is not a public key: give " + KEY_BYTES * 2 + " hex digits");
    }

    private static String readTagged(Path file, String tag) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new InvalidKeyException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        if (!text.startsWith(tag + " ")) {
            throw new InvalidKeyException(file + " is not a '" + tag + "' key file; stemedb keygen writes one");
        }
        return text.substring(tag.length() + 1).trim();
    }

    /**
     * Writes the private key to {@code file}, which must not exist, readable and writable by its
     * owner only (the file is created with those permissions where the file system has them).
     */
    public void writePrivate(Path file) {
        String text = PRIVATE_TAG + " " + Base64.getEncoder().encodeToString(seed) + "\n";
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            } else {
                Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
            }
        } catch (FileAlreadyExistsException e) {
            throw new InvalidKeyException(file + " exists; a key file is never overwritten: choose another name or remove it", e);
        } catch (IOException e) {
            throw new InvalidKeyException("cannot write key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the public key to {@code file} (replacing it). */
    public void writePublic(Path file) {
        try {
            Files.writeString(file, PUBLIC_TAG + " " + publicKeyHex() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidKeyException("cannot write key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The raw 32-byte public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The public key in hex: the key's id. */
    public String publicKeyHex() {
        return HEX.formatHex(publicKey);
    }

    /** The Ed25519 signature of {@code message} (deterministic: the same key and message, the same signature). */
    public byte[] sign(byte[] message) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code signature} is {@code publicKey}'s Ed25519 signature of {@code message}: false
     * for a key that is no Ed25519 public key and for a signature that is not one of its, as for a
     * wrong one; a JDK without Ed25519 is an error, never a forgery.
     *
     * @throws InvalidKeyException if this JDK has no Ed25519
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        KeyFactory keys;
        Signature verifier;
        try {
            keys = KeyFactory.getInstance("Ed25519");
            verifier = Signature.getInstance("Ed25519");
        } catch (NoSuchAlgorithmException e) {
            throw new InvalidKeyException("this JDK cannot check Ed25519 signatures (" + e.getMessage() + "); run StemeDB on Java 17 or later", e);
        }
        try {
            verifier.initVerify(keys.generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, publicKey))));
            verifier.update(message);
            return verifier.verify(signature);
        } catch (InvalidKeySpecException | java.security.InvalidKeyException | SignatureException e) {
            // not a point of the curve, or not a well-formed signature: it proves nothing
            return false;
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey k && Arrays.equals(publicKey, k.publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    /** Names the public key only: a private key never appears in logs. */
    @Override
    public String toString() {
        return "SigningKey[" + publicKeyHex() + "]";
    }

    /** The JDK's Ed25519 generator draws the private key from its random source: this one gives it the seed. */
    private static final class FixedSeed extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            Objects.checkFromIndexSize(0, bytes.length, seed.length);
            System.arraycopy(seed, 0, bytes, 0, bytes.length);
        }
    }

    /** A key or key file that cannot be used: the message says which and what to do. */
    public static final class InvalidKeyException extends StemeException {
        private static final long serialVersionUID = 1L;

        public InvalidKeyException(String message) {
            super(message);
        }

        public InvalidKeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
