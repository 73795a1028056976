package io.stemedb.storage;

import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.ByteSource;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.commons.codec.digest.Blake3;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The keys and small values of storage format 2 (docs/format.md, "Storage key layouts"). All
 * integers are big-endian so that byte order is numeric order; names are a u16 length followed
 * by UTF-8, which keeps every key prefix-free (no name's encoding is a prefix of another's) and
 * orders names shorter first, then by bytes ({@link #NAME_ORDER}).
 *
 * <p>A fact (subject, predicate) is found by a fixed-width <em>fact key</em>: the 128-bit
 * MurmurHash3 (x64 variant, seed 0) of name(subject) name(predicate). It is not a cryptographic
 * hash and need not be: two facts whose keys collide share one stored value, and every reader
 * keeps only the records whose own subject and predicate are the ones asked for, so a collision,
 * accidental or crafted, costs reading the other fact's records and never mixes two facts. A
 * writer could as well add claims to that other fact directly. BLAKE3 would cost 0.3-1 µs per
 * read in Java; this costs about 20 ns.
 */
final class Keys {
    /** Values whose canonical encoding is longer than this are indexed by their BLAKE3 hash. */
    static final int MAX_INLINE_VALUE = 64;
    /** Bytes of a fact key. */
    static final int FACT_KEY_BYTES = 16;

    /** Log locations: the record is a claim in the fact named next. */
    static final byte AT_FACT_CLAIM = 1;
    /** Log locations: the record is an unplaced retraction, in {@link Family#ORPHANS} under the target named next. */
    static final byte AT_ORPHAN = 2;
    /** Log locations: the record is a retraction of a claim of the fact named next. */
    static final byte AT_FACT_RETRACTION = 3;
    /** Log locations: the record is an erasure, in the meta family under {@link RocksErasures#recordKey}; nothing follows. */
    static final byte AT_ERASURE = 4;
    /** Log locations: the sequence was an erased claim's; its record is gone, nothing follows. */
    static final byte AT_ERASED = 5;

    private Keys() {}

    /** facts: the fact key of (subject, predicate). */
    static byte[] factKey(String subject, String predicate) {
        // every read computes one: the two names in one buffer, hashed where they lie
        byte[] names = new ByteSink(4 + subject.length() + predicate.length()).shortString(subject).shortString(predicate).toByteArray();
        return factKeyOf(names, 0);
    }

    /** facts: the fact key of the fact whose subjects-keyspace key ({@link #subjectKey}) is {@code subjectKey}. */
    static byte[] factKeyOf(byte[] subjectKey) {
        return factKeyOf(subjectKey, 1);
    }

    /** The fact key of the names name(subject) name(predicate) that {@code names} holds from {@code from} to its end. */
    private static byte[] factKeyOf(byte[] names, int from) {
        long[] h = MurmurHash3.hash128x64(names, from, names.length - from, 0);
        byte[] key = new byte[FACT_KEY_BYTES];
        putLong(key, 0, h[0]);
        putLong(key, 8, h[1]);
        return key;
    }

    /** A name as keys hold it: u16 length, then UTF-8. Encode a name once to build several keys with it. */
    static byte[] name(String s) {
        return new ByteSink(2 + 3 * s.length()).shortString(s).toByteArray();
    }

    /** facts: a chunk of a large fact, the fact key then the chunk number (u32, from 1): 20 bytes, never a head's 16. */
    static byte[] chunkKey(byte[] factKey, int chunk) {
        byte[] key = Arrays.copyOf(factKey, FACT_KEY_BYTES + 4);
        key[16] = (byte) (chunk >>> 24);
        key[17] = (byte) (chunk >>> 16);
        key[18] = (byte) (chunk >>> 8);
        key[19] = (byte) chunk;
        return key;
    }

    /** ids: the value, the assertion's sequence number as a varint. */
    static byte[] sequenceValue(long sequence) {
        return new ByteSink(10).varlong(sequence).toByteArray();
    }

    static long sequenceOfValue(byte[] value) {
        return new ByteSource(value, (message, at) -> new StorageException.Corruption("an ids value is damaged ("
                + message + "); run verify and restore from a backup", null)).varlong("sequence");
    }

    /** log: the sequence number, 8 bytes. */
    static byte[] sequenceKey(long sequence) {
        byte[] key = new byte[8];
        putLong(key, 0, sequence);
        return key;
    }

    static long sequenceOf(byte[] key) {
        return getLong(key, 0);
    }

    /** log: where a record lives: {@code kind} ({@link #AT_FACT_CLAIM}, ...) then a fact key or a target id. */
    static byte[] location(byte kind, byte[] where) {
        byte[] value = new byte[1 + where.length];
        value[0] = kind;
        System.arraycopy(where, 0, value, 1, where.length);
        return value;
    }

    /** orphans: the target id, then the retraction's sequence number. */
    static byte[] orphanKey(AssertionId target, long sequence) {
        return new ByteSink(40).id(target).u64(sequence).toByteArray();
    }

    /** sources: name(source) hlc u64 sequence. */
    static byte[] sourceKey(String source, Hlc hlc, long sequence) {
        return sourceKey(name(source), hlc, sequence);
    }

    /** {@link #sourceKey(String, Hlc, long)} of an encoded {@link #name}. */
    static byte[] sourceKey(byte[] sourceName, Hlc hlc, long sequence) {
        return new ByteSink(sourceName.length + 28).raw(sourceName).hlc(hlc).u64(sequence).toByteArray();
    }

    static byte[] sourcePrefix(String source) {
        return new ByteSink().shortString(source).toByteArray();
    }

    /** The sequence number at the end of a sources or orphans key. */
    static long trailingSequence(byte[] key) {
        return getLong(key, key.length - 8);
    }

    /**
     * sources: the first byte of the subjects keyspace. A by-source key starts with the high byte
     * of a name's length, at most 0x04, so the two keyspaces never interleave.
     */
    static final byte SUBJECTS_SPACE = (byte) 0xff;

    /** sources, subjects keyspace: 0xff name(subject) name(predicate). */
    static byte[] subjectKey(String subject, String predicate) {
        return subjectKey(name(subject), name(predicate));
    }

    /** {@link #subjectKey(String, String)} of encoded {@link #name}s. */
    static byte[] subjectKey(byte[] subjectName, byte[] predicateName) {
        byte[] key = new byte[1 + subjectName.length + predicateName.length];
        key[0] = SUBJECTS_SPACE;
        System.arraycopy(subjectName, 0, key, 1, subjectName.length);
        System.arraycopy(predicateName, 0, key, 1 + subjectName.length, predicateName.length);
        return key;
    }

    /** sources, subjects keyspace: 0xff name(subject), the prefix of every entry of one subject. */
    static byte[] subjectPrefix(String subject) {
        return new ByteSink().u8(SUBJECTS_SPACE).shortString(subject).toByteArray();
    }

    /** sources, subjects keyspace: the prefix of every entry, 0xff. */
    static byte[] subjectsSpace() {
        return new byte[] {SUBJECTS_SPACE};
    }

    /** values: name(predicate) valueKey, the prefix of the subjects with that value. */
    static byte[] valuePrefix(String predicate, Value value) {
        return valueKey(name(predicate), value, new byte[0]);
    }

    static byte[] valueKey(Claim c) {
        return valueKey(name(c.predicate()), c.value(), name(c.subject()));
    }

    /** {@link #valueKey(Claim)} of encoded {@link #name}s. */
    static byte[] valueKey(byte[] predicateName, Value value, byte[] subjectName) {
        byte[] encoded = CanonicalCodec.encodeValue(value);
        boolean inline = encoded.length <= MAX_INLINE_VALUE;
        byte[] valueKey = inline ? encoded : Blake3.hash(encoded);
        byte[] key = new byte[predicateName.length + 1 + valueKey.length + subjectName.length];
        System.arraycopy(predicateName, 0, key, 0, predicateName.length);
        key[predicateName.length] = (byte) (inline ? 0 : 1);
        System.arraycopy(valueKey, 0, key, predicateName.length + 1, valueKey.length);
        System.arraycopy(subjectName, 0, key, key.length - subjectName.length, subjectName.length);
        return key;
    }

    /** digests: the bucket, 2 bytes. */
    static byte[] bucketKey(int bucket) {
        return new byte[] {(byte) (bucket >>> 8), (byte) bucket};
    }

    /** digests: a key after every bucket's, the exclusive end of a range over them all. */
    static final byte[] ALL_BUCKETS_END = {(byte) 0xff, (byte) 0xff, 0};

    static int bucketOf(byte[] bucketKey) {
        return (bucketKey[0] & 0xff) << 8 | (bucketKey[1] & 0xff);
    }

    /**
     * The smallest key greater than every key that starts with {@code prefix}: an iterator's
     * exclusive upper bound. Null when there is none (the prefix is all 0xff).
     */
    static byte[] successor(byte[] prefix) {
        byte[] s = prefix.clone();
        for (int i = s.length - 1; i >= 0; i--) {
            if (s[i] != (byte) 0xff) {
                s[i]++;
                return Arrays.copyOf(s, i + 1);
            }
        }
        return null;
    }

    /** The name (u16 length + UTF-8) that starts at {@code offset} of {@code key}. */
    static String nameAt(byte[] key, int offset) {
        int len = ((key[offset] & 0xff) << 8) | (key[offset + 1] & 0xff);
        return new String(key, offset + 2, len, StandardCharsets.UTF_8);
    }

    /** The offset just past the name at {@code offset}, or -1 if it runs off the key. */
    static int skipName(byte[] key, int offset) {
        if (offset + 2 > key.length) {
            return -1;
        }
        int end = offset + 2 + (((key[offset] & 0xff) << 8) | (key[offset + 1] & 0xff));
        return end <= key.length ? end : -1;
    }

    /** The order of names in keys: shorter UTF-8 first, then by unsigned bytes. */
    static final java.util.Comparator<String> NAME_ORDER = (a, b) -> {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y);
    };

    static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    /**
     * The length of the (predicate, value) prefix of a values key, so that the subject can be read
     * after it. Null when the key does not parse.
     */
    static Integer valuePrefixLength(byte[] key) {
        int pos = skipName(key, 0);
        if (pos < 0 || pos >= key.length) {
            return null;
        }
        int form = key[pos++];
        if (form == 1) {
            pos += 32;
        } else if (form == 0 && pos < key.length) {
            int tag = key[pos++] & 0xff;
            Value.Type type = null;
            for (Value.Type t : Value.Type.values()) {
                if (t.tag() == tag) {
                    type = t;
                }
            }
            if (type == null) {
                return null;
            }
            switch (type) {
                case TEXT:
                case REF:
                case BYTES:
                    pos = skipVarintField(key, pos);
                    break;
                case INTEGER:
                case REAL:
                    pos += 8;
                    break;
                case BOOLEAN:
                    pos += 1;
                    break;
                case INSTANT:
                    pos += 12;
                    break;
                default:
                    return null;
            }
        } else {
            return null;
        }
        return pos < 0 || pos > key.length ? null : pos;
    }

    /** The offset just past a varint-length-prefixed field (canonical encoding) at {@code offset}, or -1. */
    private static int skipVarintField(byte[] key, int offset) {
        int len = 0;
        int shift = 0;
        int pos = offset;
        while (true) {
            if (pos >= key.length || shift > 28) {
                return -1;
            }
            int b = key[pos++] & 0xff;
            len |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        return pos + len <= key.length ? pos + len : -1;
    }

    /** The meta family's prefix of named checkpoints: {@code "cp/"}, never a prefix of the other meta keys. */
    private static final byte[] CHECKPOINT_PREFIX = "cp/".getBytes(StandardCharsets.US_ASCII);

    /** The meta key of checkpoint {@code name}: {@code "cp/"} then the name in UTF-8. */
    static byte[] checkpointKey(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(CHECKPOINT_PREFIX, CHECKPOINT_PREFIX.length + utf8.length);
        System.arraycopy(utf8, 0, key, CHECKPOINT_PREFIX.length, utf8.length);
        return key;
    }
}
