package io.stemedb.storage;

import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.commons.codec.digest.Blake3;

/**
 * The key layouts of the RocksDB engine's column families (docs/format.md, "Storage key
 * layouts"). All integers are big-endian so that byte order is numeric order; names are a u16
 * length followed by UTF-8, which keeps every key prefix-free (no name's encoding is a prefix of
 * another's), so a (subject, predicate) range never picks up a longer subject, and orders names
 * shorter first, then by bytes ({@link #NAME_ORDER}).
 */
final class Keys {
    /** Values whose canonical encoding is longer than this are indexed by their BLAKE3 hash. */
    static final int MAX_INLINE_VALUE = 64;
    static final byte KIND_CLAIM = 1;
    static final byte KIND_RETRACTION = 2;

    private Keys() {}

    /** facts: name(subject) name(predicate), the prefix of every entry of one fact. */
    static byte[] factPrefix(String subject, String predicate) {
        return new ByteSink().shortString(subject).shortString(predicate).toByteArray();
    }

    /** facts: name(subject), the prefix of every entry of one subject. */
    static byte[] subjectPrefix(String subject) {
        return new ByteSink().shortString(subject).toByteArray();
    }

    /** facts: name(subject) name(predicate) kind hlc id. */
    static byte[] factKey(String subject, String predicate, byte kind, Hlc hlc, AssertionId id) {
        return new ByteSink().shortString(subject).shortString(predicate).u8(kind).hlc(hlc).id(id).toByteArray();
    }


    /** values: name(predicate) valueKey, the prefix of the subjects with that value. */
    static byte[] valuePrefix(String predicate, Value value) {
        ByteSink b = new ByteSink().shortString(predicate);
        byte[] encoded = CanonicalCodec.encodeValue(value);
        if (encoded.length <= MAX_INLINE_VALUE) {
            b.u8(0).raw(encoded);
        } else {
            b.u8(1).raw(Blake3.hash(encoded));
        }
        return b.toByteArray();
    }

    static byte[] valueKey(Claim c) {
        byte[] prefix = valuePrefix(c.predicate(), c.value());
        return new ByteSink().raw(prefix).shortString(c.subject()).toByteArray();
    }

    /** sources: name(source) hlc id. */
    static byte[] sourceKey(String source, Hlc hlc, AssertionId id) {
        return new ByteSink().shortString(source).hlc(hlc).id(id).toByteArray();
    }

    static byte[] sourcePrefix(String source) {
        return new ByteSink().shortString(source).toByteArray();
    }

    /** The id at the end of a sources or facts key. */
    static AssertionId trailingId(byte[] key) {
        return AssertionId.fromBytes(key, key.length - AssertionId.LENGTH);
    }

    /** retractions: target id, retraction id. */
    static byte[] retractionKey(AssertionId target, AssertionId retraction) {
        return new ByteSink().id(target).id(retraction).toByteArray();
    }

    /** digests: the bucket, 2 bytes. */
    static byte[] bucketKey(int bucket) {
        return new byte[] {(byte) (bucket >>> 8), (byte) bucket};
    }

    static int bucketOf(byte[] bucketKey) {
        return (bucketKey[0] & 0xff) << 8 | (bucketKey[1] & 0xff);
    }

    /** log: the sequence number, 8 bytes. */
    static byte[] sequenceKey(long sequence) {
        return new ByteSink().u64(sequence).toByteArray();
    }

    static long sequenceOf(byte[] key) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (key[i] & 0xff);
        }
        return v;
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
}
