package io.stemedb.model;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Strict UTF-8 for the canonical form, and the code point order StemeDB sorts names in. Java strings may hold unpaired surrogates, which have no
 * UTF-8 encoding; {@link String#getBytes} would silently replace them with '?', so two different
 * strings would share bytes. We reject them instead.
 */
public final class Utf8 {
    /** Orders strings by their UTF-8 bytes, which is code point order (unlike {@link String#compareTo}). */
    public static final Comparator<String> CODE_POINT_ORDER = Utf8::compareCodePoints;

    private Utf8() {}

    /**
     * The length of {@code s} in UTF-8, or -1 if it holds an unpaired surrogate (which has no
     * UTF-8 form). Counts without encoding: names are checked on every read.
     */
    static int encodedLength(String s) {
        int bytes = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return -1;
                }
                bytes += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return -1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static byte[] encode(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes strictly: overlong forms, encoded surrogates and truncated sequences are errors. */
    static String decode(byte[] bytes, int offset, int length) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, offset, length))
                .toString();
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static int compareBytes(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
