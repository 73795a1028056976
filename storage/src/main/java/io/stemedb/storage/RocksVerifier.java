package io.stemedb.storage;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;

/**
 * One pass of {@link RocksEngine#verify()}: checks every table file's block checksums, then every
 * assertion against its id and its index entries, then every index entry against the assertion it
 * names, then the log against the counters. Reads with point lookups, so memory stays flat however
 * large the database is.
 */
final class RocksVerifier {
    private static final HexFormat HEX = HexFormat.of();

    private final RocksStore store;
    private final long lastSequence;
    private final long claims;
    private final long retractions;
    private final IdDigest total;
    private final IdDigest[] buckets = new IdDigest[Engine.BUCKETS];
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long assertionsChecked;
    private long indexEntriesChecked;
    /** False when damage stopped the scan of the assertions: their tallies are then partial. */
    private boolean assertionsScanned;

    RocksVerifier(RocksStore store, long lastSequence, long claims, long retractions, IdDigest total) {
        this.store = store;
        this.lastSequence = lastSequence;
        this.claims = claims;
        this.retractions = retractions;
        this.total = total;
        java.util.Arrays.fill(buckets, IdDigest.empty());
    }

    VerifyReport run() {
        try {
            store.db().verifyChecksum();
        } catch (RocksDBException e) {
            problem("table file checksum: " + e.getMessage());
        }
        guarded("assertions", this::checkAssertions);
        guarded("log", this::checkLog);
        guarded("facts", this::checkFacts);
        guarded("sources", () -> checkTrailingIds(store.sources, "sources"));
        guarded("values", this::checkValues);
        guarded("retractions", this::checkRetractions);
        guarded("digests", this::checkDigests);
        return new VerifyReport(assertionsChecked, indexEntriesChecked, problemCount, problems);
    }

    /** A scan that hits damage RocksDB itself detects is a finding, not the end of the check. */
    private void guarded(String what, Runnable check) {
        try {
            check.run();
        } catch (StorageException e) {
            problem("reading " + what + ": " + e.getMessage());
        }
    }

    private void problem(String message) {
        problemCount++;
        if (problems.size() < VerifyReport.MAX_PROBLEMS) {
            problems.add(message);
        }
    }

    private void checkAssertions() {
        long[] counts = new long[2];
        store.scan(store.assertions, new byte[0], (key, value) -> {
            assertionsChecked++;
            if (key.length != AssertionId.LENGTH) {
                problem("assertions key " + HEX.formatHex(key) + " is not a 32-byte id");
                return true;
            }
            AssertionId id = AssertionId.fromBytes(key);
            buckets[id.prefix16()] = buckets[id.prefix16()].plus(id);
            AssertionId actual = AssertionId.hashOf(value);
            if (!actual.equals(id)) {
                problem("assertion " + id + ": its stored bytes hash to " + actual + " (the record is damaged)");
                return true;
            }
            Assertion a;
            try {
                a = CanonicalCodec.decode(value);
            } catch (StemeException e) {
                problem("assertion " + id + ": " + e.getMessage());
                return true;
            }
            counts[a instanceof Claim ? 0 : 1]++;
            expect(store.sources, Keys.sourceKey(a.source(), a.hlc(), id), null, "sources entry of " + id);
            if (a instanceof Claim) {
                Claim c = (Claim) a;
                expect(store.facts, Keys.factKey(c.subject(), c.predicate(), Keys.KIND_CLAIM, c.hlc(), id), value,
                        "facts entry of claim " + id);
                expect(store.values, Keys.valueKey(c), null, "values entry of claim " + id);
            } else {
                Retraction r = (Retraction) a;
                expect(store.retractions, Keys.retractionKey(r.target(), id), null, "retractions entry of " + id);
                byte[] target = store.get(store.assertions, r.target().toBytes());
                if (target != null && target.length > 1 && target[1] == CanonicalCodec.KIND_CLAIM) {
                    Claim c = (Claim) CanonicalCodec.decodeTrusted(target);
                    expect(store.facts, Keys.factKey(c.subject(), c.predicate(), Keys.KIND_RETRACTION, r.hlc(), id), value,
                            "facts entry of retraction " + id + " under its target " + r.target());
                }
            }
            return true;
        });
        assertionsScanned = true;
        if (counts[0] != claims || counts[1] != retractions) {
            problem("the counters say " + claims + " claims and " + retractions + " retractions but "
                    + counts[0] + " and " + counts[1] + " are stored");
        }
    }

    private void expect(ColumnFamilyHandle family, byte[] key, byte[] expectedValue, String what) {
        indexEntriesChecked++;
        byte[] value = store.get(family, key);
        if (value == null) {
            problem("missing " + what + " (key " + HEX.formatHex(key) + ")");
        } else if (expectedValue != null && !Arrays.equals(value, expectedValue)) {
            problem(what + " holds other bytes than the assertion (key " + HEX.formatHex(key) + ")");
        }
    }

    private void checkLog() {
        long[] expected = {1};
        store.scan(store.log, new byte[0], (key, value) -> {
            indexEntriesChecked++;
            long seq = Keys.sequenceOf(key);
            if (seq != expected[0]) {
                problem("log: sequence " + expected[0] + " is missing (next found: " + seq + ")");
            }
            expected[0] = seq + 1;
            if (value.length != AssertionId.LENGTH || store.get(store.assertions, value) == null) {
                problem("log: sequence " + seq + " names " + HEX.formatHex(value) + ", which is not stored");
            }
            return true;
        });
        if (expected[0] - 1 != lastSequence) {
            problem("log: the counters say the last sequence is " + lastSequence + " but the log ends at " + (expected[0] - 1));
        }
    }

    private void checkFacts() {
        store.scan(store.facts, new byte[0], (key, value) -> {
            indexEntriesChecked++;
            AssertionId id = Keys.trailingId(key);
            byte[] stored = store.get(store.assertions, id.toBytes());
            if (stored == null) {
                problem("facts entry " + HEX.formatHex(key) + " names " + id + ", which is not stored");
            } else if (!Arrays.equals(stored, value)) {
                problem("facts entry " + HEX.formatHex(key) + " holds other bytes than assertion " + id);
            }
            return true;
        });
    }

    private void checkTrailingIds(ColumnFamilyHandle family, String name) {
        store.scan(family, new byte[0], (key, value) -> {
            indexEntriesChecked++;
            AssertionId id = Keys.trailingId(key);
            if (store.get(store.assertions, id.toBytes()) == null) {
                problem(name + " entry " + HEX.formatHex(key) + " names " + id + ", which is not stored");
            }
            return true;
        });
    }

    private void checkValues() {
        store.scan(store.values, new byte[0], (key, value) -> {
            indexEntriesChecked++;
            Integer prefixLength = Keys.valuePrefixLength(key);
            if (prefixLength == null) {
                problem("values entry " + HEX.formatHex(key) + " does not parse");
                return true;
            }
            String predicate = Keys.nameAt(key, 0);
            String subject = Keys.nameAt(key, prefixLength);
            boolean[] found = {false};
            store.scan(store.facts, Keys.factPrefix(subject, predicate), (factKey, bytes) -> {
                Assertion a = CanonicalCodec.decodeTrusted(bytes);
                if (a instanceof Claim && Arrays.equals(Keys.valueKey((Claim) a), key)) {
                    found[0] = true;
                }
                return !found[0];
            });
            if (!found[0]) {
                problem("values entry " + HEX.formatHex(key) + " (" + subject + "." + predicate
                        + ") matches no stored claim");
            }
            return true;
        });
    }

    /** The stored bucket digests and the total must match the digests of the ids actually stored. */
    private void checkDigests() {
        if (!assertionsScanned) {
            // The damage that stopped the scan is already reported; comparing with partial
            // tallies would add a false finding for every bucket past it.
            return;
        }
        IdDigest[] stored = new IdDigest[Engine.BUCKETS];
        java.util.Arrays.fill(stored, IdDigest.empty());
        store.scan(store.digests, new byte[0], (key, value) -> {
            indexEntriesChecked++;
            if (key.length != 2 || value.length != IdDigest.ENCODED_LENGTH) {
                problem("digests entry " + HEX.formatHex(key) + " is malformed");
            } else {
                stored[Keys.bucketOf(key)] = IdDigest.fromBytes(value);
            }
            return true;
        });
        IdDigest sum = IdDigest.empty();
        for (int b = 0; b < Engine.BUCKETS; b++) {
            sum = sum.plus(buckets[b]);
            if (!stored[b].equals(buckets[b])) {
                problem("digest of id bucket " + String.format("%04x", b) + " says " + stored[b].count()
                        + " ids but " + buckets[b].count() + " are stored, or their sum differs");
            }
        }
        if (!sum.equals(total)) {
            problem("the digest of the whole set in the counters (" + total.count() + " ids) does not match the "
                    + sum.count() + " ids stored");
        }
    }

    private void checkRetractions() {
        store.scan(store.retractions, new byte[0], (key, value) -> {
            indexEntriesChecked++;
            AssertionId target = AssertionId.fromBytes(key, 0);
            AssertionId rid = Keys.trailingId(key);
            byte[] stored = store.get(store.assertions, rid.toBytes());
            Assertion a = stored == null ? null : CanonicalCodec.decodeTrusted(stored);
            if (!(a instanceof Retraction) || !((Retraction) a).target().equals(target)) {
                problem("retractions entry " + HEX.formatHex(key) + " names no stored retraction of " + target);
            }
            return true;
        });
    }
}
