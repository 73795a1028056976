package io.stemedb.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The canonical encoding of assertions, format version 1: the bytes an {@link AssertionId} is the
 * BLAKE3 hash of. docs/format.md specifies it byte by byte; the test vectors in
 * {@code crdt/src/test/resources/canonical-vectors-v1.jsonl} pin it. It depends on no
 * serialization library, locale or platform, and it is one-to-one: every valid assertion has
 * exactly one encoding, and {@link #decode} accepts nothing else (it re-encodes what it read and
 * demands the same bytes, so non-minimal lengths, unsorted metadata, -0.0 or NaN bit patterns
 * and trailing bytes are all refused).
 *
 * <p>Stateless and thread-safe.
 */
public final class CanonicalCodec {
    /** The format version this codec writes and reads (the first byte of every record). */
    public static final int FORMAT_VERSION = 1;
    /** The kind byte of a claim. */
    public static final int KIND_CLAIM = 0x01;
    /** The kind byte of a retraction. */
    public static final int KIND_RETRACTION = 0x02;
    /** The kind byte of an erasure. */
    public static final int KIND_ERASURE = 0x03;
    /** The largest record {@link #decode} accepts: a maximal value plus room for every other field. */
    public static final int MAX_RECORD_BYTES = Assertion.MAX_VALUE_BYTES + (1 << 20);

    private static final int FLAG_CONFIDENCE = 0x01;
    private static final int FLAG_VALID_FROM = 0x02;
    private static final int FLAG_VALID_TO = 0x04;
    private static final int KNOWN_FLAGS = FLAG_CONFIDENCE | FLAG_VALID_FROM | FLAG_VALID_TO;

    private CanonicalCodec() {}

    /** The canonical bytes of {@code assertion} (a fresh array). */
    public static byte[] encode(Assertion assertion) {
        return assertion.canonicalBytes();
    }

    static byte[] encodeFields(Assertion assertion) {
        ByteSink out = new ByteSink();
        out.u8(FORMAT_VERSION);
        if (assertion instanceof Claim) {
            Claim c = (Claim) assertion;
            out.u8(KIND_CLAIM);
            out.string(c.subject());
            out.string(c.predicate());
            value(out, c.value());
            out.string(c.source());
            out.hlc(c.hlc());
            int flags = (c.hasConfidence() ? FLAG_CONFIDENCE : 0)
                    | (c.rawValidFrom() != null ? FLAG_VALID_FROM : 0)
                    | (c.rawValidTo() != null ? FLAG_VALID_TO : 0);
            out.u8(flags);
            if (c.hasConfidence()) {
                out.u64(Double.doubleToLongBits(c.rawConfidence()));
            }
            if (c.rawValidFrom() != null) {
                instant(out, c.rawValidFrom());
            }
            if (c.rawValidTo() != null) {
                instant(out, c.rawValidTo());
            }
        } else if (assertion instanceof Retraction r) {
            out.u8(KIND_RETRACTION);
            out.id(r.target());
            out.string(r.source());
            out.hlc(r.hlc());
        } else {
            Erasure e = (Erasure) assertion;
            out.u8(KIND_ERASURE);
            scope(out, e.scope());
            out.string(e.source());
            out.hlc(e.hlc());
            out.string(e.reason());
        }
        Map<String, String> metadata = assertion.metadata();
        out.varint(metadata.size());
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.string(e.getValue());
        }
        return out.toByteArray();
    }

    /**
     * The canonical encoding of a value alone: its tag byte and payload, exactly as they appear
     * inside a claim. Self-delimiting, so it can be embedded in index keys.
     */
    public static byte[] encodeValue(Value value) {
        ByteSink out = new ByteSink();
        value(out, value);
        return out.toByteArray();
    }

    private static void value(ByteSink out, Value v) {
        out.u8(v.type().tag());
        switch (v.type()) {
            case TEXT:
            case REF:
                out.bytes(v.utf8());
                break;
            case INTEGER:
                out.u64(v.asLong());
                break;
            case REAL:
                out.u64(Double.doubleToLongBits(v.asDouble()));
                break;
            case BOOLEAN:
                out.u8(v.asBoolean() ? 1 : 0);
                break;
            case BYTES:
                out.bytes(v.rawBytes());
                break;
            case INSTANT:
                instant(out, v.asInstant());
                break;
            default:
                throw new AssertionError(v.type());
        }
    }

    private static void scope(ByteSink out, Erasure.Scope scope) {
        out.u8(scope.kind().tag());
        switch (scope.kind()) {
            case IDS -> {
                out.varint(scope.targets().size());
                scope.targets().forEach(out::id);
            }
            case SUBJECT -> out.string(scope.subject());
            case FACT -> out.string(scope.subject()).string(scope.predicate());
            case SOURCE_SUBJECT -> out.string(scope.claimSource()).string(scope.subject());
        }
    }

    private static Erasure.Scope readScope(ByteSource in) {
        int at = in.position();
        int tag = in.u8("scope kind");
        Erasure.ScopeKind kind = Erasure.ScopeKind.ofTag(tag);
        if (kind == null) {
            throw new MalformedRecordException("unknown erasure scope kind 0x" + Integer.toHexString(tag)
                    + " (0x01 ids, 0x02 subject, 0x03 subject and predicate, 0x04 source and subject)", at);
        }
        return switch (kind) {
            case IDS -> {
                int countAt = in.position();
                int count = in.length("erased id count");
                if (count > Erasure.MAX_TARGETS) {
                    throw new MalformedRecordException("an erasure lists " + count + " ids, more than " + Erasure.MAX_TARGETS, countAt);
                }
                List<AssertionId> ids = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    ids.add(AssertionId.fromBytes(in.raw(AssertionId.LENGTH, "erased id"), 0));
                }
                yield new Erasure.Scope(kind, ids, null, null, null);
            }
            case SUBJECT -> new Erasure.Scope(kind, List.of(), in.string("scope subject"), null, null);
            case FACT -> {
                String subject = in.string("scope subject");
                yield new Erasure.Scope(kind, List.of(), subject, in.string("scope predicate"), null);
            }
            case SOURCE_SUBJECT -> {
                String source = in.string("scope source");
                yield new Erasure.Scope(kind, List.of(), in.string("scope subject"), null, source);
            }
        };
    }

    private static void instant(ByteSink out, Instant t) {
        out.u64(t.getEpochSecond());
        out.u32(t.getNano());
    }

    /**
     * Decodes and validates one record, refusing anything that is not the canonical encoding of a
     * valid assertion. Use it for bytes from outside (a peer, an archive, a file).
     *
     * @throws MalformedRecordException if the bytes are not a canonical record; the message says where
     * @throws Assertion.InvalidAssertionException if they encode an assertion that breaks a rule
     */
    public static Assertion decode(byte[] bytes) {
        Assertion a = read(bytes);
        if (!Arrays.equals(encodeFields(a), bytes)) {
            throw new MalformedRecordException("the record decodes but is not in canonical form "
                    + "(a non-minimal length, unsorted or repeated metadata keys, or a -0.0 confidence); "
                    + "re-encode it from its fields", -1);
        }
        return a;
    }

    /**
     * Decodes a record and checks that it hashes to {@code expected}: what a replica does with
     * every assertion it receives.
     *
     * @throws IdMismatchException if the bytes hash to another id
     */
    public static Assertion decodeVerified(AssertionId expected, byte[] bytes) {
        AssertionId actual = AssertionId.hashOf(bytes);
        if (!actual.equals(expected)) {
            throw new IdMismatchException(expected, actual);
        }
        return withId(decode(bytes), actual);
    }

    /**
     * Decodes a record this process or its own storage wrote, skipping the canonical-form check
     * that {@link #decode} makes; field validation still runs. Not for bytes from outside.
     */
    public static Assertion decodeTrusted(byte[] bytes) {
        return read(bytes);
    }

    /**
     * {@link #decodeTrusted(byte[])} for a record stored under its id: the caller vouches that
     * {@code id} is the hash of {@code bytes} (storage keys records by it, and verify checks that
     * it is), so the assertion does not hash its bytes again when asked for its id, as every read
     * that builds {@code Evidence} does.
     */
    public static Assertion decodeTrusted(AssertionId id, byte[] bytes) {
        return withId(read(bytes), id);
    }

    /**
     * Decodes {@code length} bytes of {@code buffer} from {@code offset}: a record that this
     * process's storage wrote after {@link #decode} or a builder checked it, and that RocksDB
     * read back under its block checksums. Nothing is checked again, so it costs a copy of the
     * record and the objects of its fields: the read path of every query. {@code id} is the
     * record's id when the caller knows it, or null (it is then hashed if ever asked for).
     * Never for bytes from outside: use {@link #decodeVerified}; {@code verify} re-checks stored
     * records with {@link #decode}.
     */
    public static Assertion decodeStored(AssertionId id, byte[] buffer, int offset, int length) {
        return decodeStored(id, buffer, offset, length, null, null, null);
    }

    /**
     * {@link #decodeStored(AssertionId, byte[], int, int)}, given the subject, predicate and
     * source the record likely has (any may be null): a field whose bytes are the given name's
     * is that very string, so a fact's claims share their names with the query that read them.
     */
    public static Assertion decodeStored(AssertionId id, byte[] buffer, int offset, int length, String likelySubject,
            String likelyPredicate, String likelySource) {
        byte[] bytes = Arrays.copyOfRange(buffer, offset, offset + length);
        ByteSource in = new ByteSource(bytes, MalformedRecordException::new);
        in.u8("format version");
        int kind = in.u8("kind");
        Assertion result;
        if (kind == KIND_CLAIM) {
            String subject = in.trustedString("subject", likelySubject);
            String predicate = in.trustedString("predicate", likelyPredicate);
            Value value = readStoredValue(in);
            String source = in.trustedString("source", likelySource);
            Hlc hlc = Hlc.of(in.u64("hlc physical"), in.u32("hlc logical"), in.u64("hlc node"));
            int flags = in.u8("flags");
            double confidence = (flags & FLAG_CONFIDENCE) != 0 ? Double.longBitsToDouble(in.u64("confidence")) : Double.NaN;
            Instant validFrom = (flags & FLAG_VALID_FROM) != 0 ? Instant.ofEpochSecond(in.u64("validFrom"), in.u32("validFrom")) : null;
            Instant validTo = (flags & FLAG_VALID_TO) != 0 ? Instant.ofEpochSecond(in.u64("validTo"), in.u32("validTo")) : null;
            result = Claim.stored(bytes, subject, predicate, value, source, hlc, confidence, validFrom, validTo,
                    readStoredMetadata(in));
        } else if (kind == KIND_ERASURE) {
            result = read(bytes);
        } else {
            AssertionId target = AssertionId.fromBytes(bytes, in.position());
            in.skip(AssertionId.LENGTH, "target id");
            String source = in.trustedString("source", likelySource);
            Hlc hlc = Hlc.of(in.u64("hlc physical"), in.u32("hlc logical"), in.u64("hlc node"));
            result = Retraction.stored(bytes, target, source, hlc, readStoredMetadata(in));
        }
        return id == null ? result : withId(result, id);
    }

    private static Value readStoredValue(ByteSource in) {
        Value.Type type = Value.Type.ofTag(in.u8("value type"));
        return switch (type) {
            case TEXT, REF -> Value.stored(type, in.trustedString("value"));
            case INTEGER -> Value.stored(type, in.u64("integer value"));
            case REAL -> Value.stored(type, Double.longBitsToDouble(in.u64("real value")));
            case BOOLEAN -> Value.stored(type, in.u8("boolean value") == 1);
            case BYTES -> Value.stored(type, in.raw(in.length("bytes value"), "bytes value"));
            case INSTANT -> Value.stored(type, Instant.ofEpochSecond(in.u64("instant value"), in.u32("instant value")));
        };
    }

    private static final Map<String, String> NO_METADATA =
            java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(Utf8.CODE_POINT_ORDER));

    /** Stored metadata is in canonical key order already: a sorted map fed in that order. */
    private static Map<String, String> readStoredMetadata(ByteSource in) {
        int count = in.length("metadata count");
        if (count == 0) {
            return NO_METADATA;
        }
        java.util.TreeMap<String, String> metadata = new java.util.TreeMap<>(Utf8.CODE_POINT_ORDER);
        for (int i = 0; i < count; i++) {
            metadata.put(in.trustedString("metadata key"), in.trustedString("metadata value"));
        }
        return java.util.Collections.unmodifiableSortedMap(metadata);
    }

    private static Assertion withId(Assertion a, AssertionId id) {
        ((AbstractAssertion) a).knownId(id);
        return a;
    }

    private static Assertion read(byte[] bytes) {
        if (bytes.length > MAX_RECORD_BYTES) {
            throw new MalformedRecordException("the record is " + bytes.length + " bytes, more than the limit of "
                    + MAX_RECORD_BYTES, 0);
        }
        ByteSource in = new ByteSource(bytes, MalformedRecordException::new);
        int version = in.u8("format version");
        if (version != FORMAT_VERSION) {
            throw new MalformedRecordException("format version " + version + " is not one this StemeDB reads (it reads "
                    + FORMAT_VERSION + "); upgrade StemeDB to read records of a newer format", 0);
        }
        int kind = in.u8("kind");
        Assertion result;
        if (kind == KIND_CLAIM) {
            String subject = in.string("subject");
            String predicate = in.string("predicate");
            Value value = readValue(in);
            Claim.Builder b = Claim.builder(subject, predicate, value)
                    .source(in.string("source"))
                    .hlc(readHlc(in));
            int flagsAt = in.position();
            int flags = in.u8("flags");
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new MalformedRecordException("unknown flag bits 0x" + Integer.toHexString(flags & ~KNOWN_FLAGS), flagsAt);
            }
            if ((flags & FLAG_CONFIDENCE) != 0) {
                b.confidence(Double.longBitsToDouble(in.u64("confidence")));
            }
            if ((flags & FLAG_VALID_FROM) != 0) {
                b.validFrom(readInstant(in, "validFrom"));
            }
            if ((flags & FLAG_VALID_TO) != 0) {
                b.validTo(readInstant(in, "validTo"));
            }
            b.metadata(readMetadata(in));
            in.expectEnd();
            result = Claim.decoded(b, bytes.clone());
        } else if (kind == KIND_RETRACTION) {
            AssertionId target = AssertionId.fromBytes(in.raw(AssertionId.LENGTH, "target id"), 0);
            String source = in.string("source");
            Hlc hlc = readHlc(in);
            Map<String, String> metadata = readMetadata(in);
            in.expectEnd();
            result = Retraction.decoded(target, source, hlc, metadata, bytes.clone());
        } else if (kind == KIND_ERASURE) {
            Erasure.Scope scope = readScope(in);
            String source = in.string("source");
            Hlc hlc = readHlc(in);
            String reason = in.string("reason");
            Map<String, String> metadata = readMetadata(in);
            in.expectEnd();
            result = Erasure.decoded(scope, source, hlc, reason, metadata, bytes.clone());
        } else {
            throw new MalformedRecordException("unknown kind 0x" + Integer.toHexString(kind)
                    + " (0x01 is a claim, 0x02 a retraction, 0x03 an erasure)", 1);
        }
        return result;
    }

    private static Value readValue(ByteSource in) {
        int at = in.position();
        int tag = in.u8("value type");
        Value.Type type = Value.Type.ofTag(tag);
        if (type == null) {
            throw new MalformedRecordException("unknown value type tag 0x" + Integer.toHexString(tag), at);
        }
        switch (type) {
            case TEXT:
                return Value.text(in.string("text value"));
            case REF:
                return Value.ref(in.string("ref value"));
            case INTEGER:
                return Value.integer(in.u64("integer value"));
            case REAL:
                return Value.real(Double.longBitsToDouble(in.u64("real value")));
            case BOOLEAN: {
                int b = in.u8("boolean value");
                if (b > 1) {
                    throw new MalformedRecordException("boolean byte is " + b + ", not 0 or 1", at + 1);
                }
                return Value.bool(b == 1);
            }
            case BYTES:
                return Value.bytes(in.raw(in.length("bytes value"), "bytes value"));
            case INSTANT:
                return Value.instant(readInstant(in, "instant value"));
            default:
                throw new AssertionError(type);
        }
    }

    private static Hlc readHlc(ByteSource in) {
        return Hlc.of(in.u64("hlc physical"), in.u32("hlc logical"), in.u64("hlc node"));
    }

    private static Instant readInstant(ByteSource in, String what) {
        int at = in.position();
        long seconds = in.u64(what + " seconds");
        int nanos = in.u32(what + " nanos");
        if (nanos < 0 || nanos > 999_999_999) {
            throw new MalformedRecordException(what + " nanos " + Integer.toUnsignedString(nanos)
                    + " is not in 0..999999999", at + 8);
        }
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (java.time.DateTimeException e) {
            throw new MalformedRecordException(what + " " + seconds + " s is outside the range of an instant", at);
        }
    }

    private static Map<String, String> readMetadata(ByteSource in) {
        int count = in.length("metadata count");
        if (count > Assertion.MAX_METADATA_ENTRIES) {
            throw new MalformedRecordException("metadata has " + count + " entries, more than "
                    + Assertion.MAX_METADATA_ENTRIES, in.position());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = in.position();
            String key = in.string("metadata key");
            if (metadata.put(key, in.string("metadata value")) != null) {
                throw new MalformedRecordException("metadata key '" + key + "' is repeated", at);
            }
        }
        return metadata;
    }

    /** Thrown when bytes are not a canonical record. */
    public static final class MalformedRecordException extends StemeException {
        private static final long serialVersionUID = 1L;
        private final int offset;

        MalformedRecordException(String message, int offset) {
            super("malformed assertion record" + (offset >= 0 ? " at byte " + offset : "") + ": " + message);
            this.offset = offset;
        }

        /** Where in the record the problem was found, or -1 when it concerns the whole record. */
        public int offset() {
            return offset;
        }
    }

    /** Thrown when a record does not hash to the id it was sent or stored under. */
    public static final class IdMismatchException extends StemeException {
        private static final long serialVersionUID = 1L;
        private final AssertionId expected;
        private final AssertionId actual;

        IdMismatchException(AssertionId expected, AssertionId actual) {
            super("record claimed to be " + expected + " hashes to " + actual
                    + "; it was damaged or forged, so it was not stored");
            this.expected = expected;
            this.actual = actual;
        }

        public AssertionId expected() {
            return expected;
        }

        public AssertionId actual() {
            return actual;
        }
    }
}
