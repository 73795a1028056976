package io.stemedb.model;

import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * The reader of every StemeDB byte format, the twin of {@link ByteSink}: big-endian fixed
 * integers, minimal unsigned LEB128 lengths, length-prefixed strict UTF-8. Every error names the
 * field being read and the byte offset, and is made by the format's own exception factory. Not
 * thread-safe; one per message.
 */
public final class ByteSource {
    private final byte[] buf;
    private final BiFunction<String, Integer, ? extends RuntimeException> error;
    private int pos;

    /** A reader of {@code buf} whose errors {@code error} makes from a message and a byte offset. */
    public ByteSource(byte[] buf, BiFunction<String, Integer, ? extends RuntimeException> error) {
        this.buf = buf;
        this.error = error;
    }

    public int position() {
        return pos;
    }

    /** How many bytes are left to read. */
    public int remaining() {
        return buf.length - pos;
    }

    private void need(int n, String what) {
        if (buf.length - pos < n) {
            throw error.apply("truncated: " + what + " needs " + n + " bytes, " + (buf.length - pos) + " remain", pos);
        }
    }

    public int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    public int u32(String what) {
        need(4, what);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (buf[pos++] & 0xff);
        }
        return v;
    }

    public long u64(String what) {
        need(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xff);
        }
        return v;
    }

    /**
     * A length or count: a varint of at most 5 bytes whose value fits a non-negative int. It does
     * not insist on the minimal form; formats whose bytes are identities (the canonical encoding)
     * check that by re-encoding.
     */
    public int length(String what) {
        return length(what, "");
    }

    /** {@link #length(String)} named {@code what + suffix} in errors, joined only for one: strings' lengths are read on every query. */
    private int length(String what, String suffix) {
        int at = pos;
        long v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos >= buf.length) {
                need(1, what + suffix);
            }
            int b = buf[pos++] & 0xff;
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (v > Integer.MAX_VALUE) {
                    throw error.apply(what + suffix + " " + v + " is too large", at);
                }
                return (int) v;
            }
        }
        throw error.apply(what + suffix + " is a varint longer than 5 bytes", at);
    }

    /** A non-negative long as unsigned LEB128 of at most 9 bytes (the form {@link ByteSink#varlong} writes). */
    public long varlong(String what) {
        int at = pos;
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = u8(what);
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw error.apply(what + " is a varint longer than 9 bytes", at);
    }

    /** Moves the read position to {@code position}, for formats that read parts of a buffer in place. */
    public void seek(int position) {
        if (position < 0 || position > buf.length) {
            throw new IllegalArgumentException("position " + position + " is outside 0.." + buf.length);
        }
        pos = position;
    }

    /** Skips {@code n} bytes, failing if fewer remain. */
    public void skip(int n, String what) {
        need(n, what);
        pos += n;
    }

    public byte[] raw(int n, String what) {
        need(n, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A varint length, then that many bytes. */
    public byte[] bytes(String what) {
        return raw(length(what, " length"), what);
    }

    public String string(String what) {
        int n = length(what, " length");
        need(n, what);
        int at = pos;
        pos += n;
        try {
            return Utf8.decode(buf, at, n);
        } catch (CharacterCodingException e) {
            throw error.apply(what + " is not well-formed UTF-8", at);
        }
    }

    /**
     * A varint length, then that many bytes read as UTF-8 without checking them: for bytes this
     * process's own storage wrote after checking them (RocksDB checksums every block it reads).
     */
    String trustedString(String what) {
        return trustedString(what, null);
    }

    /**
     * {@link #trustedString(String)}, but {@code likely} itself when the bytes are its UTF-8
     * (compared in place when it is ASCII), so that a decoder that knows what a field probably
     * holds (the names of the fact it reads) makes no string for it.
     */
    String trustedString(String what, String likely) {
        int n = length(what, " length");
        need(n, what);
        int at = pos;
        pos += n;
        if (likely != null && likely.length() == n && asciiEquals(likely, at)) {
            return likely;
        }
        return new String(buf, at, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Whether the {@code s.length()} bytes at {@code at} are {@code s}, all of its characters ASCII. */
    private boolean asciiEquals(String s, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || buf[at + i] != (byte) c) {
                return false;
            }
        }
        return true;
    }

    /** Fails unless every byte has been read. */
    public void expectEnd() {
        if (pos != buf.length) {
            throw error.apply((buf.length - pos) + " trailing bytes after the end", pos);
        }
    }
}
