package io.stemedb.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.commons.codec.digest.Blake3;

/**
 * A fingerprint of a multiset of key-value entries, for comparing what a column family holds with
 * what the assertions imply without looking anything up: the sum modulo 2^256 of BLAKE3(length of
 * the key as a u32, key, value) over the entries, and their count. Like {@link
 * io.stemedb.crdt.IdDigest} (whose construction this follows: Meyer, "Range-Based Set
 * Reconciliation", SRDS 2023), the order of additions does not matter, so two sets of entries
 * produced in different orders (the assertions in id order, an index in key order) compare
 * equal exactly when they hold the same entries, up to a BLAKE3 collision. The key's length makes
 * (key, value) pairs whose concatenations coincide hash apart.
 *
 * <p>It is a mutable accumulator rather than an {@code IdDigest} because a verify of a large
 * database adds tens of millions of entries: four 64-bit additions and no allocation per entry.
 * Not thread-safe.
 */
final class EntryDigest {
    private final Blake3 hasher = Blake3.initHash();
    private final byte[] hash = new byte[32];
    private final byte[] keyLength = new byte[4];
    /** The sum, big-endian in 64-bit limbs: sum[0] is the most significant. */
    private final long[] sum = new long[4];
    private long count;

    /** Adds one entry. */
    void add(byte[] key, byte[] value) {
        ByteBuffer.wrap(keyLength).putInt(key.length);
        hasher.reset().update(keyLength).update(key).update(value).doFinalize(hash);
        ByteBuffer limbs = ByteBuffer.wrap(hash);
        long carry = 0;
        for (int i = 3; i >= 0; i--) {
            long x = limbs.getLong(i * 8);
            long partial = sum[i] + x;
            long carryOut = Long.compareUnsigned(partial, x) < 0 ? 1 : 0;
            long total = partial + carry;
            if (carry == 1 && total == 0) {
                carryOut = 1;
            }
            sum[i] = total;
            carry = carryOut;
        }
        count++;
    }

    /** How many entries were added. */
    long count() {
        return count;
    }

    /** True when both hold the same multiset of entries (up to a BLAKE3 collision). */
    boolean sameAs(EntryDigest other) {
        return count == other.count && Arrays.equals(sum, other.sum);
    }
}
