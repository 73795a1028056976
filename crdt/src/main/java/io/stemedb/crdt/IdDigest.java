package io.stemedb.crdt;

import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.commons.codec.digest.Blake3;

/**
 * An incrementally updatable digest of a set of assertion ids: their sum modulo 2^256 and their
 * count. Adding an id is O(1), digests of disjoint sets add up to the digest of their union, and
 * the order of additions does not matter, so a replica can keep digests of id ranges up to date
 * on every insert and combine them into the digest of any larger range.
 *
 * <p>This is the fingerprint of range-based set reconciliation (Meyer, "Range-Based Set
 * Reconciliation", SRDS 2023; the negentropy protocol): a sum modulo 2^256 is far harder to forge
 * than an XOR (a peer that mines ids can cancel XORed bits, not carries), and the count, hashed
 * in with the sum by {@link #fingerprint()}, rules out sets of different sizes with equal sums.
 * Ids are uniform BLAKE3 output, so ranges of the id space hold balanced shares of any set.
 * Immutable and thread-safe.
 */
public final class IdDigest {
    /** The length of a {@link #fingerprint()}. */
    public static final int FINGERPRINT_LENGTH = 16;
    /** The length of {@link #toBytes()}: the 32-byte sum, then the count as a u64. */
    public static final int ENCODED_LENGTH = 40;

    private static final IdDigest EMPTY = new IdDigest(new byte[32], 0);

    private final byte[] sum;
    private final long count;

    private IdDigest(byte[] sum, long count) {
        this.sum = sum;
        this.count = count;
    }

    /** The digest of no ids. */
    public static IdDigest empty() {
        return EMPTY;
    }

    /** The digest of one id. */
    public static IdDigest of(AssertionId id) {
        return new IdDigest(id.toBytes(), 1);
    }

    /** The digest of {@code ids}. */
    public static IdDigest of(Iterable<AssertionId> ids) {
        byte[] sum = new byte[32];
        long count = 0;
        for (AssertionId id : ids) {
            addInto(sum, id.toBytes());
            count++;
        }
        return new IdDigest(sum, count);
    }

    /** Reads the 40 bytes written by {@link #toBytes()}. */
    public static IdDigest fromBytes(byte[] bytes) {
        if (bytes.length != ENCODED_LENGTH) {
            throw new IllegalArgumentException("an id digest is " + ENCODED_LENGTH + " bytes, got " + bytes.length);
        }
        long count = 0;
        for (int i = 32; i < 40; i++) {
            count = (count << 8) | (bytes[i] & 0xff);
        }
        if (count < 0) {
            throw new IllegalArgumentException("an id digest's count cannot be negative: " + count);
        }
        return new IdDigest(Arrays.copyOf(bytes, 32), count);
    }

    /** The digest of this set plus {@code id} (which must not be in it). */
    public IdDigest plus(AssertionId id) {
        byte[] s = sum.clone();
        addInto(s, id.toBytes());
        return new IdDigest(s, count + 1);
    }

    /** The digest of the union of this set and a disjoint one. */
    public IdDigest plus(IdDigest other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        byte[] s = sum.clone();
        addInto(s, other.sum);
        return new IdDigest(s, count + other.count);
    }

    /** The digest of this set less {@code id} (which must be in it): how a replica forgets an erased claim's id. */
    public IdDigest minus(AssertionId id) {
        if (count == 0) {
            throw new IllegalStateException("the empty set holds no id to remove");
        }
        byte[] s = sum.clone();
        byte[] b = id.toBytes();
        int borrow = 0;
        for (int i = 31; i >= 0; i--) {
            int v = (s[i] & 0xff) - (b[i] & 0xff) - borrow;
            s[i] = (byte) v;
            borrow = v < 0 ? 1 : 0;
        }
        return count == 1 ? EMPTY : new IdDigest(s, count - 1);
    }

    /** Adds {@code b} to {@code a} modulo 2^256, both big-endian. */
    private static void addInto(byte[] a, byte[] b) {
        int carry = 0;
        for (int i = 31; i >= 0; i--) {
            int v = (a[i] & 0xff) + (b[i] & 0xff) + carry;
            a[i] = (byte) v;
            carry = v >>> 8;
        }
    }

    /** How many ids the set holds. */
    public long count() {
        return count;
    }

    /** True when the set is empty. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** The first 16 bytes of BLAKE3(sum || count): what peers compare. */
    public byte[] fingerprint() {
        return Arrays.copyOf(Blake3.hash(toBytes()), FINGERPRINT_LENGTH);
    }

    /** The 32-byte sum and the count as a big-endian u64. */
    public byte[] toBytes() {
        return new ByteSink(ENCODED_LENGTH).raw(sum).u64(count).toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdDigest && count == ((IdDigest) o).count && Arrays.equals(sum, ((IdDigest) o).sum);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sum) * 31 + Long.hashCode(count);
    }

    @Override
    public String toString() {
        return "IdDigest[" + count + " ids, fingerprint " + HexFormat.of().formatHex(fingerprint()) + "]";
    }
}
