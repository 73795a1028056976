package io.stemedb.merkle;

import io.stemedb.model.AssertionId;
import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * A range of the id space: every id that starts with a given path of hex digits (nibbles). The
 * root range has the empty path; each range splits into 16 children, one per next nibble. Ids
 * are uniform BLAKE3 output, so children of a range hold about equal shares of any set.
 * Immutable and thread-safe.
 */
public final class IdRange {
    /** The most nibbles a path may have: a whole id. */
    public static final int MAX_DEPTH = 2 * AssertionId.LENGTH;
    /** The range of every id. */
    public static final IdRange ROOT = new IdRange(new byte[0]);

    private final byte[] nibbles;

    private IdRange(byte[] nibbles) {
        this.nibbles = nibbles;
    }

    /** The range of the ids that start with {@code nibbles} (each 0..15). */
    public static IdRange of(byte[] nibbles) {
        if (nibbles.length > MAX_DEPTH) {
            throw new IllegalArgumentException("a range path has at most " + MAX_DEPTH + " nibbles, got " + nibbles.length);
        }
        for (byte n : nibbles) {
            if (n < 0 || n > 15) {
                throw new IllegalArgumentException("a nibble is 0..15, got " + n);
            }
        }
        return new IdRange(nibbles.clone());
    }

    public int depth() {
        return nibbles.length;
    }

    /** The {@code i}-th child (0..15). */
    public IdRange child(int i) {
        if (depth() == MAX_DEPTH) {
            throw new IllegalStateException("a range of one id has no children");
        }
        if (i < 0 || i > 15) {
            throw new IllegalArgumentException("a range has children 0..15, got " + i);
        }
        byte[] n = Arrays.copyOf(nibbles, nibbles.length + 1);
        n[nibbles.length] = (byte) i;
        return new IdRange(n);
    }

    /** The range this one is a child of; the root has none. */
    IdRange parent() {
        if (nibbles.length == 0) {
            throw new IllegalStateException("the root range has no parent");
        }
        return new IdRange(Arrays.copyOf(nibbles, nibbles.length - 1));
    }

    /** Which child of its parent this range is (0..15); the root is none. */
    int lastNibble() {
        if (nibbles.length == 0) {
            throw new IllegalStateException("the root range is no child");
        }
        return nibbles[nibbles.length - 1];
    }

    /** The path packed two nibbles a byte, high nibble first (an odd path ends in a high nibble). */
    public byte[] packed() {
        byte[] p = new byte[(nibbles.length + 1) / 2];
        for (int i = 0; i < nibbles.length; i++) {
            p[i / 2] |= (byte) (i % 2 == 0 ? nibbles[i] << 4 : nibbles[i]);
        }
        return p;
    }

    /** Reads a path of {@code depth} nibbles packed as by {@link #packed()}. */
    public static IdRange unpack(int depth, byte[] packed) {
        if (depth < 0 || depth > MAX_DEPTH || packed.length != (depth + 1) / 2) {
            throw new IllegalArgumentException("a packed path of " + depth + " nibbles is " + (depth + 1) / 2
                    + " bytes, got " + packed.length);
        }
        byte[] n = new byte[depth];
        for (int i = 0; i < depth; i++) {
            n[i] = (byte) (i % 2 == 0 ? (packed[i / 2] >> 4) & 0xf : packed[i / 2] & 0xf);
        }
        if (depth % 2 == 1 && (packed[packed.length - 1] & 0xf) != 0) {
            throw new IllegalArgumentException("the unused low nibble of an odd packed path must be 0");
        }
        return new IdRange(n);
    }

    /** The smallest id bytes in the range (inclusive bound). */
    public byte[] low() {
        return packed();
    }

    /** The bound just past the range (exclusive), or null for a range that runs to the end of the id space. */
    public byte @Nullable [] high() {
        byte[] n = nibbles.clone();
        for (int i = n.length - 1; i >= 0; i--) {
            if (n[i] != 15) {
                n[i]++;
                return new IdRange(Arrays.copyOf(n, i + 1)).packed();
            }
        }
        return null;
    }

    /** True when this range ends at or before {@code other} begins: they do not overlap, and this one comes first. */
    public boolean isBefore(IdRange other) {
        byte[] end = high();
        return end != null && Arrays.compareUnsigned(end, other.low()) <= 0;
    }

    /** True when {@code id} is in the range. */
    public boolean contains(AssertionId id) {
        byte[] b = id.toBytes();
        for (int i = 0; i < nibbles.length; i++) {
            int nib = i % 2 == 0 ? (b[i / 2] >> 4) & 0xf : b[i / 2] & 0xf;
            if (nib != nibbles[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * For ranges of at most 4 nibbles, the first id bucket (first two bytes) they cover;
     * they cover {@code 16^(4 - depth)} consecutive buckets.
     */
    int firstBucket() {
        int b = 0;
        for (int i = 0; i < 4; i++) {
            b = (b << 4) | (i < nibbles.length ? nibbles[i] : 0);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdRange other && Arrays.equals(nibbles, other.nibbles);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nibbles);
    }

    /** The path in hex, {@code *} for the root. */
    @Override
    public String toString() {
        if (nibbles.length == 0) {
            return "*";
        }
        String hex = HexFormat.of().formatHex(packed());
        return hex.substring(0, nibbles.length) + "*";
    }
}
