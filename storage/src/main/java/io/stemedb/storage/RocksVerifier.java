package io.stemedb.storage;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;

/**
 * One run of {@link RocksEngine#verify()}: checks every table file's block checksums, that every
 * assertion's bytes hash to its id and decode, that every index holds exactly the entries the
 * assertions imply, that the log lists every assertion once, and that the counters and bucket
 * digests agree with what is stored.
 *
 * <p><b>Consistency.</b> Everything, the counters record included, is read from one RocksDB
 * snapshot ({@link RocksStore.View}). A commit writes its assertions, index entries, digests and
 * counters in one write batch, so the snapshot is a state the database really was in, and a run
 * reports the same findings whatever writers do meanwhile.
 *
 * <p><b>Cost.</b> The clean path reads every column family once, sequentially, and keeps a few
 * fixed-size tallies: while scanning the assertions in id order it adds the index entries each
 * one implies to one {@link EntryDigest} per index, and scanning each index adds what it holds to
 * another; equal digests mean equal multisets of entries (the fingerprint of range-based set
 * reconciliation, Meyer, SRDS 2023, as in {@link IdDigest}). The values index is a set (claims of
 * one subject and predicate with the same value share an entry), so its expected entries are
 * derived while scanning the facts index, where the claims of one (subject, predicate) are
 * adjacent: each group's distinct value keys, found with a hash set of that group only. That
 * derivation is sound only when the facts index matched its own expectation; when it did not, the
 * values index is checked entry by entry, leaving out the facts entries the facts pass found
 * wrong. The log's ids are summed into an {@link IdDigest} and compared with the stored ids'.
 * The one lookup of the clean path is the target of each retraction (its facts entry lives under
 * the target's subject and predicate); retractions are few. Only an index whose digests differ
 * gets a precise pass, which looks entries up one by one to name each wrong entry by its key and
 * the id concerned, both ways (each expected entry present, each present entry expected); damage
 * is rare, so the slow path costs nothing on a sound database. A read that RocksDB itself finds
 * corrupt is one finding, and every comparison that needed what it stopped is skipped rather
 * than reported as a difference.
 *
 * <p>One run per instance, on one thread; {@link #extraReads()} tells afterwards how much it read
 * beyond the sequential passes (tests check the clean path reads only the retraction targets).
 */
final class RocksVerifier {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] EMPTY = new byte[0];
    /** How many (subject, predicate) groups the precise values pass remembers the value keys of. */
    private static final int VALUE_GROUPS_REMEMBERED = 64;
    /** The longest log whose ids the precise log pass sorts to name repeated and missing ones. */
    private static final long MAX_LOG_ANALYSIS = 50_000_000;

    private RocksStore store;
    private RocksStore.View view;
    private RocksEngine.State counters;
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long assertionsChecked;
    private long indexEntriesChecked;
    /** Entries read beyond one sequential pass over each family (see {@link #extraReads()}). */
    private long extraReads;
    /** Problems the sequential pass over the log found by itself. */
    private long logFindings;

    // What the assertions imply, tallied while scanning them.
    private final IdDigest[] buckets = new IdDigest[Engine.BUCKETS];
    private final EntryDigest expectedFacts = new EntryDigest();
    private final EntryDigest expectedSources = new EntryDigest();
    private final EntryDigest expectedRetractions = new EntryDigest();
    /** The ids whose stored bytes are damaged: already reported, and implying no index entries. */
    private final Set<AssertionId> damaged = new HashSet<>();
    private long claimsSeen;
    private long retractionsSeen;
    private long orphansSeen;
    private Hlc maxHlcSeen;
    /** False when damage stopped the scan of the assertions: every tally is then partial. */
    private boolean assertionsScanned;

    // What the indexes hold.
    private final EntryDigest facts = new EntryDigest();
    private final EntryDigest sources = new EntryDigest();
    private final EntryDigest values = new EntryDigest();
    private final EntryDigest retractions = new EntryDigest();
    /** The values entries the facts index implies (sound when the facts index matched). */
    private final EntryDigest expectedValues = new EntryDigest();
    private IdDigest logIds = IdDigest.empty();
    /** The (subject, predicate) key prefix of the facts entries being scanned, and its claims' value keys. */
    private byte[] groupPrefix;
    private Set<ByteBuffer> groupValueKeys = new HashSet<>();

    // What the precise facts pass found, for the precise values pass.
    /** Facts entries found wrong (damage is rare: few). */
    private final Set<ByteBuffer> wrongFactsKeys = new HashSet<>();
    /**
     * The value keys of claims whose own facts entry is missing or wrong, or whose stored record
     * is damaged while its facts entry holds an intact copy: values entries that the usable facts
     * entries do not account for but the claims do.
     */
    private final Set<ByteBuffer> unindexedValueKeys = new HashSet<>();

    RocksVerifier() {
        Arrays.fill(buckets, IdDigest.empty());
    }

    /** Verifies the database of {@code store} as it is at the start of the run. */
    VerifyReport run(RocksStore store) {
        if (this.store != null) {
            throw new IllegalStateException("a RocksVerifier runs once; create another");
        }
        this.store = store;
        try {
            store.db().verifyChecksum();
        } catch (RocksDBException e) {
            problem("table file checksum: " + e.getMessage());
        }
        try (RocksStore.View snapshot = store.view()) {
            view = snapshot;
            if (guarded("the counters", this::readCounters)) {
                guarded("assertions", this::scanAssertions);
            }
            boolean logRead = guarded("log", this::scanLog);
            boolean factsRead = guarded("facts", () -> scan(store.facts, this::tallyFactsEntry));
            boolean sourcesRead = guarded("sources", () -> scan(store.sources, sources::add));
            boolean valuesRead = guarded("values", () -> scan(store.values, values::add));
            boolean retractionsRead = guarded("retractions", () -> scan(store.retractions, retractions::add));
            if (assertionsScanned) {
                checkCounters();
                if (logRead && !logIds.equals(storedIds())) {
                    guarded("log", this::findLogProblems);
                }
                boolean factsSound = factsRead && expectedFacts.sameAs(facts);
                boolean factsExplained = factsSound;
                if (factsRead && !factsSound) {
                    factsExplained = precise("facts", this::findFactsProblems, true);
                }
                if (sourcesRead && !expectedSources.sameAs(sources)) {
                    precise("sources", this::findSourcesProblems, true);
                }
                if (valuesRead && factsExplained) {
                    if (!factsSound) {
                        // The expected values were derived from a damaged facts index: look at each
                        // entry instead, the facts pass having said which facts entries to ignore.
                        precise("values", this::findValuesProblems, false);
                    } else if (!expectedValues.sameAs(values)) {
                        precise("values", this::findValuesProblems, true);
                    }
                }
                if (retractionsRead && !expectedRetractions.sameAs(retractions)) {
                    precise("retractions", this::findRetractionsProblems, true);
                }
                guarded("digests", this::checkDigests);
            }
        }
        return new VerifyReport(assertionsChecked, indexEntriesChecked, problemCount, problems);
    }

    /**
     * How many entries the run read beyond one sequential pass over each column family: point
     * lookups, and the facts entries the precise values pass reads per (subject, predicate).
     */
    long extraReads() {
        return extraReads;
    }

    /**
     * A read that hits damage RocksDB itself detects is a finding, not the end of the run.
     * Returns whether {@code check} ran to its end.
     */
    private boolean guarded(String what, Runnable check) {
        try {
            check.run();
            return true;
        } catch (StorageException e) {
            problem("reading " + what + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * Runs the precise pass of a family, and returns whether it ran to its end. It names every
     * wrong entry, so when the digests are known to differ it finds at least one unless the
     * difference is only the entries of damaged assertions (already reported); otherwise the
     * mismatch itself is reported rather than lost.
     */
    private boolean precise(String family, Runnable pass, boolean digestsDiffer) {
        long before = problemCount;
        boolean completed = guarded(family, pass);
        if (completed && digestsDiffer && problemCount == before && damaged.isEmpty()) {
            problem(family + ": the index differs from what the assertions imply, but no single entry was found "
                    + "wrong; report this as a StemeDB bug, and restore from a backup if queries disagree");
        }
        return completed;
    }

    private void problem(String message) {
        problemCount++;
        if (problems.size() < VerifyReport.MAX_PROBLEMS) {
            problems.add(message);
        }
    }

    private byte[] lookup(ColumnFamilyHandle family, byte[] key) {
        extraReads++;
        return view.get(family, key);
    }

    /** Scans a whole family, counting its entries as checked. */
    private void scan(ColumnFamilyHandle family, BiConsumer<byte[], byte[]> visitor) {
        view.scan(family, EMPTY, (key, value) -> {
            indexEntriesChecked++;
            visitor.accept(key, value);
            return true;
        });
    }

    private void readCounters() {
        byte[] record = view.get(store.meta, RocksStore.STATE_KEY);
        try {
            counters = record == null ? RocksEngine.State.EMPTY : RocksEngine.State.decode(record);
        } catch (RuntimeException e) {
            throw new StorageException.Corruption("the counters record (" + record.length + " bytes) does not decode: "
                    + e + "; restore from a backup", e);
        }
    }

    // ---------------------------------------------------------------- assertions and counters

    private void scanAssertions() {
        view.scan(store.assertions, EMPTY, (key, value) -> {
            assertionsChecked++;
            if (key.length != AssertionId.LENGTH) {
                problem("assertions key " + HEX.formatHex(key) + " is not a 32-byte id");
                return true;
            }
            AssertionId id = AssertionId.fromBytes(key);
            buckets[id.prefix16()] = buckets[id.prefix16()].plus(id);
            AssertionId actual = AssertionId.hashOf(value);
            if (!actual.equals(id)) {
                damaged.add(id);
                problem("assertion " + id + ": its stored bytes hash to " + actual + " (the record is damaged)");
                return true;
            }
            Assertion a;
            try {
                a = CanonicalCodec.decode(value);
            } catch (StemeException e) {
                damaged.add(id);
                problem("assertion " + id + ": " + e.getMessage());
                return true;
            }
            if (maxHlcSeen == null || a.hlc().isAfter(maxHlcSeen)) {
                maxHlcSeen = a.hlc();
            }
            expectedSources.add(Keys.sourceKey(a.source(), a.hlc(), id), EMPTY);
            byte[] factKey;
            if (a instanceof Claim) {
                claimsSeen++;
                factKey = expectedFactKey(a);
            } else {
                Retraction r = (Retraction) a;
                retractionsSeen++;
                expectedRetractions.add(Keys.retractionKey(r.target(), id), EMPTY);
                byte[] target = storedTarget(r);
                if (target == null) {
                    orphansSeen++;
                }
                factKey = retractionFactKey(r, target);
            }
            if (factKey != null) {
                expectedFacts.add(factKey, value);
            }
            return true;
        });
        assertionsScanned = true;
    }

    /**
     * The facts key of a sound assertion: a claim's under its own subject and predicate, a
     * retraction's under its target's, or null for a retraction whose target is not a sound
     * stored claim (an orphan has none until its target arrives).
     */
    private byte[] expectedFactKey(Assertion a) {
        if (a instanceof Claim) {
            Claim c = (Claim) a;
            return Keys.factKey(c.subject(), c.predicate(), Keys.KIND_CLAIM, c.hlc(), c.id());
        }
        Retraction r = (Retraction) a;
        return retractionFactKey(r, storedTarget(r));
    }

    /** The stored bytes of a retraction's target, null when it is not stored. */
    private byte[] storedTarget(Retraction r) {
        return lookup(store.assertions, r.target().toBytes());
    }

    /**
     * The facts key of a retraction given its target's stored bytes: null when the target is not
     * stored, is not a claim, or is damaged (the scan may not have reached it yet, hence the
     * re-hash; its own finding names it).
     */
    private static byte[] retractionFactKey(Retraction r, byte[] target) {
        if (target == null || target.length < 2 || target[1] != CanonicalCodec.KIND_CLAIM
                || !AssertionId.hashOf(target).equals(r.target())) {
            return null;
        }
        Claim c;
        try {
            c = (Claim) CanonicalCodec.decode(target);
        } catch (StemeException e) {
            return null;
        }
        return Keys.factKey(c.subject(), c.predicate(), Keys.KIND_RETRACTION, r.hlc(), r.id());
    }

    private void checkCounters() {
        // A damaged record's kind, target and timestamp are unknown: then only the total can be checked.
        boolean countsDiffer = damaged.isEmpty()
                ? claimsSeen != counters.claims() || retractionsSeen != counters.retractions()
                : claimsSeen + retractionsSeen + damaged.size() != counters.claims() + counters.retractions();
        if (countsDiffer) {
            problem("the counters say " + counters.claims() + " claims and " + counters.retractions()
                    + " retractions but " + claimsSeen + " and " + retractionsSeen + " are stored"
                    + (damaged.isEmpty() ? "" : ", besides " + damaged.size() + " damaged records"));
        }
        if (damaged.isEmpty() && orphansSeen != counters.orphans()) {
            problem("the counters say " + counters.orphans() + " retractions wait for their target but "
                    + orphansSeen + " do");
        }
        if (damaged.isEmpty() && !Objects.equals(maxHlcSeen, counters.maxHlc())) {
            problem("the counters say the latest timestamp is " + counters.maxHlc() + " but the latest stored is "
                    + maxHlcSeen);
        }
    }

    /** Every sound assertion, from the snapshot, in id order. */
    private void forEachSound(Consumer<Assertion> visitor) {
        view.scan(store.assertions, EMPTY, (key, value) -> {
            if (key.length == AssertionId.LENGTH && !damaged.contains(AssertionId.fromBytes(key))) {
                visitor.accept(CanonicalCodec.decodeTrusted(value));
            }
            return true;
        });
    }

    /**
     * The sound assertion an index entry names; null after reporting that it names none, or when
     * it names a damaged assertion (whose finding is the assertion's, already reported).
     */
    private Assertion named(String entry, AssertionId id) {
        if (damaged.contains(id)) {
            return null;
        }
        byte[] stored = lookup(store.assertions, id.toBytes());
        if (stored == null) {
            problem(entry + " names " + id + ", which is not stored");
            return null;
        }
        return CanonicalCodec.decodeTrusted(stored);
    }

    // ---------------------------------------------------------------- log

    private void scanLog() {
        long[] expected = {1};
        scan(store.log, (key, value) -> {
            if (key.length != 8) {
                logFindings++;
                problem("log: key " + HEX.formatHex(key) + " is not a sequence number");
                return;
            }
            long seq = Keys.sequenceOf(key);
            if (seq != expected[0]) {
                logFindings++;
                problem("log: sequence " + expected[0] + " is missing (next found: " + seq + ")");
            }
            expected[0] = seq + 1;
            if (value.length == AssertionId.LENGTH) {
                logIds = logIds.plus(AssertionId.fromBytes(value));
            } else {
                logFindings++;
                problem("log: sequence " + seq + " holds " + HEX.formatHex(value) + ", which is not an id");
            }
        });
        long last = expected[0] - 1;
        if (counters != null && last != counters.lastSequence()) {
            logFindings++;
            problem("log: the counters say the last sequence is " + counters.lastSequence() + " but the log ends at " + last);
        }
    }

    private IdDigest storedIds() {
        IdDigest sum = IdDigest.empty();
        for (IdDigest bucket : buckets) {
            sum = sum.plus(bucket);
        }
        return sum;
    }

    /**
     * The log's ids differ from the stored ones: names the entries that name no stored assertion.
     * When neither they nor the sequential pass (gaps, the last sequence) explain the difference,
     * every entry names a stored assertion, so some assertion is listed more than once or not at
     * all: this names them, from the sorted first 8 bytes of the log's ids (8 bytes of memory per
     * log entry, on this damage path only). Ids are uniform hashes, so two ids sharing 8 bytes
     * is a 2^-64 chance: repeats are confirmed on whole ids, an assertion is taken as listed when
     * its prefix is.
     */
    private void findLogProblems() {
        long before = problemCount;
        // beyond this many entries the prefixes would take more than 400 MiB of heap: say only what is known
        boolean analyse = logIds.count() <= MAX_LOG_ANALYSIS;
        long[] prefixes = new long[analyse ? (int) logIds.count() : 0];
        int[] filled = {0};
        view.scan(store.log, EMPTY, (key, value) -> {
            if (key.length == 8 && value.length == AssertionId.LENGTH) {
                if (lookup(store.assertions, value) == null) {
                    problem("log: sequence " + Keys.sequenceOf(key) + " names " + HEX.formatHex(value) + ", which is not stored");
                }
                if (filled[0] < prefixes.length) {
                    prefixes[filled[0]++] = ByteBuffer.wrap(value).getLong();
                }
            }
            return true;
        });
        if (problemCount > before || logFindings > 0) {
            return;
        }
        if (!analyse) {
            problem("log: every entry names a stored assertion, but the log's ids differ from the stored ones ("
                    + logIds.count() + " entries, " + storedIds().count() + " assertions): some assertion is listed "
                    + "twice or not at all; restore from a backup");
            return;
        }
        int n = filled[0];
        Arrays.sort(prefixes, 0, n);
        Set<Long> repeated = new HashSet<>();
        for (int i = 1; i < n; i++) {
            if (prefixes[i] == prefixes[i - 1]) {
                repeated.add(prefixes[i]);
            }
        }
        if (!repeated.isEmpty()) {
            Map<AssertionId, List<Long>> sequences = new LinkedHashMap<>();
            view.scan(store.log, EMPTY, (key, value) -> {
                if (key.length == 8 && value.length == AssertionId.LENGTH && repeated.contains(ByteBuffer.wrap(value).getLong())) {
                    sequences.computeIfAbsent(AssertionId.fromBytes(value), id -> new ArrayList<>()).add(Keys.sequenceOf(key));
                }
                return true;
            });
            sequences.forEach((id, seqs) -> {
                if (seqs.size() > 1) {
                    problem("log: sequences " + seqs + " all name " + id + ", which arrived once");
                }
            });
        }
        view.scan(store.assertions, EMPTY, (key, value) -> {
            if (key.length == AssertionId.LENGTH && Arrays.binarySearch(prefixes, 0, n, ByteBuffer.wrap(key).getLong()) < 0) {
                problem("log: assertion " + AssertionId.fromBytes(key) + " is not in the log");
            }
            return true;
        });
        if (problemCount == before) {
            problem("log: every entry names a stored assertion, but the log's ids differ from the stored ones ("
                    + logIds.count() + " entries, " + storedIds().count() + " assertions) and no entry was found wrong; "
                    + "report this as a StemeDB bug, and restore from a backup");
        }
    }

    // ---------------------------------------------------------------- facts (and what they imply for values)

    /** Adds a facts entry to the digest, and the value key of a claim new to its group to the expected values. */
    private void tallyFactsEntry(byte[] key, byte[] value) {
        facts.add(key, value);
        int subjectEnd = Keys.skipName(key, 0);
        int predicateEnd = subjectEnd < 0 ? -1 : Keys.skipName(key, subjectEnd);
        if (predicateEnd < 0 || predicateEnd >= key.length || key[predicateEnd] != Keys.KIND_CLAIM) {
            return; // a retraction implies no values entry; a malformed key fails the facts comparison
        }
        if (groupPrefix == null || !Arrays.equals(groupPrefix, 0, groupPrefix.length, key, 0, predicateEnd)) {
            groupPrefix = Arrays.copyOf(key, predicateEnd);
            if (!groupValueKeys.isEmpty()) {
                // a fresh set rather than clear(): clearing walks the whole table a large group grew
                groupValueKeys = new HashSet<>();
            }
        }
        Assertion a;
        try {
            a = CanonicalCodec.decodeTrusted(value);
        } catch (StemeException e) {
            return; // damaged bytes fail the facts comparison, and the precise pass names the entry
        }
        if (a instanceof Claim) {
            byte[] valueKey = Keys.valueKey((Claim) a);
            if (groupValueKeys.add(ByteBuffer.wrap(valueKey))) {
                expectedValues.add(valueKey, EMPTY);
            }
        }
    }

    /**
     * Names each missing and each wrong facts entry, and remembers them for the values pass: the
     * facts index is where it finds the claims of a subject and predicate.
     */
    private void findFactsProblems() {
        forEachSound(a -> {
            byte[] key = expectedFactKey(a);
            if (key != null && lookup(store.facts, key) == null) {
                problem("missing facts entry of " + describe(a) + " (key " + HEX.formatHex(key) + ")");
                if (a instanceof Claim) {
                    unindexedValueKeys.add(ByteBuffer.wrap(Keys.valueKey((Claim) a)));
                }
            }
        });
        view.scan(store.facts, EMPTY, (key, value) -> {
            if (!factsEntrySound(key, value)) {
                wrongFactsKeys.add(ByteBuffer.wrap(key));
            }
            return true;
        });
    }

    /** Checks one facts entry against the assertion it names; false when it is not that assertion's entry. */
    private boolean factsEntrySound(byte[] key, byte[] value) {
        String entry = "facts entry " + HEX.formatHex(key);
        if (key.length < AssertionId.LENGTH) {
            problem(entry + " is too short to name an assertion");
            return false;
        }
        AssertionId id = Keys.trailingId(key);
        if (damaged.contains(id)) {
            // reported as the assertion's damage; an intact copy here still accounts for its values entry
            if (AssertionId.hashOf(value).equals(id) && CanonicalCodec.decodeTrusted(value) instanceof Claim c) {
                unindexedValueKeys.add(ByteBuffer.wrap(Keys.valueKey(c)));
            }
            return false;
        }
        Assertion a = named(entry, id);
        if (a == null) {
            return false;
        }
        byte[] expected = expectedFactKey(a);
        if (expected == null && damaged.contains(((Retraction) a).target())) {
            return false; // its key depends on the damaged target, reported already
        } else if (expected == null) {
            problem(entry + " names retraction " + id + ", whose target " + ((Retraction) a).target()
                    + " is not a stored claim");
        } else if (!Arrays.equals(key, expected)) {
            problem(entry + " does not match assertion " + id + " (its key is " + HEX.formatHex(expected) + ")");
        } else if (!Arrays.equals(value, a.canonicalBytes())) {
            problem(entry + " holds other bytes than assertion " + id);
            if (a instanceof Claim) {
                unindexedValueKeys.add(ByteBuffer.wrap(Keys.valueKey((Claim) a)));
            }
        } else {
            return true;
        }
        return false;
    }

    private static String describe(Assertion a) {
        return a instanceof Claim ? "claim " + a.id()
                : "retraction " + a.id() + " under its target " + ((Retraction) a).target();
    }

    // ---------------------------------------------------------------- sources, values, retractions

    private void findSourcesProblems() {
        forEachSound(a -> {
            byte[] key = Keys.sourceKey(a.source(), a.hlc(), a.id());
            if (lookup(store.sources, key) == null) {
                problem("missing sources entry of " + a.id() + " (key " + HEX.formatHex(key) + ")");
            }
        });
        view.scan(store.sources, EMPTY, (key, value) -> {
            String entry = "sources entry " + HEX.formatHex(key);
            if (key.length < AssertionId.LENGTH) {
                problem(entry + " is too short to name an assertion");
                return true;
            }
            Assertion a = named(entry, Keys.trailingId(key));
            if (a != null) {
                byte[] expected = Keys.sourceKey(a.source(), a.hlc(), a.id());
                if (!Arrays.equals(key, expected)) {
                    problem(entry + " does not match assertion " + a.id() + " (its key is " + HEX.formatHex(expected) + ")");
                }
                emptyValue(entry, value);
            }
            return true;
        });
    }

    private void emptyValue(String entry, byte[] value) {
        if (value.length != 0) {
            problem(entry + " holds a " + value.length + "-byte value where the index holds none");
        }
    }

    private void findRetractionsProblems() {
        forEachSound(a -> {
            if (a instanceof Retraction) {
                byte[] key = Keys.retractionKey(((Retraction) a).target(), a.id());
                if (lookup(store.retractions, key) == null) {
                    problem("missing retractions entry of " + a.id() + " (key " + HEX.formatHex(key) + ")");
                }
            }
        });
        view.scan(store.retractions, EMPTY, (key, value) -> {
            String entry = "retractions entry " + HEX.formatHex(key);
            if (key.length != 2 * AssertionId.LENGTH) {
                problem(entry + " is not a target id and a retraction id");
                return true;
            }
            AssertionId target = AssertionId.fromBytes(key, 0);
            AssertionId rid = Keys.trailingId(key);
            if (damaged.contains(rid)) {
                return true;
            }
            byte[] stored = lookup(store.assertions, rid.toBytes());
            Assertion a = stored == null ? null : CanonicalCodec.decodeTrusted(stored);
            if (!(a instanceof Retraction) || !((Retraction) a).target().equals(target)) {
                problem(entry + " names no stored retraction of " + target);
            }
            emptyValue(entry, value);
            return true;
        });
    }

    /**
     * Values entries are checked against the claims' own keys both ways. The second direction
     * reads the claims of the entry's subject and predicate from the facts index once per group
     * (remembering the last {@value #VALUE_GROUPS_REMEMBERED} groups), not once per entry, so a
     * fact with many claims and values costs linear work.
     */
    private void findValuesProblems() {
        forEachSound(a -> {
            if (a instanceof Claim) {
                byte[] key = Keys.valueKey((Claim) a);
                if (lookup(store.values, key) == null) {
                    problem("missing values entry of claim " + a.id() + " (key " + HEX.formatHex(key) + ")");
                }
            }
        });
        Map<String, Set<ByteBuffer>> groups = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<ByteBuffer>> eldest) {
                return size() > VALUE_GROUPS_REMEMBERED;
            }
        };
        view.scan(store.values, EMPTY, (key, value) -> {
            String entry = "values entry " + HEX.formatHex(key);
            Integer prefixLength = Keys.valuePrefixLength(key);
            if (prefixLength == null || Keys.skipName(key, prefixLength) != key.length) {
                problem(entry + " does not parse");
                return true;
            }
            String predicate = Keys.nameAt(key, 0);
            String subject = Keys.nameAt(key, prefixLength);
            Set<ByteBuffer> valueKeys = groups.computeIfAbsent(subject + '\0' + predicate,
                    g -> claimValueKeys(subject, predicate));
            ByteBuffer valueKey = ByteBuffer.wrap(key);
            if (!valueKeys.contains(valueKey) && !unindexedValueKeys.contains(valueKey)) {
                problem(entry + " (" + subject + "." + predicate + ") matches no stored claim");
            }
            emptyValue(entry, value);
            return true;
        });
    }

    /**
     * The value keys of the claims the facts index lists for one subject and predicate, leaving
     * out the entries the facts pass found wrong (with the claims it found missing from the facts
     * index, these are the stored claims).
     */
    private Set<ByteBuffer> claimValueKeys(String subject, String predicate) {
        Set<ByteBuffer> keys = new HashSet<>();
        view.scan(store.facts, Keys.factPrefix(subject, predicate), (factKey, bytes) -> {
            extraReads++;
            if (wrongFactsKeys.contains(ByteBuffer.wrap(factKey))) {
                return true;
            }
            Assertion a = CanonicalCodec.decodeTrusted(bytes);
            if (a instanceof Claim) {
                keys.add(ByteBuffer.wrap(Keys.valueKey((Claim) a)));
            }
            return true;
        });
        return keys;
    }

    // ---------------------------------------------------------------- digests

    /** The stored bucket digests and the counters' total must match the digests of the ids actually stored. */
    private void checkDigests() {
        IdDigest[] stored = new IdDigest[Engine.BUCKETS];
        Arrays.fill(stored, IdDigest.empty());
        scan(store.digests, (key, value) -> {
            if (key.length != 2 || value.length != IdDigest.ENCODED_LENGTH) {
                problem("digests entry " + HEX.formatHex(key) + " is malformed");
            } else {
                stored[Keys.bucketOf(key)] = IdDigest.fromBytes(value);
            }
        });
        for (int b = 0; b < Engine.BUCKETS; b++) {
            if (!stored[b].equals(buckets[b])) {
                problem("digest of id bucket " + String.format("%04x", b) + " says " + stored[b].count()
                        + " ids but " + buckets[b].count() + " are stored, or their sum differs");
            }
        }
        IdDigest sum = storedIds();
        if (!sum.equals(counters.digest())) {
            problem("the digest of the whole set in the counters (" + counters.digest().count() + " ids) does not match the "
                    + sum.count() + " ids stored");
        }
    }
}
