package io.stemedb.model;

import java.util.Arrays;

/**
 * The writer of every StemeDB byte format (canonical records, storage keys): big-endian fixed
 * integers, minimal unsigned LEB128 lengths, length-prefixed UTF-8 strings. Keeping one writer
 * keeps the formats consistent with docs/format.md. Not thread-safe; one per encoding.
 */
public final class ByteSink {
    private byte[] buf;
    private int size;

    public ByteSink() {
        this(128);
    }

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public ByteSink u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public ByteSink u32(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteSink u64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** Unsigned LEB128, minimal: 7 bits a byte, low group first, high bit set on all but the last. */
    public ByteSink varint(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("varints here are non-negative, got " + v);
        }
        ensure(5);
        while ((v & ~0x7f) != 0) {
            buf[size++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    /** Unsigned LEB128 of a non-negative long, minimal: 1 to 9 bytes. */
    public ByteSink varlong(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("varlongs here are non-negative, got " + v);
        }
        ensure(9);
        while ((v & ~0x7fL) != 0) {
            buf[size++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    /** {@code length} bytes of {@code b} from {@code offset}. */
    public ByteSink raw(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, buf, size, length);
        size += length;
        return this;
    }

    public ByteSink raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** A varint length, then the bytes. */
    public ByteSink bytes(byte[] b) {
        return varint(b.length).raw(b);
    }

    /** A varint length, then the UTF-8 bytes. */
    public ByteSink string(String s) {
        return bytes(Utf8.encode(s));
    }

    /**
     * A u16 length, then the UTF-8 bytes: the name form of storage keys, where a fixed-width
     * length makes byte order "shorter first, then by bytes".
     */
    public ByteSink shortString(String s) {
        int n = s.length();
        if (n <= 0xffff) {
            // ASCII, as most names are, is its own UTF-8: written in place, without an encoded copy
            ensure(2 + n);
            int start = size;
            buf[start] = (byte) (n >>> 8);
            buf[start + 1] = (byte) n;
            int at = start + 2;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    at = -1;
                    break;
                }
                buf[at++] = (byte) c;
            }
            if (at >= 0) {
                size = at;
                return this;
            }
        }
        byte[] utf8 = Utf8.encode(s);
        if (utf8.length > 0xffff) {
            throw new IllegalArgumentException("a key name is at most 65535 UTF-8 bytes, got " + utf8.length);
        }
        ensure(2);
        buf[size++] = (byte) (utf8.length >>> 8);
        buf[size++] = (byte) utf8.length;
        return raw(utf8);
    }

    /** An HLC timestamp: physical u64, logical u32, node u64 (20 bytes); byte order is HLC order. */
    public ByteSink hlc(Hlc h) {
        return u64(h.physicalMillis()).u32(h.logical()).u64(h.node());
    }

    /** The 32 bytes of an id. */
    public ByteSink id(AssertionId id) {
        ensure(AssertionId.LENGTH);
        id.copyTo(buf, size);
        size += AssertionId.LENGTH;
        return this;
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
