package io.stemedb.storage;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.ByteSource;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The value of a fact in the {@link Family#FACTS} family (docs/format.md, "Fact values"): a
 * sequence of self-delimiting entries, each a record of the fact with its arrival sequence, so
 * that a merge operator can append entries without reading what is there.
 *
 * <pre>
 * entry  = 0x01 seq:varlong len:varint claim-record
 *        | 0x02 seq:varlong targetSeq:varlong len:varint retraction-record
 *        | 0x03 chunks:varint                     (first entry of a sealed head only)
 * </pre>
 *
 * A retraction entry names its target by the target's sequence number, so that a reader pairs
 * retractions with claims without hashing any record. The value under a fact key may also hold
 * records of another fact whose key collides ({@link Keys}): {@link #evidence} keeps only the
 * records of the fact asked for.
 *
 * <p>Immutable parsing results; thread-safe static methods.
 */
final class FactEntries {
    static final int CLAIM = 1;
    static final int RETRACTION = 2;
    static final int HEADER = 3;

    private FactEntries() {}

    /** Appends a claim entry. */
    static ByteSink claim(ByteSink out, long sequence, byte[] record) {
        return out.u8(CLAIM).varlong(sequence).varint(record.length).raw(record);
    }

    /** Appends a retraction entry for the claim stored with sequence {@code targetSequence}. */
    static ByteSink retraction(ByteSink out, long sequence, long targetSequence, byte[] record) {
        return out.u8(RETRACTION).varlong(sequence).varlong(targetSequence).varint(record.length).raw(record);
    }

    /** Appends {@code e} as it was stored. */
    static ByteSink copy(ByteSink out, Entry e) {
        out.u8(e.tag()).varlong(e.sequence());
        if (e.tag() == RETRACTION) {
            out.varlong(e.targetSequence());
        }
        return out.varint(e.length()).raw(e.buffer(), e.offset(), e.length());
    }

    /** The value a sealed head starts with: how many chunks the fact has. */
    static byte[] header(int chunks) {
        return new ByteSink(6).u8(HEADER).varint(chunks).toByteArray();
    }

    /** One entry read from a value: where its record lies in {@code buffer}. */
    record Entry(int tag, long sequence, long targetSequence, byte[] buffer, int offset, int length) {
        byte[] record() {
            return Arrays.copyOfRange(buffer, offset, offset + length);
        }
    }

    /** The entries of a value and the chunk count of its header (0 when it has none). */
    record Parsed(int chunks, List<Entry> entries) {}

    /**
     * Splits a stored value into its entries.
     *
     * @param where names the value in the message of a {@link StorageException.Corruption}; only
     *     asked for when there is one, so a read formats nothing
     */
    static Parsed parse(byte[] value, Supplier<String> where) {
        ByteSource in = new ByteSource(value, (message, at) -> new StorageException.Corruption(
                where.get() + " is damaged at byte " + at + ": " + message + "; run verify and restore from a backup", null));
        List<Entry> entries = new ArrayList<>();
        int chunks = 0;
        while (in.remaining() > 0) {
            int at = in.position();
            int tag = in.u8("entry tag");
            if (tag == HEADER) {
                if (at != 0) {
                    throw new StorageException.Corruption(where.get() + " has a chunk header at byte " + at
                            + " instead of first; run verify and restore from a backup", null);
                }
                chunks = in.length("chunk count");
                continue;
            }
            if (tag != CLAIM && tag != RETRACTION) {
                throw new StorageException.Corruption(where.get() + " has an entry of unknown kind " + tag + " at byte " + at
                        + "; run verify and restore from a backup", null);
            }
            long sequence = in.varlong("sequence");
            long target = tag == RETRACTION ? in.varlong("target sequence") : 0;
            int length = in.length("record length");
            int offset = in.position();
            in.skip(length, "record");
            entries.add(new Entry(tag, sequence, target, value, offset, length));
        }
        return new Parsed(chunks, entries);
    }

    /**
     * The evidence about ({@code subject}, {@code predicate}) among {@code entries}: its claims
     * and the retractions of them. Records of a colliding fact are left out. A claim that a
     * retraction targets takes its id from the retraction, so that no claim is hashed here; the
     * entries, in arrival order, are put in record order (by timestamp: ids are compared, and so
     * hashed, only for equal timestamps) and handed to {@link Evidence#ofOrdered}, which hashes
     * no claim of a fact that has no retraction.
     */
    static Evidence evidence(String subject, String predicate, List<Entry> entries, Supplier<String> where) {
        Map<Long, List<Retraction>> retractionsByTarget = Map.of();
        for (Entry e : entries) {
            if (e.tag() == RETRACTION) {
                if (retractionsByTarget.isEmpty()) {
                    retractionsByTarget = new HashMap<>();
                }
                Retraction r = (Retraction) decode(e, null, where, null, null, null);
                retractionsByTarget.computeIfAbsent(e.targetSequence(), t -> new ArrayList<>()).add(r);
            }
        }
        List<Claim> claims = new ArrayList<>(entries.size());
        List<Retraction> retractions = new ArrayList<>();
        String source = null;
        for (Entry e : entries) {
            if (e.tag() != CLAIM) {
                continue;
            }
            List<Retraction> of = retractionsByTarget.get(e.sequence());
            AssertionId known = of == null ? null : of.get(0).target();
            // the claims of a fact share its names and often their source: decoded, they share the strings
            Claim c = (Claim) decode(e, known, where, subject, predicate, source);
            source = c.source();
            if (c.subject().equals(subject) && c.predicate().equals(predicate)) {
                claims.add(c);
                if (of != null) {
                    retractions.addAll(of);
                }
            }
        }
        List<Assertion> ordered = new ArrayList<>(claims.size() + retractions.size());
        addInRecordOrder(ordered, claims);
        addInRecordOrder(ordered, retractions);
        return Evidence.ofOrdered(subject, predicate, ordered);
    }

    /** Adds {@code assertions} to {@code to} in record order, each once. */
    private static void addInRecordOrder(List<Assertion> to, List<? extends Assertion> assertions) {
        assertions.sort(Assertion.RECORD_ORDER);
        Assertion last = null;
        for (Assertion a : assertions) {
            if (last == null || Assertion.RECORD_ORDER.compare(last, a) != 0) {
                to.add(a);
            }
            last = a;
        }
    }

    /** Decodes the record of {@code e}; {@code id} when known, else it is hashed if ever asked for. */
    static Assertion decode(Entry e, AssertionId id, Supplier<String> where) {
        return decode(e, id, where, null, null, null);
    }

    /** {@link #decode(Entry, AssertionId, Supplier)}, sharing the strings of the names the record likely has. */
    private static Assertion decode(Entry e, AssertionId id, Supplier<String> where, String subject, String predicate, String source) {
        try {
            return CanonicalCodec.decodeStored(id, e.buffer(), e.offset(), e.length(), subject, predicate, source);
        } catch (RuntimeException ex) {
            throw new StorageException.Corruption("the record with sequence " + e.sequence() + " in " + where.get()
                    + " does not decode: " + ex.getMessage() + "; run verify and restore from a backup", ex);
        }
    }
}
