package io.stemedb.model;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The typed value of a claim. Immutable and thread-safe.
 *
 * <p>Values are built only through the factories, which normalise the few inputs that have more
 * than one representation so that equal values always have equal canonical bytes:
 * <ul>
 *   <li>{@link #real(double)} rejects NaN (it equals nothing, not even itself) and turns
 *       {@code -0.0} into {@code 0.0};</li>
 *   <li>{@link #text(String)} and {@link #ref(String)} reject strings with unpaired surrogates
 *       (they have no UTF-8 form). Text is <em>not</em> Unicode-normalised: "é" as one code point
 *       and as "e" plus a combining accent are different values, because normalisation tables
 *       change between Unicode versions and an id must never change;</li>
 *   <li>{@link #bytes(byte[])} copies its input.</li>
 * </ul>
 *
 * <p>Values have a total order ({@link #compareTo}): by {@link Type} first, then within a type
 * by number, time, or unsigned byte / code point order. Lenses use it to break ties the same way
 * on every replica.
 */
public final class Value implements Comparable<Value> {

    /** The value types, with the tag byte each has in the canonical encoding. */
    public enum Type {
        TEXT(0x01),
        INTEGER(0x02),
        REAL(0x03),
        BOOLEAN(0x04),
        BYTES(0x05),
        INSTANT(0x06),
        REF(0x07);

        /** The types by tag (tags are small); null where no type has the tag. */
        private static final Type[] BY_TAG = new Type[16];

        static {
            for (Type t : values()) {
                BY_TAG[t.tag] = t;
            }
        }

        private final int tag;

        Type(int tag) {
            this.tag = tag;
        }

        /** The tag byte of this type in the canonical encoding (docs/format.md). */
        public int tag() {
            return tag;
        }

        static Type ofTag(int tag) {
            return tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
        }
    }

    private static final Value TRUE = new Value(Type.BOOLEAN, Boolean.TRUE);
    private static final Value FALSE = new Value(Type.BOOLEAN, Boolean.FALSE);

    private final Type type;
    /** String, Long, Double, Boolean, byte[] (never exposed), Instant. */
    private final Object payload;

    private Value(Type type, Object payload) {
        this.type = type;
        this.payload = payload;
    }

    /** A value read back from storage, not checked again: {@code payload} is of {@code type}'s class. */
    static Value stored(Type type, Object payload) {
        return type == Type.BOOLEAN ? ((Boolean) payload ? TRUE : FALSE) : new Value(type, payload);
    }

    /** A text value: any well-formed Unicode string, including the empty string. */
    public static Value text(String text) {
        Objects.requireNonNull(text, "text");
        if (Utf8.encodedLength(text) < 0) {
            throw new Assertion.InvalidAssertionException(
                    "value", "text contains an unpaired surrogate, which has no UTF-8 form; pass well-formed Unicode");
        }
        return new Value(Type.TEXT, text);
    }

    /** A 64-bit signed integer value. */
    public static Value integer(long value) {
        return new Value(Type.INTEGER, value);
    }

    /** A double value; NaN is rejected and -0.0 becomes 0.0. Infinities are allowed. */
    public static Value real(double value) {
        if (Double.isNaN(value)) {
            throw new Assertion.InvalidAssertionException(
                    "value", "NaN is not a value (it equals nothing); store the absence of a value by not asserting one");
        }
        return new Value(Type.REAL, value == 0.0 ? 0.0 : value);
    }

    /** A boolean value. */
    public static Value bool(boolean value) {
        return value ? TRUE : FALSE;
    }

    /** An opaque byte string; the array is copied. */
    public static Value bytes(byte[] value) {
        Objects.requireNonNull(value, "bytes");
        return new Value(Type.BYTES, value.clone());
    }

    /** A point in time, to the nanosecond. */
    public static Value instant(Instant value) {
        Objects.requireNonNull(value, "instant");
        return new Value(Type.INSTANT, value);
    }

    /**
     * A reference to another subject (an entity id). It follows the rules of a subject: non-empty,
     * well-formed, at most {@link Assertion#MAX_NAME_BYTES} UTF-8 bytes.
     */
    public static Value ref(String subject) {
        Checks.name("value", subject);
        return new Value(Type.REF, subject);
    }

    public Type type() {
        return type;
    }

    /** The text of a {@link Type#TEXT} value, or the subject of a {@link Type#REF} value. */
    public String asText() {
        if (type != Type.TEXT && type != Type.REF) {
            throw wrongType("asText", Type.TEXT);
        }
        return (String) payload;
    }

    public long asLong() {
        return (Long) expect(Type.INTEGER, "asLong");
    }

    public double asDouble() {
        return (Double) expect(Type.REAL, "asDouble");
    }

    public boolean asBoolean() {
        return (Boolean) expect(Type.BOOLEAN, "asBoolean");
    }

    /** A copy of the bytes of a {@link Type#BYTES} value. */
    public byte[] asBytes() {
        return ((byte[]) expect(Type.BYTES, "asBytes")).clone();
    }

    public Instant asInstant() {
        return (Instant) expect(Type.INSTANT, "asInstant");
    }

    /** The number of bytes the payload takes in the canonical encoding (the value size limit applies to it). */
    public int encodedSize() {
        switch (type) {
            case TEXT:
            case REF:
                return utf8().length;
            case BYTES:
                return ((byte[]) payload).length;
            case INTEGER:
            case REAL:
                return 8;
            case BOOLEAN:
                return 1;
            case INSTANT:
                return 12;
            default:
                throw new AssertionError(type);
        }
    }

    byte[] utf8() {
        return Utf8.encode((String) payload);
    }

    byte[] rawBytes() {
        return (byte[]) payload;
    }

    private Object expect(Type expected, String accessor) {
        if (type != expected) {
            throw wrongType(accessor, expected);
        }
        return payload;
    }

    private IllegalStateException wrongType(String accessor, Type expected) {
        return new IllegalStateException(
                accessor + "() needs a " + expected + " value but this value is " + type + "; check type() first");
    }

    @Override
    public int compareTo(Value o) {
        if (type != o.type) {
            return Integer.compare(type.tag, o.type.tag);
        }
        switch (type) {
            case TEXT:
            case REF:
                return Utf8.compareCodePoints((String) payload, (String) o.payload);
            case INTEGER:
                return Long.compare((Long) payload, (Long) o.payload);
            case REAL:
                return Double.compare((Double) payload, (Double) o.payload);
            case BOOLEAN:
                return Boolean.compare((Boolean) payload, (Boolean) o.payload);
            case BYTES:
                return Arrays.compareUnsigned((byte[]) payload, (byte[]) o.payload);
            case INSTANT:
                return ((Instant) payload).compareTo((Instant) o.payload);
            default:
                throw new AssertionError(type);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Value)) {
            return false;
        }
        Value v = (Value) o;
        if (type != v.type) {
            return false;
        }
        return type == Type.BYTES ? Arrays.equals((byte[]) payload, (byte[]) v.payload) : payload.equals(v.payload);
    }

    @Override
    public int hashCode() {
        int h = type == Type.BYTES ? Arrays.hashCode((byte[]) payload) : payload.hashCode();
        return 31 * type.hashCode() + h;
    }

    /** A readable form: text in quotes, refs as {@code ->subject}, bytes as {@code 0x...}. */
    @Override
    public String toString() {
        switch (type) {
            case TEXT:
                return '"' + (String) payload + '"';
            case REF:
                return "->" + payload;
            case BYTES:
                return "0x" + HexFormat.of().formatHex((byte[]) payload);
            default:
                return String.valueOf(payload);
        }
    }
}
