package io.stemedb.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncException;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What the sync tests share: reading a replica's id set and digest through the public API only. */
final class SyncFixtures {
    private SyncFixtures() {}

    /** Every id the database holds, in arrival order, read through the change feed. */
    static Set<AssertionId> ids(StemeDB db) {
        Set<AssertionId> ids = new LinkedHashSet<>();
        long after = 0;
        while (true) {
            List<Change> page = db.changesSince(after, 5000);
            if (page.isEmpty()) {
                return ids;
            }
            for (Change c : page) {
                ids.add(c.assertion().id());
                after = c.sequence();
            }
        }
    }

    /**
     * A RECONCILE request of wire format v2 (docs/format.md, "Sync messages") built by hand: the
     * root range described by the fingerprint of {@code digest}, its count a LEB128 varint.
     */
    static byte[] rootReconcile(IdDigest digest) {
        java.io.ByteArrayOutputStream m = new java.io.ByteArrayOutputStream();
        m.writeBytes(new byte[] {'S', 'T', 'M', 'S', 2, 1, 1, 0, 1});
        m.writeBytes(digest.fingerprint());
        long count = digest.count();
        while (count >= 0x80) {
            m.write((int) (count & 0x7f) | 0x80);
            count >>>= 7;
        }
        m.write((int) count);
        return m.toByteArray();
    }

    /** The reply of a replica whose root digest equals the one asked about: no item. */
    static final String EQUAL_REPLY_HEX = "53544d53" + "02" + "02" + "00";

    /**
     * Checks that the database's own persisted digest (asked through its sync responder, as a peer
     * would) is the digest of {@code ids}.
     */
    static void assertDigestIs(StemeDB db, Set<AssertionId> ids) {
        byte[] reply = db.syncResponder().respond(rootReconcile(IdDigest.of(ids)));
        assertEquals(EQUAL_REPLY_HEX, HexFormat.of().formatHex(reply),
                "the database's root digest is not the digest of its " + ids.size() + " ids");
    }

    /** Checks that the replicas hold the same ids, have equal digests, and pass verification. */
    static void assertConverged(List<StemeDB> replicas, Set<AssertionId> expected) {
        for (StemeDB db : replicas) {
            Set<AssertionId> ids = ids(db);
            if (!ids.equals(expected)) {
                Set<AssertionId> missing = new LinkedHashSet<>(expected);
                missing.removeAll(ids);
                Set<AssertionId> extra = new LinkedHashSet<>(ids);
                extra.removeAll(expected);
                throw new AssertionError(db + " holds " + ids.size() + " assertions, expected " + expected.size()
                        + "; missing " + missing.size() + " " + shortList(missing) + ", unexpected " + extra.size() + " "
                        + shortList(extra));
            }
            assertEquals(expected.size(), db.stats().assertions());
            assertDigestIs(db, expected);
            assertTrue(db.verify().ok(), () -> db.verify().problems().toString());
        }
    }

    private static String shortList(Set<AssertionId> ids) {
        return ids.stream().limit(5).map(AssertionId::shortHex).toList() + (ids.size() > 5 ? "..." : "");
    }

    /** A claim committed on {@code db}, distinct for each {@code n}. */
    static AssertionId write(StemeDB db, String tag, int n) {
        return db.assertion(tag + "-s" + (n % 13), "p" + (n % 3), Value.integer(n)).source(tag).commit();
    }

    /** Writes {@code count} claims on {@code db} in batches of 1,000; returns their ids. */
    static List<AssertionId> writeMany(StemeDB db, String tag, int count) {
        List<AssertionId> ids = new ArrayList<>(count);
        for (int from = 0; from < count; from += 1000) {
            int start = from;
            int end = Math.min(count, from + 1000);
            ids.addAll(db.write(b -> {
                for (int i = start; i < end; i++) {
                    b.assertion(tag + "-s" + i, "p", Value.integer(i)).source(tag);
                }
            }));
        }
        return ids;
    }

    /** Copies everything {@code from} holds into {@code to} by merge (not sync). */
    static void copy(StemeDB from, StemeDB to) {
        long after = 0;
        while (true) {
            List<Change> page = from.changesSince(after, 5000);
            if (page.isEmpty()) {
                return;
            }
            to.merge(page.stream().map(Change::assertion).toList());
            after = page.get(page.size() - 1).sequence();
        }
    }

    /** Polls {@code condition} every few milliseconds until it holds or {@code deadline} passes. */
    static void await(Duration deadline, BooleanSupplier condition, Supplier<String> what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + what.get());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** A transport that fails every exchange, as a peer that is down. */
    static SyncTransport down(String why) {
        return new SyncTransport() {
            @Override
            public byte[] exchange(byte[] request) {
                throw new SyncException.PeerFailed(why, null);
            }

            @Override
            public String toString() {
                return "down(" + why + ")";
            }
        };
    }
}
