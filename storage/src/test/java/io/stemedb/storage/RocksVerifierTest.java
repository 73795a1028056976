package io.stemedb.storage;

import static io.stemedb.storage.RocksFaultTest.claim;
import static io.stemedb.storage.RocksFaultTest.claims;
import static io.stemedb.storage.RocksFaultTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * What {@link RocksVerifier} reports: one exact finding (the id and the hex key) for a damaged
 * entry of each column family, linear work on a fact with thousands of claims, a clean path
 * without point lookups, and no false findings while commits run.
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

    /** 20 claims, a retraction of claim 3 and a retraction of a claim that is not stored. */
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

    /** Damages the closed database, verifies it, and checks that exactly one problem, the expected one, is reported. */
    private void assertOneProblem(Damage damage, Predicate<String> expected, String what) throws RocksDBException {
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir)) {
            damage.apply(raw);
        }
        try (RocksEngine engine = open(dir)) {
            VerifyReport report = engine.verify();
            assertEquals(1, report.problemCount(), "one damage, one finding: " + report.problems());
            assertTrue(expected.test(report.problems().get(0)), what + ": " + report.problems());
        }
    }

    private static Predicate<String> mentions(String... parts) {
        return p -> List.of(parts).stream().allMatch(p::contains);
    }

    private Claim claimAt(int i) {
        return (Claim) claims.get(i);
    }

    private static byte[] factKey(Claim c) {
        return Keys.factKey(c.subject(), c.predicate(), Keys.KIND_CLAIM, c.hlc(), c.id());
    }

    // ---------------------------------------------------------------- assertions

    /** A damaged record is one finding: its index entries, which it no longer matches, add none. */
    @Test
    void aDamagedRecordIsOneFindingNamingIt() throws Exception {
        Claim victim = claimAt(5);
        assertOneProblem(raw -> raw.db.put(raw.family("assertions"), victim.id().toBytes(),
                        claim(5, "tampered").canonicalBytes()),
                mentions("assertion " + victim.id(), "hash"), "names the damaged assertion");
    }

    // ---------------------------------------------------------------- facts

    @Test
    void aMissingFactsEntryOfAClaimIsNamed() throws Exception {
        Claim victim = claimAt(8);
        byte[] key = factKey(victim);
        assertOneProblem(raw -> raw.db.delete(raw.family("facts"), key),
                mentions("missing facts entry of claim " + victim.id(), HEX.formatHex(key)), "names the claim and the key");
    }

    @Test
    void aMissingFactsEntryOfARetractionIsNamed() throws Exception {
        Claim target = claimAt(3);
        byte[] key = Keys.factKey(target.subject(), target.predicate(), Keys.KIND_RETRACTION, retraction.hlc(), retraction.id());
        assertOneProblem(raw -> {
            assertNotNull(raw.db.get(raw.family("facts"), key), "the retraction's entry lives under its target");
            raw.db.delete(raw.family("facts"), key);
        }, mentions("missing facts entry of retraction " + retraction.id(), HEX.formatHex(key)), "names the retraction and the key");
    }

    @Test
    void aFactsEntryWithOtherBytesIsNamed() throws Exception {
        Claim victim = claimAt(5);
        byte[] key = factKey(victim);
        assertOneProblem(raw -> raw.db.put(raw.family("facts"), key, claimAt(6).canonicalBytes()),
                mentions("facts entry " + HEX.formatHex(key), "holds other bytes than assertion " + victim.id()), "names key and id");
    }

    @Test
    void aFactsEntryUnderTheWrongKeyIsNamed() throws Exception {
        Claim victim = claimAt(5);
        byte[] moved = Keys.factKey("elsewhere", victim.predicate(), Keys.KIND_CLAIM, victim.hlc(), victim.id());
        assertOneProblem(raw -> raw.db.put(raw.family("facts"), moved, victim.canonicalBytes()),
                mentions("facts entry " + HEX.formatHex(moved), "does not match assertion " + victim.id(),
                        HEX.formatHex(factKey(victim))), "names the stray key, the id and the right key");
    }

    @Test
    void aFactsEntryNamingNoStoredAssertionIsNamed() throws Exception {
        Claim ghost = claim(99);
        byte[] key = factKey(ghost);
        assertOneProblem(raw -> raw.db.put(raw.family("facts"), key, ghost.canonicalBytes()),
                mentions("facts entry " + HEX.formatHex(key), "names " + ghost.id() + ", which is not stored"), "names key and id");
    }

    // ---------------------------------------------------------------- sources

    @Test
    void aMissingSourcesEntryIsNamed() throws Exception {
        Claim victim = claimAt(11);
        byte[] key = Keys.sourceKey(victim.source(), victim.hlc(), victim.id());
        assertOneProblem(raw -> raw.db.delete(raw.family("sources"), key),
                mentions("missing sources entry of " + victim.id(), HEX.formatHex(key)), "names id and key");
    }

    @Test
    void aSourcesEntryUnderTheWrongSourceIsNamed() throws Exception {
        Claim victim = claimAt(11);
        byte[] stray = Keys.sourceKey("someone else", victim.hlc(), victim.id());
        assertOneProblem(raw -> raw.db.put(raw.family("sources"), stray, new byte[0]),
                mentions("sources entry " + HEX.formatHex(stray), "does not match assertion " + victim.id()), "names key and id");
    }

    // ---------------------------------------------------------------- values

    @Test
    void aMissingValuesEntryIsNamed() throws Exception {
        Claim victim = claimAt(12);
        byte[] key = Keys.valueKey(victim);
        assertOneProblem(raw -> raw.db.delete(raw.family("values"), key),
                mentions("missing values entry of claim " + victim.id(), HEX.formatHex(key)), "names id and key");
    }

    @Test
    void aValuesEntryMatchingNoClaimIsNamed() throws Exception {
        Claim other = Claim.builder(claimAt(12).subject(), claimAt(12).predicate(), Value.text("never claimed"))
                .source("x").hlc(Hlc.of(BASE_MS, 0, NODE)).build();
        byte[] key = Keys.valueKey(other);
        assertOneProblem(raw -> raw.db.put(raw.family("values"), key, new byte[0]),
                mentions("values entry " + HEX.formatHex(key), "matches no stored claim"), "names the key");
    }

    // ---------------------------------------------------------------- retractions

    @Test
    void aMissingRetractionsEntryIsNamed() throws Exception {
        byte[] key = Keys.retractionKey(orphan.target(), orphan.id());
        assertOneProblem(raw -> raw.db.delete(raw.family("retractions"), key),
                mentions("missing retractions entry of " + orphan.id(), HEX.formatHex(key)), "names id and key");
    }

    @Test
    void aRetractionsEntryNamingNoRetractionIsNamed() throws Exception {
        byte[] key = Keys.retractionKey(claimAt(1).id(), claimAt(2).id());
        assertOneProblem(raw -> raw.db.put(raw.family("retractions"), key, new byte[0]),
                mentions("retractions entry " + HEX.formatHex(key), "names no stored retraction of " + claimAt(1).id()),
                "names key and target");
    }

    // ---------------------------------------------------------------- log, digests, counters

    @Test
    void aMissingLogEntryIsNamed() throws Exception {
        assertOneProblem(raw -> raw.db.delete(raw.family("log"), Keys.sequenceKey(5)),
                mentions("log: sequence 5 is missing"), "names the sequence");
    }

    @Test
    void aLogEntryNamingNoStoredAssertionIsNamed() throws Exception {
        byte[] ghost = claim(99).id().toBytes();
        assertOneProblem(raw -> raw.db.put(raw.family("log"), Keys.sequenceKey(5), ghost),
                mentions("log: sequence 5 names " + HEX.formatHex(ghost), "not stored"), "names the sequence and the id");
    }

    /** Sequence 5 names the id of sequence 6: one id is listed twice, and the one of sequence 5 not at all. */
    @Test
    void aLogListingAnAssertionTwiceIsReportedWithTheOneItLacks() throws Exception {
        AssertionId lost;
        AssertionId twice;
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir)) {
            lost = AssertionId.fromBytes(raw.db.get(raw.family("log"), Keys.sequenceKey(5)));
            byte[] sixth = raw.db.get(raw.family("log"), Keys.sequenceKey(6));
            twice = AssertionId.fromBytes(sixth);
            raw.db.put(raw.family("log"), Keys.sequenceKey(5), sixth);
        }
        try (RocksEngine engine = open(dir)) {
            VerifyReport report = engine.verify();
            assertEquals(List.of("log: sequences [5, 6] all name " + twice + ", which arrived once",
                    "log: assertion " + lost + " is not in the log"), report.problems());
        }
    }

    @Test
    void aDamagedBucketDigestIsNamed() throws Exception {
        AssertionId id = claimAt(0).id();
        String bucket = String.format("%04x", id.prefix16());
        assertOneProblem(raw -> raw.db.put(raw.family("digests"), Keys.bucketKey(id.prefix16()), IdDigest.empty().toBytes()),
                mentions("digest of id bucket " + bucket), "names the bucket");
    }

    @Test
    void countersThatDisagreeWithTheStoredAssertionsAreReported() throws Exception {
        assertOneProblem(raw -> {
            byte[] record = raw.db.get(raw.family("default"), RocksStore.STATE_KEY);
            RocksEngine.State s = RocksEngine.State.decode(record);
            RocksEngine.State wrong = new RocksEngine.State(s.lastSequence(), s.claims() + 1, s.retractions() - 1,
                    s.orphans(), s.maxHlc(), s.digest());
            raw.db.put(raw.family("default"), RocksStore.STATE_KEY, wrong.encode());
        }, mentions("the counters say 21 claims and 1 retractions but 20 and 2 are stored"), "gives both counts");
    }

    // ---------------------------------------------------------------- cost

    /**
     * 5,000 claims about one (subject, predicate), 2,500 distinct values: the sound database is
     * verified without a single extra read, and a damaged values entry costs reads linear in the
     * claims (the old check re-read the fact for each values entry: 12.5 million reads here).
     */
    @Test
    void aFactWithThousandsOfClaimsCostsLinearWork() throws Exception {
        Path big = tmp.resolve("big");
        List<Assertion> many = new ArrayList<>();
        Set<Integer> buckets = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            Claim c = Claim.builder("one subject", "one predicate", Value.integer(i % 2_500)).source("src")
                    .hlc(Hlc.of(BASE_MS + i, 0, NODE)).build();
            many.add(c);
            buckets.add(c.id().prefix16());
        }
        try (RocksEngine engine = open(big)) {
            engine.commit(many);
            RocksVerifier verifier = new RocksVerifier();
            VerifyReport report = engine.verify(verifier);
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(5_000, report.assertionsChecked());
            // log, facts and sources: one entry per claim; values: one per distinct value; digests: one per bucket
            assertEquals(3 * 5_000 + 2_500 + buckets.size(), report.indexEntriesChecked());
            assertEquals(0, verifier.extraReads(), "the clean path only scans");
        }
        Claim victim = (Claim) many.get(7);
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(big)) {
            raw.db.delete(raw.family("values"), Keys.valueKey(victim));
        }
        try (RocksEngine engine = open(big)) {
            RocksVerifier verifier = new RocksVerifier();
            VerifyReport report = engine.verify(verifier);
            // the key is shared by the two claims with that value
            assertEquals(2, report.problemCount(), report.problems().toString());
            assertTrue(report.problems().stream().anyMatch(mentions("missing values entry of claim " + victim.id(),
                    HEX.formatHex(Keys.valueKey(victim)))), report.problems().toString());
            assertTrue(verifier.extraReads() <= 2 * 5_000,
                    "one lookup per claim and one read of the fact, not one per values entry: " + verifier.extraReads());
        }
    }

    @Test
    void theCleanPathLooksUpOnlyRetractionTargets() {
        try (RocksEngine engine = open(dir)) {
            RocksVerifier verifier = new RocksVerifier();
            assertTrue(engine.verify(verifier).ok());
            assertEquals(2, verifier.extraReads(), "one target lookup per retraction");
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
                            Claim c = Claim.builder("w" + k, "p" + i % 3, Value.integer(i)).source("s" + i % 2)
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
            assertEquals(null, failure.get());
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
