package io.stemedb.storage;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.rocksdb.RocksDBException;

/**
 * One run of {@link RocksEngine#verify()} on storage format 2: checks every table file's block
 * checksums; that every stored record decodes, is canonical, and sits where it belongs (a claim
 * under the key of its own fact, a retraction beside the claim it names, an unplaced retraction
 * under its target); that the ids, the log and each index hold exactly the entries the records
 * imply; and that the counters, the indexer's watermarks and the bucket digests agree with them.
 *
 * <p><b>Consistency.</b> Everything is read from one RocksDB snapshot ({@link RocksStore.View}).
 * A commit writes its records, log entries and counters in one batch, and the indexer writes
 * its entries (ids among them) before or with the entries watermark that covers them, and its
 * checkpoints of the bucket digests with the digest watermark in one batch ({@link Indexer}), so
 * the snapshot is a state the database really was in: the ids and the indexes must hold the
 * entries of the records up to the entries watermark it holds, and may hold those of later records
 * (a run of the indexer taken in before its watermark is written: each is looked up), nothing
 * else; the digests are checked against the ids up to the digest watermark.
 *
 * <p><b>Cost.</b> The clean path reads each column family once, sequentially, holding one fact's
 * entries at a time and a few fixed-size tallies: scanning the records it adds the entries each
 * one implies to one {@link EntryDigest} per family, and scanning each family adds what it holds
 * to another; equal digests mean equal multisets of entries (the fingerprint of range-based set
 * reconciliation, Meyer, SRDS 2023, as in {@link IdDigest}). The values and subjects indexes are
 * sets; every claim of one subject and predicate lives in one fact, so a fact's distinct entries
 * are found with a hash set of that fact only. The one lookup of the clean path is the target of
 * each unplaced retraction (is it stored?); they are few. Only a family whose digests differ gets
 * a precise pass, which looks entries up one by one to name each wrong entry by its key, both
 * ways (each expected entry present, each present entry backed by a record); damage is rare, so
 * the slow path costs nothing on a sound database. A read that RocksDB itself finds corrupt is
 * one finding, and every comparison that needed what it stopped is skipped.
 *
 * <p>One run per instance, on one thread; {@link #extraReads()} tells afterwards how much it read
 * beyond the sequential passes.
 */
final class RocksVerifier {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] EMPTY = new byte[0];

    private RocksStore store;
    private RocksStore.View view;
    private RocksEngine.State counters;
    /** The index entries of everything up to this sequence are written, by the entries watermark of the snapshot. */
    private long watermark;
    /** From this sequence on, commits write the by-source entries of reserved sources ({@link RocksStore#RESERVED_BY_COMMITS_KEY}). */
    private long reservedFrom = Long.MAX_VALUE;
    /** The stored bucket digests are those of the ids up to this sequence, by the digest watermark of the snapshot. */
    private long digestWatermark;
    private IdDigest watermarkDigest = IdDigest.empty();
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long assertionsChecked;
    private long indexEntriesChecked;
    private long extraReads;
    /** The sequences whose records are damaged: reported once, and the entries that name them are not findings again. */
    private final Set<Long> damagedSequences = new HashSet<>();
    /** The findings about damaged records, by sequence, reported once the ids scan has told their ids. */
    private final Map<Long, String> damageFindings = new java.util.TreeMap<>();
    private final Map<Long, AssertionId> damagedIds = new HashMap<>();
    /** The facts that hold a damaged record: their index entries cannot all be explained. */
    private final Set<ByteBuffer> damagedFacts = new HashSet<>();
    /** How many facts the precise subjects and values passes remember the indexed claims of. */
    private static final int FACTS_REMEMBERED = 64;
    private final Map<ByteBuffer, List<Claim>> rememberedFacts = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, List<Claim>> eldest) {
            return size() > FACTS_REMEMBERED;
        }
    };
    /** True while a precise pass scans the records again: their damage was reported by the first scan. */
    private boolean rescanning;
    /**
     * The records after the entries watermark, by id, and whether each is a claim: their ids entries
     * may not be written yet, so an unplaced retraction's target missing from the ids family is
     * looked for here once every record is scanned ({@link #settleUnplaced}).
     */
    private final Map<AssertionId, Boolean> pastWatermark = new HashMap<>();
    /** Unplaced retractions whose target has no ids entry, to settle once every record is scanned. */
    private final List<Retraction> targetsUnseen = new ArrayList<>();

    // What the records imply, tallied while scanning them.
    private final IdDigest[] buckets = new IdDigest[Engine.BUCKETS];
    private IdDigest indexedIds = IdDigest.empty();
    private final EntryDigest expectedIds = new EntryDigest();
    private final EntryDigest expectedLog = new EntryDigest();
    private final EntryDigest expectedSources = new EntryDigest();
    private final EntryDigest expectedSubjects = new EntryDigest();
    private final EntryDigest expectedValues = new EntryDigest();
    private long claimsSeen;
    private long retractionsSeen;
    private long erasuresSeen;
    /** Log entries of erased claims: their sequence stays taken, their record is gone. */
    private long erasedLogEntries;
    private long waitingSeen;
    private Hlc maxHlcSeen;
    /** False when damage stopped a scan of the records: every tally is then partial. */
    private boolean recordsScanned;

    // What the families hold.
    private final EntryDigest ids = new EntryDigest();
    private final EntryDigest log = new EntryDigest();
    private final EntryDigest sources = new EntryDigest();
    private final EntryDigest subjects = new EntryDigest();
    private final EntryDigest values = new EntryDigest();
    private long logEntries;
    private long lastLogSequence;

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
                boolean factsRead = guarded("facts", () -> scanFacts(this::tally));
                boolean orphansRead = guarded("retractions", () -> scanOrphans(this::tally));
                boolean erasuresRead = guarded("erasures", () -> scanErasures(this::tally));
                recordsScanned = factsRead && orphansRead && erasuresRead;
                settleUnplaced();
            }
            boolean idsRead = guarded("assertions", () -> scan(Family.IDS, this::tallyIds));
            boolean logRead = guarded("log", () -> scan(Family.LOG, this::tallyLog));
            boolean sourcesRead = guarded("sources", () -> scan(Family.SOURCES, (key, value) -> {
                (key.length > 0 && key[0] == Keys.SUBJECTS_SPACE ? subjects : sources).add(key, value);
            }));
            boolean valuesRead = guarded("values", () -> scan(Family.VALUES, values::add));
            guarded("erasure marks", this::checkMarks);
            reportDamage();
            if (recordsScanned) {
                checkCounters();
                if (idsRead && !expectedIds.sameAs(ids)) {
                    precise("assertions", this::findIdsProblems);
                }
                if (logRead && !expectedLog.sameAs(log)) {
                    precise("log", this::findLogProblems);
                }
                if (sourcesRead && !expectedSources.sameAs(sources)) {
                    precise("sources", () -> findIndexProblems(Family.SOURCES, false));
                }
                if (sourcesRead && !expectedSubjects.sameAs(subjects)) {
                    precise("subjects", () -> findIndexProblems(Family.SOURCES, true));
                }
                if (valuesRead && !expectedValues.sameAs(values)) {
                    precise("values", () -> findIndexProblems(Family.VALUES, false));
                }
                guarded("digests", this::checkDigests);
            }
        }
        return new VerifyReport(assertionsChecked, indexEntriesChecked, problemCount, problems);
    }

    /** How many entries the run read beyond one sequential pass over each column family. */
    long extraReads() {
        return extraReads;
    }

    /** A read that hits damage RocksDB itself detects is a finding; returns whether {@code check} ran to its end. */
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
     * Runs the precise pass of a family. It names every wrong entry, so when the digests differ
     * it finds at least one; otherwise the mismatch itself is reported rather than lost.
     */
    private void precise(String family, Runnable pass) {
        long before = problemCount;
        if (guarded(family, pass) && problemCount == before && damagedSequences.isEmpty()) {
            problem(family + ": the family differs from what the records imply, but no single entry was found "
                    + "wrong; report this as a StemeDB bug, and restore from a backup if queries disagree");
        }
    }

    private void problem(String message) {
        problemCount++;
        if (problems.size() < VerifyReport.MAX_PROBLEMS) {
            problems.add(message);
        }
    }

    /** A finding of the record scans, which a precise pass's second scan does not repeat. */
    private void recordProblem(String message) {
        if (!rescanning) {
            problem(message);
        }
    }

    private byte[] lookup(Family family, byte[] key) {
        extraReads++;
        return view.get(store.handle(family), key);
    }

    /** Scans a whole family, counting its entries as checked. */
    private void scan(Family family, java.util.function.BiConsumer<byte[], byte[]> visitor) {
        view.scan(store.handle(family), EMPTY, (key, value) -> {
            indexEntriesChecked++;
            visitor.accept(key, value);
            return true;
        });
    }

    private void readCounters() {
        byte[] record = view.get(store.meta(), RocksStore.STATE_KEY);
        try {
            counters = record == null ? RocksEngine.State.EMPTY : RocksEngine.State.decode(record);
        } catch (RuntimeException e) {
            throw new StorageException.Corruption("the counters record (" + record.length + " bytes) does not decode: "
                    + e + "; restore from a backup", e);
        }
        byte[] mark = view.get(store.meta(), RocksStore.INDEXED_KEY);
        if (mark != null) {
            if (mark.length != 8 + IdDigest.ENCODED_LENGTH) {
                throw new StorageException.Corruption("the indexer's watermark record (" + mark.length
                        + " bytes) is damaged; restore from a backup", null);
            }
            digestWatermark = ByteBuffer.wrap(mark).getLong();
            watermarkDigest = IdDigest.fromBytes(Arrays.copyOfRange(mark, 8, mark.length));
        }
        byte[] entries = view.get(store.meta(), RocksStore.INDEXED_ENTRIES_KEY);
        if (entries != null && entries.length != 8) {
            throw new StorageException.Corruption("the indexer's entries watermark record (" + entries.length
                    + " bytes) is damaged; restore from a backup", null);
        }
        // a StemeDB that writes only the digest watermark leaves an older entries watermark behind
        watermark = entries == null ? digestWatermark : Math.max(digestWatermark, ByteBuffer.wrap(entries).getLong());
        byte[] reserved = view.get(store.meta(), RocksStore.RESERVED_BY_COMMITS_KEY);
        if (reserved != null && reserved.length != 8) {
            throw new StorageException.Corruption("the record of when commits began to index reserved sources (" + reserved.length
                    + " bytes) is damaged; restore from a backup", null);
        }
        reservedFrom = reserved == null ? Long.MAX_VALUE : ByteBuffer.wrap(reserved).getLong();
    }

    /**
     * Whether the by-source entry of the record at {@code sequence} must be there: the indexer has
     * passed it, or the commit wrote it, as commits do for reserved sources since {@link #reservedFrom}.
     */
    private boolean sourceEntryDue(long sequence, Assertion a) {
        return sequence <= watermark || (sequence >= reservedFrom && a.source().startsWith(Assertion.RESERVED_SOURCE_PREFIX));
    }

    // ---------------------------------------------------------------- records

    /** A sound stored record and where it was found. */
    private record Stored(long sequence, Assertion assertion, AssertionId id, byte[] location) {}

    /** Receives the sound records of one fact (or one unplaced retraction) at a time. */
    @FunctionalInterface
    private interface RecordGroup {
        void accept(List<Stored> records, byte[] factKey);
    }

    /**
     * Scans the facts family, checking each fact's structure (head, then its chunks 1..n) and each
     * record in it, and hands every fact's sound records to {@code group}.
     */
    private void scanFacts(RecordGroup group) {
        List<FactEntries.Entry> entries = new ArrayList<>();
        byte[][] head = new byte[1][];
        int[] chunks = new int[2];
        view.scan(store.handle(Family.FACTS), EMPTY, (key, value) -> {
            if (key.length == Keys.FACT_KEY_BYTES) {
                finishFact(head[0], chunks, entries, group);
                head[0] = key;
                chunks[0] = 0;
                chunks[1] = 0;
                parseInto(key, value, true, chunks, entries);
            } else if (key.length == Keys.FACT_KEY_BYTES + 4 && head[0] != null
                    && Arrays.equals(key, 0, Keys.FACT_KEY_BYTES, head[0], 0, Keys.FACT_KEY_BYTES)) {
                int number = ByteBuffer.wrap(key, Keys.FACT_KEY_BYTES, 4).getInt();
                chunks[1]++;
                if (number != chunks[1]) {
                    recordProblem("chunk " + number + " of fact " + HEX.formatHex(head[0]) + " is out of sequence (expected chunk "
                            + chunks[1] + ")");
                }
                parseInto(key, value, false, chunks, entries);
            } else {
                recordProblem("facts key " + HEX.formatHex(key) + " is neither a fact's head nor a chunk of the head before it");
            }
            return true;
        });
        finishFact(head[0], chunks, entries, group);
    }

    private void parseInto(byte[] key, byte[] value, boolean isHead, int[] chunks, List<FactEntries.Entry> entries) {
        String where = (isHead ? "the head " : "chunk ") + HEX.formatHex(key);
        try {
            FactEntries.Parsed parsed = FactEntries.parse(value, () -> where);
            if (isHead) {
                chunks[0] = parsed.chunks();
            } else if (parsed.chunks() != 0) {
                recordProblem(where + " holds a chunk count, which only a head may");
            }
            entries.addAll(parsed.entries());
        } catch (StorageException.Corruption e) {
            recordProblem(e.getMessage());
        }
    }

    private void finishFact(byte[] factKey, int[] chunks, List<FactEntries.Entry> entries, RecordGroup group) {
        if (factKey == null) {
            return;
        }
        if (chunks[1] != chunks[0]) {
            recordProblem("fact " + HEX.formatHex(factKey) + " has " + chunks[1] + " chunks but its head counts " + chunks[0]);
        }
        Map<Long, Stored> claimsBySequence = new HashMap<>();
        List<Stored> sound = new ArrayList<>();
        List<FactEntries.Entry> retractionEntries = new ArrayList<>();
        for (FactEntries.Entry e : entries) {
            if (e.tag() == FactEntries.RETRACTION) {
                retractionEntries.add(e);
                continue;
            }
            Stored s = decodeEntry(e, factKey, Keys.AT_FACT_CLAIM);
            if (s == null) {
                continue;
            }
            if (!(s.assertion() instanceof Claim c)) {
                recordProblem("the claim entry with sequence " + e.sequence() + " of fact " + HEX.formatHex(factKey)
                        + " holds a retraction (" + s.id() + ")");
                continue;
            }
            if (!Arrays.equals(Keys.factKey(c.subject(), c.predicate()), factKey)) {
                recordProblem("claim " + s.id() + " (" + c.subject() + "." + c.predicate() + ") is stored under fact key "
                        + HEX.formatHex(factKey) + ", which is not its own");
                continue;
            }
            claimsBySequence.put(e.sequence(), s);
            sound.add(s);
        }
        for (FactEntries.Entry e : retractionEntries) {
            Stored s = decodeEntry(e, factKey, Keys.AT_FACT_RETRACTION);
            if (s == null) {
                continue;
            }
            Stored target = claimsBySequence.get(e.targetSequence());
            if (!(s.assertion() instanceof Retraction r)) {
                recordProblem("the retraction entry with sequence " + e.sequence() + " of fact " + HEX.formatHex(factKey)
                        + " holds a claim (" + s.id() + ")");
            } else if (target == null && isErased(r.target())) {
                sound.add(s);
            } else if (target == null || !target.id().equals(r.target())) {
                recordProblem("retraction " + s.id() + " in fact " + HEX.formatHex(factKey) + " names the claim with sequence "
                        + e.targetSequence() + ", which is not its target " + r.target());
            } else {
                sound.add(s);
            }
        }
        entries.clear();
        group.accept(sound, factKey);
    }

    /** Whether {@code id} carries an erasure mark: a claim whose content an erasure deleted. */
    private boolean isErased(AssertionId id) {
        return lookup(Family.META, RocksErasures.markKey(id)) != null;
    }

    /**
     * Scans the erasure records (meta family, {@link RocksErasures#RECORD} keys), handing each
     * sound one to {@code group} on its own.
     */
    private void scanErasures(RecordGroup group) {
        view.scan(store.meta(), new byte[] {RocksErasures.RECORD}, (key, value) -> {
            if (!rescanning) {
                assertionsChecked++;
            }
            long sequence = key.length == 9 ? Keys.trailingSequence(key) : -1;
            byte[] location = {Keys.AT_ERASURE};
            try {
                Assertion a = CanonicalCodec.decode(value);
                if (sequence < 0 || !(a instanceof Erasure)) {
                    recordProblem("erasure record " + HEX.formatHex(key) + " is not a sequence number and an erasure");
                    return true;
                }
                group.accept(List.of(new Stored(sequence, a, AssertionId.hashOf(value), location)), null);
            } catch (StemeException e) {
                if (!rescanning && sequence >= 0) {
                    damaged(sequence, location, "among the erasures is damaged: " + e.getMessage());
                }
            }
            return true;
        });
    }

    /**
     * Every erasure mark names a stored erasure, is paired with its fact's entry, and marks an id
     * that is not stored: an erased claim's content is nowhere.
     */
    private void checkMarks() {
        Set<AssertionId> erasureIds = new HashSet<>();
        view.scan(store.meta(), new byte[] {RocksErasures.RECORD}, (key, value) -> {
            erasureIds.add(AssertionId.hashOf(value));
            return true;
        });
        view.scan(store.meta(), new byte[] {RocksErasures.MARK}, (key, value) -> {
            indexEntriesChecked++;
            if (key.length != 1 + AssertionId.LENGTH || value.length != AssertionId.LENGTH + Keys.FACT_KEY_BYTES) {
                problem("erasure mark " + HEX.formatHex(key) + " is malformed");
                return true;
            }
            AssertionId id = AssertionId.fromBytes(key, 1);
            AssertionId by = AssertionId.fromBytes(value, 0);
            if (!erasureIds.contains(by)) {
                problem("the erasure mark of " + id + " names erasure " + by + ", which is not stored");
            }
            if (lookup(Family.IDS, id.toBytes()) != null) {
                problem("claim " + id + " is marked erased but is stored");
            }
            byte[] factKey = Arrays.copyOfRange(value, AssertionId.LENGTH, value.length);
            if (lookup(Family.META, RocksErasures.factMarkKey(factKey, id)) == null) {
                problem("the erasure mark of " + id + " has no entry under its fact " + HEX.formatHex(factKey));
            }
            return true;
        });
    }

    /** Decodes an entry's record strictly and hashes it; null (reported) when it is damaged. */
    private Stored decodeEntry(FactEntries.Entry e, byte[] factKey, byte kind) {
        if (!rescanning) {
            assertionsChecked++;
        }
        byte[] record = e.record();
        try {
            Assertion a = CanonicalCodec.decode(record);
            return new Stored(e.sequence(), a, AssertionId.hashOf(record), Keys.location(kind, factKey));
        } catch (StemeException ex) {
            if (!rescanning) {
                damaged(e.sequence(), Keys.location(kind, factKey), "in fact " + HEX.formatHex(factKey) + " is damaged: "
                        + ex.getMessage());
                damagedFacts.add(ByteBuffer.wrap(factKey));
            }
            return null;
        }
    }

    /** Scans the unplaced retractions, handing each sound one to {@code group} on its own. */
    private void scanOrphans(RecordGroup group) {
        view.scan(store.handle(Family.ORPHANS), EMPTY, (key, value) -> {
            if (!rescanning) {
                assertionsChecked++;
            }
            String entry = "retractions entry " + HEX.formatHex(key);
            if (key.length != AssertionId.LENGTH + 8) {
                recordProblem(entry + " is not a target id and a sequence number");
                return true;
            }
            AssertionId target = AssertionId.fromBytes(key, 0);
            long sequence = Keys.trailingSequence(key);
            try {
                Assertion a = CanonicalCodec.decode(value);
                if (!(a instanceof Retraction r) || !r.target().equals(target)) {
                    recordProblem(entry + " holds an assertion that is not a retraction of " + target);
                    return true;
                }
                group.accept(List.of(new Stored(sequence, a, AssertionId.hashOf(value),
                        Keys.location(Keys.AT_ORPHAN, target.toBytes()))), null);
            } catch (StemeException e) {
                if (!rescanning) {
                    damaged(sequence, Keys.location(Keys.AT_ORPHAN, target.toBytes()), "in " + entry + " is damaged: "
                            + e.getMessage());
                }
            }
            return true;
        });
    }

    /**
     * A record that does not decode: its kind, source and timestamp are unknown, but where it
     * lives is known, so its log entry is still expected, and its ids entry (found by the ids
     * scan) is trusted for its id.
     */
    private void damaged(long sequence, byte[] location, String finding) {
        damagedSequences.add(sequence);
        damageFindings.put(sequence, finding);
        expectedLog.add(Keys.sequenceKey(sequence), location);
    }

    /** Reports each damaged record, naming the assertion by the id its ids entry gives when there is one. */
    private void reportDamage() {
        damageFindings.forEach((sequence, finding) -> {
            AssertionId id = damagedIds.get(sequence);
            problem((id == null ? "the record" : "assertion " + id + ", the record") + " with sequence " + sequence + " "
                    + finding);
        });
    }

    /** An ids entry; one naming a damaged record's sequence stands for that record's id. */
    private void tallyIds(byte[] key, byte[] value) {
        ids.add(key, value);
        if (damagedSequences.isEmpty() || key.length != AssertionId.LENGTH) {
            return;
        }
        long sequence = Keys.sequenceOfValue(value);
        if (damagedSequences.contains(sequence)) {
            damagedIds.put(sequence, AssertionId.fromBytes(key));
            expectedIds.add(key, value);
            if (sequence <= digestWatermark) {
                AssertionId id = AssertionId.fromBytes(key);
                indexedIds = indexedIds.plus(id);
                buckets[id.prefix16()] = buckets[id.prefix16()].plus(id);
            }
        }
    }

    /** Adds what the sound records of one fact, or one unplaced retraction, imply. */
    private void tally(List<Stored> records, byte[] factKey) {
        Set<ByteBuffer> factSubjects = new HashSet<>();
        Set<ByteBuffer> factValues = new HashSet<>();
        for (Stored s : records) {
            Assertion a = s.assertion();
            if (s.sequence() <= watermark) {
                expectedIds.add(s.id().toBytes(), Keys.sequenceValue(s.sequence()));
            } else {
                pastWatermark.put(s.id(), a instanceof Claim);
                if (lookup(Family.IDS, s.id().toBytes()) != null) {
                    expectedIds.add(s.id().toBytes(), Keys.sequenceValue(s.sequence()));
                }
            }
            expectedLog.add(Keys.sequenceKey(s.sequence()), s.location());
            if (maxHlcSeen == null || a.hlc().isAfter(maxHlcSeen)) {
                maxHlcSeen = a.hlc();
            }
            if (a instanceof Claim) {
                claimsSeen++;
            } else if (a instanceof Retraction r) {
                retractionsSeen++;
                if (factKey == null && isWaiting(r)) {
                    waitingSeen++;
                }
            } else {
                erasuresSeen++;
            }
            if (s.sequence() <= digestWatermark) {
                indexedIds = indexedIds.plus(s.id());
                buckets[s.id().prefix16()] = buckets[s.id().prefix16()].plus(s.id());
            }
            byte[] sourceKey = Keys.sourceKey(a.source(), a.hlc(), s.sequence());
            if (sourceEntryDue(s.sequence(), a) || lookup(Family.SOURCES, sourceKey) != null) {
                expectedSources.add(sourceKey, EMPTY);
            }
            if (a instanceof Claim c) {
                ByteBuffer subjectKey = ByteBuffer.wrap(Keys.subjectKey(c.subject(), c.predicate()));
                ByteBuffer valueKey = ByteBuffer.wrap(Keys.valueKey(c));
                boolean due = s.sequence() <= watermark;
                if (due || !factSubjects.contains(subjectKey) && lookup(Family.SOURCES, subjectKey.array()) != null) {
                    factSubjects.add(subjectKey);
                }
                if (due || !factValues.contains(valueKey) && lookup(Family.VALUES, valueKey.array()) != null) {
                    factValues.add(valueKey);
                }
            }
        }
        factSubjects.forEach(k -> expectedSubjects.add(k.array(), EMPTY));
        factValues.forEach(k -> expectedValues.add(k.array(), EMPTY));
    }

    /**
     * Whether an unplaced retraction waits for its target: its target is not stored. A stored
     * target must be a retraction (one cannot retract a retraction); a stored claim means the
     * retraction should have been placed in that claim's fact. A target with no ids entry may be
     * a record past the entries watermark: settled once every record is scanned.
     */
    private boolean isWaiting(Retraction r) {
        byte[] seq = lookup(Family.IDS, r.target().toBytes());
        if (seq == null) {
            targetsUnseen.add(r);
            return false;
        }
        byte[] where = lookup(Family.LOG, Keys.sequenceKey(Keys.sequenceOfValue(seq)));
        if (where != null && where[0] == Keys.AT_FACT_CLAIM) {
            misplaced(r);
        }
        return false;
    }

    /** Counts the unplaced retractions whose target is not stored, of those {@link #isWaiting} could not tell. */
    private void settleUnplaced() {
        for (Retraction r : targetsUnseen) {
            Boolean claim = pastWatermark.get(r.target());
            if (claim == null) {
                waitingSeen++;
            } else if (claim) {
                misplaced(r);
            }
        }
    }

    private void misplaced(Retraction r) {
        problem("retraction " + r.id() + " waits among the orphans although its target claim " + r.target()
                + " is stored; it should be in that claim's fact");
    }

    private void tallyLog(byte[] key, byte[] value) {
        log.add(key, value);
        logEntries++;
        if (value.length == 1 && value[0] == Keys.AT_ERASED) {
            // an erased claim's entry: nothing stored implies it, and it implies nothing
            expectedLog.add(key, value);
            erasedLogEntries++;
        }
        if (key.length == 8) {
            lastLogSequence = Math.max(lastLogSequence, Keys.sequenceOf(key));
        }
    }

    private void checkCounters() {
        long damagedCount = damagedSequences.size();
        boolean kindsAgree = damagedCount == 0
                ? claimsSeen == counters.claims() && retractionsSeen == counters.retractions()
                // a damaged record's kind is unknown: only the total, and the bounds, can be checked
                : claimsSeen + retractionsSeen + damagedCount == counters.claims() + counters.retractions()
                        && claimsSeen <= counters.claims() && counters.claims() <= claimsSeen + damagedCount;
        if (!kindsAgree) {
            problem("the counters say " + counters.claims() + " claims and " + counters.retractions() + " retractions, but "
                    + claimsSeen + " and " + retractionsSeen + " are stored"
                    + (damagedCount == 0 ? "" : " beside " + damagedCount + " damaged records"));
        }
        if (damagedCount > 0) {
            // what waits, and the newest timestamp, may be in a damaged record
        } else if (waitingSeen != counters.orphans()) {
            problem("the counters say " + counters.orphans() + " retractions wait for their target, but " + waitingSeen
                    + " do");
        }
        if (logEntries != counters.lastSequence() || lastLogSequence != counters.lastSequence()) {
            problem("the log holds " + logEntries + " entries up to sequence " + lastLogSequence
                    + " but the counters' last sequence is " + counters.lastSequence());
        }
        long numbered = claimsSeen + retractionsSeen + erasuresSeen + erasedLogEntries + damagedCount;
        if (numbered != counters.lastSequence()) {
            problem(numbered + " records are stored or erased but the counters' last sequence is " + counters.lastSequence());
        }
        if (damagedCount == 0 && !newestAgrees()) {
            problem("the counters' newest timestamp is " + counters.maxHlc() + " but the newest stored is " + maxHlcSeen);
        }
        if (watermark > counters.lastSequence()) {
            problem("the indexer's watermark " + watermark + " is past the last sequence " + counters.lastSequence());
        }
    }

    /**
     * The counters' newest timestamp is the newest stored record's, or, once claims were erased,
     * at least that: the counters keep the newest timestamp ever stored, so that the clock never
     * steps back behind a claim this replica has seen, and an erased claim may have been the newest.
     */
    private boolean newestAgrees() {
        if (erasedLogEntries == 0 || maxHlcSeen == null || counters.maxHlc() == null) {
            return java.util.Objects.equals(maxHlcSeen, counters.maxHlc());
        }
        return !maxHlcSeen.isAfter(counters.maxHlc());
    }

    // ---------------------------------------------------------------- precise passes

    /** Every sound record once more, for the precise passes. */
    private void forEachRecord(java.util.function.Consumer<Stored> visitor) {
        RecordGroup each = (records, factKey) -> records.forEach(visitor);
        rescanning = true;
        try {
            scanFacts(each);
            scanOrphans(each);
            scanErasures(each);
        } finally {
            rescanning = false;
        }
    }

    private void findIdsProblems() {
        forEachRecord(s -> {
            byte[] stored = lookup(Family.IDS, s.id().toBytes());
            if (stored == null && s.sequence() <= watermark) {
                problem("missing assertions entry of " + s.id() + " (sequence " + s.sequence() + ")");
            } else if (stored != null && !Arrays.equals(stored, Keys.sequenceValue(s.sequence()))) {
                problem("the assertions entry of " + s.id() + " holds another sequence than " + s.sequence());
            }
        });
        view.scan(store.handle(Family.IDS), EMPTY, (key, value) -> {
            String entry = "assertions entry " + HEX.formatHex(key);
            if (key.length != AssertionId.LENGTH) {
                problem(entry + " is not a 32-byte id");
                return true;
            }
            long sequence = Keys.sequenceOfValue(value);
            if (damagedSequences.contains(sequence)) {
                return true;
            }
            Stored s = recordAt(sequence);
            if (s == null || !s.id().equals(AssertionId.fromBytes(key))) {
                problem(entry + " names a sequence whose record is not that assertion");
            }
            return true;
        });
    }

    private void findLogProblems() {
        forEachRecord(s -> {
            byte[] stored = lookup(Family.LOG, Keys.sequenceKey(s.sequence()));
            if (stored == null) {
                problem("missing log entry of sequence " + s.sequence() + " (" + s.id() + ")");
            } else if (!Arrays.equals(stored, s.location())) {
                problem("the log entry of sequence " + s.sequence() + " (" + s.id() + ") points elsewhere than its record");
            }
        });
        view.scan(store.handle(Family.LOG), EMPTY, (key, value) -> {
            String entry = "log entry " + HEX.formatHex(key);
            if (key.length != 8) {
                problem(entry + " is not an 8-byte sequence");
            } else if (!damagedSequences.contains(Keys.sequenceOf(key)) && !(value.length == 1 && value[0] == Keys.AT_ERASED)
                    && recordAt(Keys.sequenceOf(key)) == null) {
                problem(entry + " names no stored record");
            }
            return true;
        });
    }

    /**
     * The by-source, subjects or values entries: each one the records up to the watermark imply
     * is looked up, and each one present must be implied by such a record.
     */
    private void findIndexProblems(Family family, boolean subjectsSpace) {
        String name = subjectsSpace ? "subjects" : family.familyName();
        forEachRecord(s -> {
            boolean bySource = family == Family.SOURCES && !subjectsSpace;
            if (bySource ? !sourceEntryDue(s.sequence(), s.assertion()) : s.sequence() > watermark) {
                return;
            }
            for (byte[] key : implied(s, family, subjectsSpace)) {
                if (lookup(family, key) == null) {
                    problem("missing " + name + " entry of " + s.id() + " (key " + HEX.formatHex(key) + ")");
                }
            }
        });
        BiFunction<byte[], byte[], String> check = family == Family.VALUES ? this::checkValuesEntry
                : subjectsSpace ? this::checkSubjectsEntry : this::checkSourcesEntry;
        view.scan(store.handle(family), EMPTY, (key, value) -> {
            boolean inSubjects = key.length > 0 && key[0] == Keys.SUBJECTS_SPACE;
            if (family == Family.SOURCES && inSubjects != subjectsSpace) {
                return true;
            }
            String wrong = value.length != 0 ? "holds a value where the index holds none" : check.apply(key, value);
            if (wrong != null) {
                problem(name + " entry " + HEX.formatHex(key) + " " + wrong);
            }
            return true;
        });
    }

    private static List<byte[]> implied(Stored s, Family family, boolean subjectsSpace) {
        Assertion a = s.assertion();
        if (family == Family.SOURCES && !subjectsSpace) {
            return List.of(Keys.sourceKey(a.source(), a.hlc(), s.sequence()));
        }
        if (!(a instanceof Claim c)) {
            return List.of();
        }
        return List.of(subjectsSpace ? Keys.subjectKey(c.subject(), c.predicate()) : Keys.valueKey(c));
    }

    private String checkSourcesEntry(byte[] key, byte[] value) {
        int end = Keys.skipName(key, 0);
        if (end < 0 || key.length != end + 28) {
            return "does not parse";
        }
        long sequence = Keys.trailingSequence(key);
        if (damagedSequences.contains(sequence)) {
            return null;
        }
        Stored s = recordAt(sequence);
        if (s == null || !Arrays.equals(key, Keys.sourceKey(s.assertion().source(), s.assertion().hlc(), sequence))) {
            return "matches no stored record";
        }
        return null;
    }

    private String checkSubjectsEntry(byte[] key, byte[] value) {
        int subjectEnd = Keys.skipName(key, 1);
        if (subjectEnd < 0 || Keys.skipName(key, subjectEnd) != key.length) {
            return "does not parse";
        }
        String subject = Keys.nameAt(key, 1);
        String predicate = Keys.nameAt(key, subjectEnd);
        List<Claim> claimsOfFact = storedClaimsOf(subject, predicate);
        return claimsOfFact != null && claimsOfFact.isEmpty() ? "(" + subject + "." + predicate + ") matches no stored claim"
                : null;
    }

    private String checkValuesEntry(byte[] key, byte[] value) {
        Integer prefixLength = Keys.valuePrefixLength(key);
        if (prefixLength == null || Keys.skipName(key, prefixLength) != key.length) {
            return "does not parse";
        }
        String predicate = Keys.nameAt(key, 0);
        String subject = Keys.nameAt(key, prefixLength);
        List<Claim> claimsOfFact = storedClaimsOf(subject, predicate);
        if (claimsOfFact == null) {
            return null;
        }
        for (Claim c : claimsOfFact) {
            if (Arrays.equals(Keys.valueKey(c), key)) {
                return null;
            }
        }
        return "(" + subject + "." + predicate + ") matches no stored claim";
    }

    /**
     * The sound claims of (subject, predicate), read from the snapshot (an index entry may run
     * ahead of the entries watermark, never behind it), or
     * null when its fact holds a damaged record (whose entries cannot be told apart). The last
     * {@value #FACTS_REMEMBERED} facts read are remembered, so that the entries of one fact cost
     * one read of it, however many they are.
     */
    private List<Claim> storedClaimsOf(String subject, String predicate) {
        ByteBuffer factKey = ByteBuffer.wrap(Keys.factKey(subject, predicate));
        if (damagedFacts.contains(factKey)) {
            return null;
        }
        List<Claim> claimsOfFact = rememberedFacts.computeIfAbsent(factKey, k -> storedClaimsOfFact(k.array()));
        List<Claim> found = new ArrayList<>();
        for (Claim c : claimsOfFact) {
            if (c.subject().equals(subject) && c.predicate().equals(predicate)) {
                found.add(c);
            }
        }
        return found;
    }

    private List<Claim> storedClaimsOfFact(byte[] factKey) {
        List<Claim> found = new ArrayList<>();
        for (Stored s : factRecords(factKey)) {
            if (s.assertion() instanceof Claim c) {
                found.add(c);
            }
        }
        return found;
    }

    /** The record with sequence {@code sequence}, found through the log; null when it is not there or damaged. */
    private Stored recordAt(long sequence) {
        byte[] where = lookup(Family.LOG, Keys.sequenceKey(sequence));
        if (where == null || where.length < 1) {
            return null;
        }
        if (where[0] == Keys.AT_ERASURE && where.length == 1) {
            byte[] record = lookup(Family.META, RocksErasures.recordKey(sequence));
            return record == null ? null : decodeQuietly(sequence, record, where);
        }
        if (where[0] == Keys.AT_ORPHAN && where.length == 1 + AssertionId.LENGTH) {
            AssertionId target = AssertionId.fromBytes(where, 1);
            byte[] record = lookup(Family.ORPHANS, Keys.orphanKey(target, sequence));
            return record == null ? null : decodeQuietly(sequence, record, where);
        }
        if (where.length != 1 + Keys.FACT_KEY_BYTES) {
            return null;
        }
        for (Stored s : factRecords(Arrays.copyOfRange(where, 1, where.length))) {
            if (s.sequence() == sequence) {
                return s;
            }
        }
        return null;
    }

    /** Every decodable record stored under {@code factKey} (head and chunks), read from the snapshot. */
    private List<Stored> factRecords(byte[] factKey) {
        List<Stored> found = new ArrayList<>();
        byte[] head = lookup(Family.FACTS, factKey);
        if (head == null) {
            return found;
        }
        try {
            FactEntries.Parsed parsed = FactEntries.parse(head, () -> "the head " + HEX.formatHex(factKey));
            List<FactEntries.Entry> entries = new ArrayList<>(parsed.entries());
            for (int c = 1; c <= parsed.chunks(); c++) {
                byte[] chunk = lookup(Family.FACTS, Keys.chunkKey(factKey, c));
                if (chunk != null) {
                    int number = c;
                    entries.addAll(FactEntries.parse(chunk, () -> "chunk " + number).entries());
                }
            }
            for (FactEntries.Entry e : entries) {
                byte kind = e.tag() == FactEntries.CLAIM ? Keys.AT_FACT_CLAIM : Keys.AT_FACT_RETRACTION;
                Stored s = decodeQuietly(e.sequence(), e.record(), Keys.location(kind, factKey));
                if (s != null) {
                    found.add(s);
                }
            }
        } catch (StorageException.Corruption e) {
            // already reported by the facts scan
        }
        return found;
    }

    private static Stored decodeQuietly(long sequence, byte[] record, byte[] location) {
        try {
            return new Stored(sequence, CanonicalCodec.decode(record), AssertionId.hashOf(record), location);
        } catch (StemeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- digests

    /** The stored bucket digests and the digest watermark's total must match the digests of the ids up to it. */
    private void checkDigests() {
        IdDigest[] stored = new IdDigest[Engine.BUCKETS];
        Arrays.fill(stored, IdDigest.empty());
        scan(Family.DIGESTS, (key, value) -> {
            if (key.length != 2 || value.length != IdDigest.ENCODED_LENGTH) {
                problem("digests entry " + HEX.formatHex(key) + " is malformed");
            } else {
                stored[Keys.bucketOf(key)] = IdDigest.fromBytes(value);
            }
        });
        for (int b = 0; b < Engine.BUCKETS; b++) {
            if (!stored[b].equals(buckets[b])) {
                problem("digest of id bucket " + String.format("%04x", b) + " says " + stored[b].count()
                        + " ids but " + buckets[b].count() + " are indexed, or their sum differs");
            }
        }
        if (!indexedIds.equals(watermarkDigest)) {
            problem("the digest of every indexed id in the watermark record (" + watermarkDigest.count()
                    + " ids) does not match the " + indexedIds.count() + " ids indexed");
        }
    }
}
