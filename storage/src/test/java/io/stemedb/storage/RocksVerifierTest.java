package io.stemedb.storage;

import static io.stemedb.storage.RocksFaultTest.claim;
import static io.stemedb.storage.RocksFaultTest.claims;
import static io.stemedb.storage.RocksFaultTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * What {@link RocksVerifier} reports on storage format 2: a finding naming the key and the id or
 * sequence for a damaged entry of each column family and for each way a fact's value can be
 * wrong, linear work on a fact with thousands of claims, a clean path without point lookups but
 * for unplaced retractions, and no false findings while commits run.
 */
class RocksVerifierTest {
    private static final long BASE_MS = 1_700_000_000_000L;
    private static final long NODE = 0x42L;
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path tmp;

    private Path dir;
    private List<Assertion> claims;
    private Retraction retraction;
    private Retraction orphan;

    /** 20 claims (sequences 1-20), a retraction of claim 3 (21) and of a claim that is not stored (22). */
    @BeforeEach
    void write() {
        dir = tmp.resolve("db");
        claims = claims(0, 20);
        retraction = Retraction.of(claims.get(3).id(), "ops", Hlc.of(BASE_MS + 100, 0, NODE), null);
        orphan = Retraction.of(claim(500).id(), "ops", Hlc.of(BASE_MS + 101, 0, NODE), null);
        List<Assertion> all = new ArrayList<>(claims);
        all.add(retraction);
        all.add(orphan);
        try (RocksEngine engine = open(dir)) {
            engine.commit(all);
            VerifyReport report = engine.verify();
            assertTrue(report.ok(), report.problems().toString());
        }
    }

    @FunctionalInterface
    interface Damage {
        void apply(RocksFaultTest.RawDb raw) throws RocksDBException;
    }

    /** Damages the closed database, verifies it, and checks that a finding says what {@code expected} wants. */
    private VerifyReport assertFound(Damage damage, Predicate<String> expected, String what) throws RocksDBException {
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir)) {
            damage.apply(raw);
        }
        try (RocksEngine engine = open(dir)) {
            VerifyReport report = engine.verify();
            assertTrue(report.problems().stream().anyMatch(expected), what + ": " + report.problems());
            return report;
        }
    }

    private void assertOneProblem(Damage damage, Predicate<String> expected, String what) throws RocksDBException {
        VerifyReport report = assertFound(damage, expected, what);
        assertEquals(1, report.problemCount(), "one damage, one finding: " + report.problems());
    }

    private static Predicate<String> mentions(String... parts) {
        return p -> List.of(parts).stream().allMatch(p::contains);
    }

    private Claim claimAt(int i) {
        return (Claim) claims.get(i);
    }

    private static byte[] factKey(Claim c) {
        return Keys.factKey(c.subject(), c.predicate());
    }

    /** The head of {@code c}'s fact with every byte of {@code c}'s record replaced by {@code with}'s. */
    private static byte[] headWith(RocksFaultTest.RawDb raw, Claim c, byte[] with) throws RocksDBException {
        byte[] head = raw.db.get(raw.family("facts"), factKey(c));
        return RocksFaultTest.replace(head, c.canonicalBytes(), with);
    }

    // ---------------------------------------------------------------- facts

    /** A record that no longer decodes is one finding: the entries naming its sequence add none. */
    @Test
    void anUndecodableRecordIsOneFindingNamingItsSequenceAndFact() throws Exception {
        Claim victim = claimAt(5);
        byte[] broken = victim.canonicalBytes();
        broken[1] = 0x09; // an unknown kind
        assertOneProblem(raw -> raw.db.put(raw.family("facts"), factKey(victim), headWith(raw, victim, broken)),
                mentions("the record with sequence 6", HEX.formatHex(factKey(victim)), "is damaged"), "names sequence and fact");
    }

    @Test
    void aClaimUnderAnotherFactsKeyIsNamed() throws Exception {
        Claim victim = claimAt(5);
        byte[] stray = Keys.factKey("elsewhere", "p");
        byte[] value = FactEntries.claim(new ByteSink(), 6, victim.canonicalBytes()).toByteArray();
        assertFound(raw -> raw.db.put(raw.family("facts"), stray, value),
                mentions("claim " + victim.id(), HEX.formatHex(stray), "which is not its own"), "names the claim and the key");
    }

    @Test
    void aRetractionNamingAnotherClaimIsNamed() throws Exception {
        Claim target = claimAt(3);
        byte[] key = factKey(target);
        assertFound(raw -> {
            byte[] head = raw.db.get(raw.family("facts"), key);
            FactEntries.Parsed parsed = FactEntries.parse(head, () -> "test");
            ByteSink rewritten = new ByteSink();
            for (FactEntries.Entry e : parsed.entries()) {
                if (e.tag() == FactEntries.RETRACTION) {
                    FactEntries.retraction(rewritten, e.sequence(), e.targetSequence() + 7, e.record());
                } else {
                    FactEntries.copy(rewritten, e);
                }
            }
            raw.db.put(raw.family("facts"), key, rewritten.toByteArray());
        }, mentions("retraction " + retraction.id(), "which is not its target " + target.id()), "names the retraction and target");
    }

    @Test
    void aMissingChunkIsNamed() throws Exception {
        Path big = tmp.resolve("sealed");
        List<Assertion> many = new ArrayList<>();
        for (int i = 0; i < 3 * RocksEngine.SEAL_AFTER; i++) {
            many.add(Claim.builder("hot", "fact", Value.integer(i)).source("src").hlc(Hlc.of(BASE_MS + i, 0, NODE)).build());
        }
        try (RocksEngine engine = open(big)) {
            for (Assertion a : many) {
                engine.commit(List.of(a));
            }
            assertTrue(engine.verify().ok());
        }
        dir = big;
        byte[] chunk = Keys.chunkKey(Keys.factKey("hot", "fact"), 2);
        assertFound(raw -> {
            assertNotNull(raw.db.get(raw.family("facts"), chunk), "a fact appended to " + many.size() + " times has chunks");
            raw.db.delete(raw.family("facts"), chunk);
        }, mentions("fact " + HEX.formatHex(Keys.factKey("hot", "fact")), "chunks but its head counts"), "names the fact");
    }

    // ---------------------------------------------------------------- ids and log

    @Test
    void aMissingIdsEntryIsNamed() throws Exception {
        Claim victim = claimAt(8);
        assertOneProblem(raw -> raw.db.delete(raw.family("assertions"), victim.id().toBytes()),
                mentions("missing assertions entry of " + victim.id(), "sequence 9"), "names id and sequence");
    }

    @Test
    void anIdsEntryWithAnotherSequenceIsNamed() throws Exception {
        Claim victim = claimAt(8);
        assertFound(raw -> raw.db.put(raw.family("assertions"), victim.id().toBytes(), Keys.sequenceValue(2)),
                mentions("the assertions entry of " + victim.id(), "another sequence than 9"), "names id and sequence");
    }

    @Test
    void aMissingLogEntryIsNamed() throws Exception {
        assertFound(raw -> raw.db.delete(raw.family("log"), Keys.sequenceKey(5)),
                mentions("missing log entry of sequence 5", claimAt(4).id().toString()), "names the sequence and id");
    }

    @Test
    void aLogEntryPointingElsewhereIsNamed() throws Exception {
        byte[] elsewhere = Keys.location(Keys.AT_FACT_CLAIM, factKey(claimAt(6)));
        assertFound(raw -> raw.db.put(raw.family("log"), Keys.sequenceKey(5), elsewhere),
                mentions("log entry " + HEX.formatHex(Keys.sequenceKey(5)), "names no stored record"), "names the sequence");
    }

    // ---------------------------------------------------------------- orphans

    @Test
    void anOrphanWhoseTargetIsStoredIsNamed() throws Exception {
        Claim target = claimAt(9);
        Retraction stray = Retraction.of(target.id(), "ops", Hlc.of(BASE_MS + 300, 0, NODE), null);
        assertFound(raw -> raw.db.put(raw.family("retractions"), Keys.orphanKey(target.id(), 22), stray.canonicalBytes()),
                mentions("retraction " + stray.id(), "waits among the orphans although its target claim " + target.id()),
                "names the retraction and its target");
    }

    @Test
    void aMissingOrphanIsFoundThroughTheLogAndIds() throws Exception {
        VerifyReport report = assertFound(raw -> raw.db.delete(raw.family("retractions"), Keys.orphanKey(orphan.target(), 22)),
                mentions("log entry " + HEX.formatHex(Keys.sequenceKey(22)), "names no stored record"), "names the sequence");
        assertTrue(report.problems().stream().anyMatch(mentions("the counters say 1 retractions wait")), report.problems().toString());
    }

    // ---------------------------------------------------------------- indexes

    @Test
    void aMissingSourcesEntryIsNamed() throws Exception {
        Claim victim = claimAt(11);
        byte[] key = Keys.sourceKey(victim.source(), victim.hlc(), 12);
        assertOneProblem(raw -> raw.db.delete(raw.family("sources"), key),
                mentions("missing sources entry of " + victim.id(), HEX.formatHex(key)), "names id and key");
    }

    @Test
    void aSourcesEntryUnderTheWrongSourceIsNamed() throws Exception {
        Claim victim = claimAt(11);
        byte[] stray = Keys.sourceKey("someone else", victim.hlc(), 12);
        assertOneProblem(raw -> raw.db.put(raw.family("sources"), stray, new byte[0]),
                mentions("sources entry " + HEX.formatHex(stray), "matches no stored record"), "names the key");
    }

    @Test
    void aMissingSubjectsEntryIsNamed() throws Exception {
        Claim victim = claimAt(13);
        byte[] key = Keys.subjectKey(victim.subject(), victim.predicate());
        assertFound(raw -> raw.db.delete(raw.family("sources"), key),
                mentions("missing subjects entry of", HEX.formatHex(key)), "names the key");
    }

    @Test
    void aSubjectsEntryOfNoClaimIsNamed() throws Exception {
        byte[] key = Keys.subjectKey("nobody", "nothing");
        assertOneProblem(raw -> raw.db.put(raw.family("sources"), key, new byte[0]),
                mentions("subjects entry " + HEX.formatHex(key), "(nobody.nothing) matches no stored claim"), "names the key");
    }

    @Test
    void aMissingValuesEntryIsNamed() throws Exception {
        Claim victim = claimAt(12);
        byte[] key = Keys.valueKey(victim);
        assertOneProblem(raw -> raw.db.delete(raw.family("values"), key),
                mentions("missing values entry of " + victim.id(), HEX.formatHex(key)), "names id and key");
    }

    @Test
    void aValuesEntryMatchingNoClaimIsNamed() throws Exception {
        Claim other = Claim.builder(claimAt(12).subject(), claimAt(12).predicate(), Value.text("never claimed"))
                .source("x").hlc(Hlc.of(BASE_MS, 0, NODE)).build();
        byte[] key = Keys.valueKey(other);
        assertOneProblem(raw -> raw.db.put(raw.family("values"), key, new byte[0]),
                mentions("values entry " + HEX.formatHex(key), "matches no stored claim"), "names the key");
    }

    // ---------------------------------------------------------------- digests, watermark, counters

    @Test
    void aDamagedBucketDigestIsNamed() throws Exception {
        AssertionId id = claimAt(0).id();
        String bucket = String.format("%04x", id.prefix16());
        assertOneProblem(raw -> raw.db.put(raw.family("digests"), Keys.bucketKey(id.prefix16()), IdDigest.empty().toBytes()),
                mentions("digest of id bucket " + bucket), "names the bucket");
    }

    @Test
    void countersThatDisagreeWithTheStoredRecordsAreReported() throws Exception {
        assertOneProblem(raw -> {
            byte[] record = raw.db.get(raw.family("default"), RocksStore.STATE_KEY);
            RocksEngine.State s = RocksEngine.State.decode(record);
            RocksEngine.State wrong = new RocksEngine.State(s.lastSequence(), s.claims() + 1, s.retractions() - 1,
                    s.orphans(), s.maxHlc());
            raw.db.put(raw.family("default"), RocksStore.STATE_KEY, wrong.encode());
        }, mentions("the counters say 21 claims and 1 retractions, but 20 and 2 are stored"), "gives both counts");
    }

    /**
     * A database whose indexer stopped short (its batches lost in a crash: both watermarks with
     * what they cover) is sound: the indexes are checked up to the watermarks, and the indexer
     * catches up when it is opened.
     */
    @Test
    void aWatermarkBehindTheLogIsSoundAndCaughtUpOnOpen() throws Exception {
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir)) {
            raw.db.delete(raw.family("default"), RocksStore.INDEXED_KEY);
            raw.db.delete(raw.family("default"), RocksStore.INDEXED_ENTRIES_KEY);
            for (String family : List.of("sources", "values", "digests")) {
                raw.db.deleteRange(raw.family(family), new byte[0], new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
            }
        }
        try (RocksEngine engine = open(dir)) {
            VerifyReport report = engine.verify();
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(22L, Long.parseLong(engine.properties().get("indexed-sequence")));
            assertEquals(List.of(claimAt(11)).get(0).source(), engine.bySource(claimAt(11).source()).get(0).source());
        }
    }

    // ---------------------------------------------------------------- cost

    /**
     * 5,000 claims about one (subject, predicate), 2,500 distinct values, committed one by one so
     * that the fact is sealed into chunks: verified clean without a single extra read, and a
     * missing values entry costs reads linear in the claims.
     */
    @Test
    void aFactWithThousandsOfClaimsCostsLinearWork() throws Exception {
        Path big = tmp.resolve("big");
        List<Assertion> many = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            many.add(Claim.builder("one subject", "one predicate", Value.integer(i % 2_500)).source("src")
                    .hlc(Hlc.of(BASE_MS + i, 0, NODE)).build());
        }
        try (RocksEngine engine = open(big)) {
            for (int i = 0; i < many.size(); i += 10) {
                engine.commit(many.subList(i, i + 10));
            }
            RocksVerifier verifier = new RocksVerifier();
            VerifyReport report = engine.verify(verifier);
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(5_000, report.assertionsChecked());
            assertEquals(0, verifier.extraReads(), "the clean path only scans");
            assertEquals(5_000, engine.evidence("one subject", "one predicate").claims().size());
        }
        Claim victim = (Claim) many.get(7);
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(big)) {
            raw.db.delete(raw.family("values"), Keys.valueKey(victim));
        }
        try (RocksEngine engine = open(big)) {
            RocksVerifier verifier = new RocksVerifier();
            VerifyReport report = engine.verify(verifier);
            assertTrue(report.problems().stream().anyMatch(mentions("missing values entry of", HEX.formatHex(Keys.valueKey(victim)))),
                    report.problems().toString());
            assertTrue(verifier.extraReads() <= 3 * 5_000, "linear in the claims: " + verifier.extraReads());
        }
    }

    @Test
    void theCleanPathLooksUpOnlyUnplacedRetractionsTargets() {
        try (RocksEngine engine = open(dir)) {
            RocksVerifier verifier = new RocksVerifier();
            assertTrue(engine.verify(verifier).ok());
            assertEquals(1, verifier.extraReads(), "one lookup for the one unplaced retraction");
        }
    }

    // ---------------------------------------------------------------- concurrency

    /**
     * Claims, retractions of them and orphan retractions committed while verify runs: every run
     * reads one snapshot, so it finds nothing wrong, and the last one (after the writer stopped)
     * checks the same counts as the engine reports.
     */
    @Test
    void verifyDuringCommitsReportsNoFalseProblems() throws Exception {
        try (RocksEngine engine = open(tmp.resolve("busy"))) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int k = 0; !stop.get(); k++) {
                        List<Assertion> batch = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            Claim c = Claim.builder("w" + k % 50, "p" + i % 3, Value.integer(i)).source("s" + i % 2)
                                    .hlc(Hlc.of(BASE_MS + k, i, NODE)).build();
                            batch.add(c);
                            if (i % 5 == 0) {
                                batch.add(Retraction.of(c.id(), "r", Hlc.of(BASE_MS + k, 100 + i, NODE), null));
                            }
                        }
                        Claim later = claim(1_000_000 + k);
                        batch.add(Retraction.of(later.id(), "r", Hlc.of(BASE_MS + k, 200, NODE), null));
                        engine.commit(batch);
                        if (k % 2 == 1) {
                            engine.commit(List.of(claim(1_000_000 + k - 1)));
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            List<VerifyReport> during = new ArrayList<>();
            try {
                while (engine.stats().assertions() < 200) {
                    Thread.onSpinWait();
                }
                for (int run = 0; run < 5; run++) {
                    during.add(engine.verify());
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertNull(failure.get());
            for (VerifyReport report : during) {
                assertTrue(report.ok(), report.problemCount() + " false problems: "
                        + report.problems().subList(0, Math.min(3, report.problems().size())));
            }
            VerifyReport after = engine.verify();
            assertTrue(after.ok(), after.problems().toString());
            assertEquals(engine.stats().assertions(), after.assertionsChecked());
        }
    }
}
