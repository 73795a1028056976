package io.stemedb.acceptance.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.BulkDraft;
import io.stemedb.BulkLoadResult;
import io.stemedb.StemeDB;
import io.stemedb.acceptance.upgrade.AnswerDump;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import io.stemedb.VerifyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bulk-loaded database answers every query exactly as the same assertions merged normally, in
 * the order a bulk load stores them (claims in input order, then retractions): every resolve with
 * its explanation, history, entity, subjects paging, bySource, find, the whole change feed with
 * its sequences, the counts; both verify clean, also after reopening; and after compaction the
 * bulk-loaded one is no larger than the merged one by more than a quarter. Runs of 100 claims, so
 * that a load is several runs whose files overlap, and a fact of hundreds of claims is sealed.
 */
class BulkLoadEquivalenceTest {
    private static final long BASE = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    private static final long NODE = 0x5eed;

    @TempDir
    Path tmp;

    @BeforeAll
    static void smallRuns() {
        System.setProperty("stemedb.bulk.runClaims", "100");
    }

    @AfterAll
    static void defaultRuns() {
        System.clearProperty("stemedb.bulk.runClaims");
    }

    private StemeDB open(Path dir) {
        return StemeDB.builder().nodeId(NODE).open(dir);
    }

    private static void mergeInPages(StemeDB db, List<Assertion> ordered) {
        for (int i = 0; i < ordered.size(); i += 37) {
            db.merge(ordered.subList(i, Math.min(ordered.size(), i + 37)));
        }
    }

    @Test
    void intoAnEmptyDatabaseAnswersAsMerges() {
        List<Assertion> input = BulkData.generate(1, 900, BASE);
        long retractions = input.stream().filter(a -> a instanceof Retraction).count();
        try (StemeDB merged = open(tmp.resolve("merged")); StemeDB bulk = open(tmp.resolve("bulk"))) {
            mergeInPages(merged, BulkData.claimsThenRest(input));
            BulkLoadResult r = bulk.bulkLoad(input.iterator(), ProgressListener.NONE);
            assertEquals(input.size(), r.read());
            assertEquals(merged.stats().assertions(), r.added());
            assertEquals(input.size() - r.added(), r.duplicates());
            assertTrue(r.deferred() >= retractions, "the retractions were deferred: " + r);
            assertTrue(r.runs() >= 6, "several runs: " + r.runs());
            assertSameAnswers(merged, bulk);
            assertClean(bulk.verify());
            assertClean(merged.verify());
        }
        try (StemeDB bulk = open(tmp.resolve("bulk")); StemeDB merged = open(tmp.resolve("merged"))) {
            assertSameAnswers(merged, bulk);
            merged.compact();
            bulk.compact();
            assertClean(bulk.verify());
            long mergedSize = Long.parseLong(merged.stats().engineProperties().get("total-sst-files-size"));
            long bulkSize = Long.parseLong(bulk.stats().engineProperties().get("total-sst-files-size"));
            assertTrue(bulkSize <= mergedSize * 5 / 4, "after compaction, bulk " + bulkSize + " bytes, merged " + mergedSize);
            assertFalse(Files.exists(tmp.resolve("bulk").resolve("bulk-staging")));
        }
    }

    @Test
    void intoADatabaseWithDataAndWaitingRetractionsAnswersAsMerges() {
        List<Assertion> first = BulkData.generate(2, 300, BASE);
        List<Assertion> second = new ArrayList<>(BulkData.generate(3, 600, BASE + 100_000));
        // the second part repeats some of the first (older timestamps: looked up), and brings the
        // target of a retraction that waits in the first
        for (int i = 0; i < first.size(); i += 17) {
            second.add(i % second.size(), first.get(i));
        }
        Claim late = Claim.builder("acme", "ceo", Value.text("Late")).source("hr").hlc(Hlc.of(BASE + 200_000, 0, 1)).build();
        List<Assertion> firstWithWaiting = new ArrayList<>(first);
        firstWithWaiting.add(Retraction.of(late.id(), "crm", Hlc.of(BASE + 50, 0, 2), Map.of("why", "wrong")));
        second.add(late);
        try (StemeDB merged = open(tmp.resolve("merged")); StemeDB bulk = open(tmp.resolve("bulk"))) {
            mergeInPages(merged, firstWithWaiting);
            mergeInPages(bulk, firstWithWaiting);
            mergeInPages(merged, BulkData.claimsThenRest(second));
            BulkLoadResult r = bulk.bulkLoad(second.stream(), ProgressListener.NONE);
            assertEquals(merged.stats().assertions(), bulk.stats().assertions());
            assertTrue(r.duplicates() >= first.size() / 17, "the repeated assertions were skipped: " + r);
            assertSameAnswers(merged, bulk);
            assertTrue(bulk.resolve("acme", "ceo", io.stemedb.lens.Lenses.latest()).retracted().stream()
                    .anyMatch(c -> c.id().equals(late.id())), "the waiting retraction was placed with its target");
            assertClean(bulk.verify());
            // a commit after the load appends to facts the load wrote and is answered alike
            merged.merge(List.of(BulkData.claim(new java.util.Random(9), 3, BASE + 300_000)));
            bulk.merge(List.of(BulkData.claim(new java.util.Random(9), 3, BASE + 300_000)));
            assertSameAnswers(merged, bulk);
        }
        try (StemeDB bulk = open(tmp.resolve("bulk"))) {
            assertClean(bulk.verify());
        }
    }

    @Test
    void aLoadThatFailsBeforeItsCommitPointChangesNothing() {
        List<Assertion> input = BulkData.generate(4, 400, BASE);
        try (StemeDB db = open(tmp.resolve("db"))) {
            mergeInPages(db, BulkData.generate(5, 50, BASE - 10_000));
            List<String> before = AnswerDump.of(db);
            Iterator<Assertion> failing = new Iterator<>() {
                int i;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Assertion next() {
                    if (i == 350) {
                        throw new IllegalStateException("the source failed");
                    }
                    return input.get(i++);
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> db.bulkLoad(failing, ProgressListener.NONE));
            assertEquals("the source failed", e.getMessage());
            assertEquals(before, AnswerDump.of(db));
            assertFalse(Files.exists(tmp.resolve("db").resolve("bulk-staging")), "the staging directory is deleted");
            assertClean(db.verify());
            // the database takes the same load afterwards
            BulkLoadResult r = db.bulkLoad(input.iterator(), ProgressListener.NONE);
            assertTrue(r.added() > 300);
            assertClean(db.verify());
        }
    }

    @Test
    void draftsAreStampedInArrivalOrderAndRetractionsComeLast() {
        Clock wall = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
        try (StemeDB db = StemeDB.builder().nodeId(NODE).clock(wall).open(tmp.resolve("db"))) {
            AssertionId stored = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            List<BulkDraft> drafts = new ArrayList<>();
            drafts.add(BulkDraft.retraction(stored, "hr"));
            for (int i = 0; i < 250; i++) {
                drafts.add(BulkDraft.claim("s" + i % 20, "p", Value.integer(i)).source(i % 2 == 0 ? "crm" : "hr").confidence(0.5));
            }
            BulkLoadResult r = db.bulkLoadDrafts(drafts.stream(), ProgressListener.NONE);
            assertEquals(251, r.added());
            List<Change> feed = db.changesSince(0, 1000);
            assertEquals(252, feed.size());
            for (int i = 1; i < feed.size(); i++) {
                assertTrue(feed.get(i).assertion().hlc().isAfter(feed.get(i - 1).assertion().hlc()),
                        "HLC order is arrival order at " + i);
            }
            assertTrue(feed.get(251).assertion() instanceof Retraction, "the retraction comes after the claims");
            assertTrue(db.resolve("acme", "ceo", io.stemedb.lens.Lenses.latest()).isEmpty());

            List<String> before = AnswerDump.of(db);
            Stream<BulkDraft> bad = Stream.of(BulkDraft.claim("x", "y", Value.integer(1)).source("crm"),
                    BulkDraft.retraction(BulkData.unknownId(), "crm"));
            assertThrows(StemeDB.UnknownTargetException.class, () -> db.bulkLoadDrafts(bad, ProgressListener.NONE));
            assertEquals(before, AnswerDump.of(db), "a refused load stores nothing");
            assertClean(db.verify());
        }
    }

    @Test
    void inMemoryTheLoadIsOneCommitInTheSameOrder() {
        List<Assertion> input = BulkData.generate(6, 300, BASE);
        try (StemeDB memory = StemeDB.builder().nodeId(NODE).inMemory(); StemeDB disk = open(tmp.resolve("disk"))) {
            memory.bulkLoad(input.iterator(), ProgressListener.NONE);
            disk.bulkLoad(input.iterator(), ProgressListener.NONE);
            assertSameAnswers(memory, disk);
        }
    }

    static void assertSameAnswers(StemeDB expected, StemeDB actual) {
        List<String> a = AnswerDump.of(expected);
        List<String> b = AnswerDump.of(actual);
        if (!a.equals(b) && System.getProperty("stemedb.test.dumpTo") != null) {
            try {
                Files.write(Path.of(System.getProperty("stemedb.test.dumpTo") + ".expected"), a);
                Files.write(Path.of(System.getProperty("stemedb.test.dumpTo") + ".actual"), b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "answer " + i);
        }
        assertEquals(a.size(), b.size());
    }

    static void assertClean(VerifyReport report) {
        assertTrue(report.ok(), () -> report.toString());
    }
}
