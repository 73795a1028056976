package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.ByteSource;
import io.stemedb.model.EncodedAssertion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sync wire format, version 2 (docs/format.md, "Sync messages"). Every message starts with
 * the magic {@code STMS}, the version byte and a type byte; lengths and counts are varints;
 * decoding refuses anything malformed or over {@link #MAX_ITEMS} items with a
 * {@link SyncException.MalformedMessage} naming the offset, never anything worse.
 */
final class SyncMessages {
    static final byte[] MAGIC = {'S', 'T', 'M', 'S'};
    static final int VERSION = 2;
    static final int MAX_ITEMS = 1 << 20;

    static final int RECONCILE = 1;
    static final int RECONCILE_REPLY = 2;
    static final int FETCH = 3;
    static final int RECORDS = 4;
    static final int PUSH = 5;
    static final int PUSH_REPLY = 6;
    static final int ERROR = 7;

    private static final int MODE_FINGERPRINT = 1;
    private static final int MODE_IDS = 2;
    private static final int MODE_CHILDREN = 3;
    private static final int MODE_DIFF = 4;

    private SyncMessages() {}

    /** What one side says about one range: its digest's fingerprint, its ids, or its children's digests. */
    sealed interface Claim permits Fingerprint, Ids, Children, Diff {}

    record Fingerprint(byte[] fingerprint, long count) implements Claim {
        static Fingerprint of(IdDigest d) {
            return new Fingerprint(d.fingerprint(), d.count());
        }

        boolean matches(IdDigest d) {
            return count == d.count() && Arrays.equals(fingerprint, d.fingerprint());
        }
    }

    record Ids(List<AssertionId> ids) implements Claim {}

    record Children(List<Fingerprint> children) implements Claim {
        /** The children of {@code range} as {@code replica} holds them. */
        static Children of(SyncReplica replica, IdRange range) {
            return new Children(RangeDigests.children(replica, range).stream().map(Fingerprint::of).toList());
        }
    }

    /**
     * The answer to a range described by its ids: the ids only the answering side holds there,
     * and the positions, in the asker's id list, of the ids it lacks (ascending). Cheaper than
     * listing every id back, since the ids both sides hold are not sent again.
     */
    record Diff(List<AssertionId> onlyHere, int[] missingPositions) implements Claim {}

    record Item(IdRange range, Claim claim) {}

    static ByteSink header(int type) {
        return new ByteSink().raw(MAGIC).u8(VERSION).u8(type);
    }

    static ByteSource open(byte[] message, int expectedType) {
        ByteSource in = new ByteSource(message, SyncException.MalformedMessage::new);
        byte[] magic = in.raw(4, "magic");
        if (!Arrays.equals(magic, MAGIC)) {
            throw new SyncException.MalformedMessage("not a StemeDB sync message (bad magic)", 0);
        }
        int version = in.u8("version");
        if (version != VERSION) {
            throw new SyncException.MalformedMessage("sync protocol version " + version + " is not one this "
                    + "StemeDB speaks (" + VERSION + "); upgrade the older replica", 4);
        }
        int type = in.u8("type");
        if (type == ERROR && expectedType != ERROR) {
            String why = in.string("error message");
            // a peer's text, bounded: it ends up in logs and in replication's stats
            throw new SyncException("the peer refused the request: "
                    + (why.length() > 500 ? why.substring(0, 490) + "... (" + why.length() + " characters)" : why));
        }
        if (type != expectedType) {
            throw new SyncException.MalformedMessage("expected message type " + expectedType + ", got " + type, 5);
        }
        return in;
    }

    static int type(byte[] message) {
        if (message.length < 6 || !Arrays.equals(Arrays.copyOf(message, 4), MAGIC)) {
            throw new SyncException.MalformedMessage("not a StemeDB sync message (bad magic or too short)", 0);
        }
        return message[5] & 0xff;
    }

    static byte[] encodeItems(int type, List<Item> items) {
        ByteSink out = header(type).varint(items.size());
        for (Item item : items) {
            out.u8(item.range().depth()).raw(item.range().packed());
            Claim c = item.claim();
            if (c instanceof Fingerprint f) {
                out.u8(MODE_FINGERPRINT);
                fingerprint(out, f);
            } else if (c instanceof Ids i) {
                out.u8(MODE_IDS);
                ids(out, i.ids());
            } else if (c instanceof Diff d) {
                out.u8(MODE_DIFF);
                ids(out, d.onlyHere());
                int[] positions = d.missingPositions();
                out.varint(positions.length);
                for (int p : positions) {
                    out.varint(p);
                }
            } else if (c instanceof Children children) {
                out.u8(MODE_CHILDREN);
                for (Fingerprint f : children.children()) {
                    fingerprint(out, f);
                }
            } else {
                throw new IllegalStateException("no encoding for the claim " + c);
            }
        }
        return out.toByteArray();
    }

    private static void fingerprint(ByteSink out, Fingerprint f) {
        out.raw(f.fingerprint());
        // LEB128, as a varint but for a non-negative long: counts are mostly small, and most of a
        // reconciliation's bytes are fingerprints.
        long v = f.count();
        while ((v & ~0x7fL) != 0) {
            out.u8((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.u8((int) v);
    }

    /** An upper bound of the bytes {@code item} takes in a message. */
    static long sizeBound(Item item) {
        long range = 1 + (IdRange.MAX_DEPTH + 1) / 2;
        Claim c = item.claim();
        if (c instanceof Ids i) {
            return range + 1 + 5 + (long) AssertionId.LENGTH * i.ids().size();
        }
        if (c instanceof Diff d) {
            return range + 1 + 5 + (long) AssertionId.LENGTH * d.onlyHere().size()
                    + 5 + 5L * d.missingPositions().length;
        }
        return range + 1 + (c instanceof Children ? 16 : 1) * FINGERPRINT_BOUND;
    }

    /** The most bytes a fingerprint takes: 16 bytes and a count of at most 9. */
    static final int FINGERPRINT_BOUND = IdDigest.FINGERPRINT_LENGTH + 9;

    private static void ids(ByteSink out, List<AssertionId> ids) {
        out.varint(ids.size());
        ids.forEach(out::id);
    }

    static List<Item> decodeItems(byte[] message, int type) {
        return decodeItems(message, type, MAX_ITEMS);
    }

    /** The items of a message of {@code type}, refused before they are read if there are more than {@code maxItems}. */
    static List<Item> decodeItems(byte[] message, int type, int maxItems) {
        ByteSource in = open(message, type);
        int n = count(in, "item count");
        checkItems(n, maxItems, "ranges");
        List<Item> items = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            int at = in.position();
            int depth = in.u8("range depth");
            IdRange range;
            try {
                range = IdRange.unpack(depth, in.raw((depth + 1) / 2, "range path"));
            } catch (IllegalArgumentException e) {
                throw new SyncException.MalformedMessage(e.getMessage(), at);
            }
            int mode = in.u8("mode");
            Claim claim;
            if (mode == MODE_FINGERPRINT) {
                claim = readFingerprint(in);
            } else if (mode == MODE_IDS) {
                claim = new Ids(readIds(in));
            } else if (mode == MODE_DIFF) {
                List<AssertionId> onlyHere = readIds(in);
                int[] positions = new int[count(in, "position count")];
                for (int p = 0; p < positions.length; p++) {
                    positions[p] = in.length("position");
                }
                claim = new Diff(onlyHere, positions);
            } else if (mode == MODE_CHILDREN && range.depth() < IdRange.MAX_DEPTH) {
                List<Fingerprint> children = new ArrayList<>(16);
                for (int c = 0; c < 16; c++) {
                    children.add(readFingerprint(in));
                }
                claim = new Children(children);
            } else {
                throw new SyncException.MalformedMessage("unknown mode " + mode + " for range " + range, at);
            }
            items.add(new Item(range, claim));
        }
        in.expectEnd();
        return items;
    }

    /**
     * Refuses a request of more items than a responder answers: each costs it work (digests, reads),
     * so the bound is what keeps one request from costing seconds of CPU.
     */
    private static void checkItems(int n, int maxItems, String what) {
        if (n > maxItems) {
            throw new SyncException.MalformedMessage("the request asks about " + n + " " + what + ", more than this replica "
                    + "answers in one request (" + maxItems + ", SyncLimits.maxItemsPerRequest); split it", 6);
        }
    }

    private static Fingerprint readFingerprint(ByteSource in) {
        byte[] fp = in.raw(IdDigest.FINGERPRINT_LENGTH, "fingerprint");
        int at = in.position();
        long count = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = in.u8("count");
            count |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return new Fingerprint(fp, count);
            }
        }
        throw new SyncException.MalformedMessage("a count is a varint of at most 9 bytes", at);
    }

    private static List<AssertionId> readIds(ByteSource in) {
        return readIds(in, MAX_ITEMS);
    }

    private static List<AssertionId> readIds(ByteSource in, int maxItems) {
        int n = count(in, "id count");
        checkItems(n, maxItems, "ids");
        List<AssertionId> ids = new ArrayList<>(Math.min(n, 4096));
        for (int i = 0; i < n; i++) {
            ids.add(AssertionId.fromBytes(in.raw(AssertionId.LENGTH, "id")));
        }
        return ids;
    }

    private static int count(ByteSource in, String what) {
        int at = in.position();
        int n = in.length(what);
        if (n > MAX_ITEMS || n > in.remaining()) {
            throw new SyncException.MalformedMessage(what + " " + n + " is more than the message can hold", at);
        }
        return n;
    }

    static byte[] encodeIds(int type, List<AssertionId> ids) {
        ByteSink out = header(type);
        ids(out, ids);
        return out.toByteArray();
    }

    static List<AssertionId> decodeIds(byte[] message, int type) {
        return decodeIds(message, type, MAX_ITEMS);
    }

    /** The ids of a message of {@code type}, refused before they are read if there are more than {@code maxItems}. */
    static List<AssertionId> decodeIds(byte[] message, int type, int maxItems) {
        ByteSource in = open(message, type);
        List<AssertionId> ids = readIds(in, maxItems);
        in.expectEnd();
        return ids;
    }

    static byte[] encodeRecords(int type, List<EncodedAssertion> records) {
        ByteSink out = header(type).varint(records.size());
        for (EncodedAssertion r : records) {
            out.id(r.id()).bytes(r.bytes());
        }
        return out.toByteArray();
    }

    static List<EncodedAssertion> decodeRecords(byte[] message, int type) {
        ByteSource in = open(message, type);
        int n = count(in, "record count");
        List<EncodedAssertion> records = new ArrayList<>(Math.min(n, 4096));
        for (int i = 0; i < n; i++) {
            AssertionId id = AssertionId.fromBytes(in.raw(AssertionId.LENGTH, "record id"));
            records.add(new EncodedAssertion(id, in.bytes("record")));
        }
        in.expectEnd();
        return records;
    }

    static byte[] encodePushReply(SyncReplica.MergeOutcome outcome) {
        ByteSink out = header(PUSH_REPLY).varint(outcome.added()).varint(outcome.duplicates())
                .varint(outcome.refused().size());
        for (SyncReplica.Refused r : outcome.refused()) {
            out.id(r.id()).string(r.reason());
        }
        return out.toByteArray();
    }

    static SyncReplica.MergeOutcome decodePushReply(byte[] message) {
        ByteSource in = open(message, PUSH_REPLY);
        int added = in.length("added");
        int duplicates = in.length("duplicates");
        int n = count(in, "refused count");
        List<SyncReplica.Refused> refused = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            refused.add(new SyncReplica.Refused(AssertionId.fromBytes(in.raw(AssertionId.LENGTH, "refused id")),
                    in.string("reason")));
        }
        in.expectEnd();
        return new SyncReplica.MergeOutcome(added, duplicates, refused);
    }

    static byte[] encodeError(String message) {
        return header(ERROR).string(message).toByteArray();
    }
}
