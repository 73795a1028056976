package io.stemedb.model;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.apache.commons.codec.digest.Blake3;

/**
 * The identity of an assertion: the BLAKE3-256 hash of its canonical encoding
 * ({@link CanonicalCodec}). Immutable and thread-safe. Ids print as 64 lowercase hex digits and
 * are ordered as unsigned big-endian numbers.
 */
public final class AssertionId implements Comparable<AssertionId> {
    /** The length of an id in bytes. */
    public static final int LENGTH = 32;

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private AssertionId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id of the given canonical bytes: their BLAKE3-256 hash. */
    public static AssertionId hashOf(byte[] canonicalBytes) {
        return new AssertionId(Blake3.hash(canonicalBytes));
    }

    /** An id from its 32 raw bytes (copied). */
    public static AssertionId fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new MalformedIdException("an assertion id is " + LENGTH + " bytes, got " + bytes.length);
        }
        return new AssertionId(bytes.clone());
    }

    /** An id from 32 bytes at {@code offset} of {@code source}. */
    public static AssertionId fromBytes(byte[] source, int offset) {
        if (offset < 0 || source.length - offset < LENGTH) {
            throw new MalformedIdException("an assertion id is " + LENGTH + " bytes, only "
                    + Math.max(0, source.length - offset) + " remain at offset " + offset);
        }
        return new AssertionId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    /** Parses 64 hex digits (either case), as printed by {@link #toString()}. */
    public static AssertionId parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != 2 * LENGTH) {
            throw new MalformedIdException("an assertion id is " + 2 * LENGTH + " hex digits, got "
                    + hex.length() + " in '" + abbreviate(hex) + "'");
        }
        try {
            return new AssertionId(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new MalformedIdException("'" + abbreviate(hex) + "' is not hexadecimal: " + e.getMessage());
        }
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, LENGTH);
    }

    /** The first two bytes as an unsigned big-endian number (0..65535): the id's bucket in range digests. */
    public int prefix16() {
        return (bytes[0] & 0xff) << 8 | (bytes[1] & 0xff);
    }

    /** The first 8 hex digits, enough to tell ids apart in an explanation. */
    public String shortHex() {
        return HEX.formatHex(bytes, 0, 4);
    }

    @Override
    public int compareTo(AssertionId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AssertionId && Arrays.equals(bytes, ((AssertionId) o).bytes);
    }

    @Override
    public int hashCode() {
        // BLAKE3 output is uniform: the first four bytes are as good a hash as any.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Thrown when bytes or text do not form an assertion id. */
    public static final class MalformedIdException extends StemeException {
        private static final long serialVersionUID = 1L;

        MalformedIdException(String message) {
            super(message);
        }
    }
}
