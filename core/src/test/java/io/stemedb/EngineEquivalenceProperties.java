package io.stemedb;

import static io.stemedb.ReplicaConvergenceProperties.BASE;
import static io.stemedb.ReplicaConvergenceProperties.NODE_A;
import static io.stemedb.ReplicaConvergenceProperties.PREDICATES;
import static io.stemedb.ReplicaConvergenceProperties.REMOTE_NODES;
import static io.stemedb.ReplicaConvergenceProperties.SOURCES;
import static io.stemedb.ReplicaConvergenceProperties.SUBJECTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.ReplicaConvergenceProperties.Pair;
import io.stemedb.ReplicaConvergenceProperties.Step;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

/**
 * The in-memory engine is the oracle for the RocksDB one: the same random sequence of local
 * writes, batches, retractions, merges (single and bulk, with duplicates, with retractions whose
 * target arrives later or in the same merge) is applied to {@code StemeDB.inMemory()} and to
 * {@code StemeDB.open(dir)}, both on node A reading identical manual clocks, and every query must
 * answer identically: history, latest with its explanation, entity, conflicts, find for every
 * domain value, bySource, get, the change feed read in pages of several sizes (sequence numbers
 * included), the stats counts, and all of these as of several instants. The RocksDB database is
 * closed and reopened once, at a random point of the sequence or after its last step, after
 * which both must go on issuing the same timestamps, so the same ids. The cheap comparison
 * (counts, last sequence, every history) runs after every step; the full one before and after
 * the reopen and at the end, where the model check of ReplicaConvergenceProperties and
 * {@code verify()} also run on the RocksDB one.
 *
 * <p>The steps and the comparisons are those of {@link ReplicaConvergenceProperties}, reused.
 */
class EngineEquivalenceProperties {
    private static final int MAX_STEPS = 100;

    @Provide
    Arbitrary<List<Step>> longSteps() {
        return ReplicaConvergenceProperties.step().list().ofMinSize(1).ofMaxSize(MAX_STEPS);
    }

    /**
     * 75 tries, each opening RocksDB twice (opening and closing, which flushes, are most of the
     * cost, so the tries are few and the sequences long: up to 100 steps plus random bulk
     * merges): about 30 s on this 2-core machine while other builds ran, less when it is quiet.
     */
    @Property(tries = 75)
    void theRocksDbEngineAnswersEveryQueryAsTheInMemoryEngine(
            @ForAll("longSteps") List<Step> steps,
            @ForAll @IntRange(min = 0, max = MAX_STEPS) int reopenAt,
            @ForAll long seed) throws IOException {
        Path dir = Files.createTempDirectory("stemedb-equivalence");
        ManualClock memoryClock = new ManualClock(BASE + 20);
        ManualClock diskClock = new ManualClock(BASE + 20);
        Pair memory = new Pair(memoryClock, StemeDB.builder().nodeId(NODE_A).clock(memoryClock).inMemory());
        Pair disk = null;
        Random random = new Random(seed);
        boolean midSequence = reopenAt < steps.size();
        Statistics.label("reopened").collect(midSequence ? "mid-sequence" : "after the last step");
        try {
            disk = new Pair(diskClock, disk().nodeId(NODE_A).clock(diskClock).open(dir));
            int n = 0;
            for (Step s : steps) {
                if (n == reopenAt) {
                    reopenAndCompare(memory, disk, dir, random, "before step " + n);
                }
                String where = "after step " + n + " " + s;
                ReplicaConvergenceProperties.step(memory, s);
                ReplicaConvergenceProperties.step(disk, s);
                if (random.nextInt(6) == 0) {
                    bulkMerge(memory, disk, random);
                    where += " and a bulk merge";
                }
                assertSameBriefly(memory, disk, where);
                n++;
            }
            if (!midSequence) {
                reopenAndCompare(memory, disk, dir, random, "after the last step");
            }
            // both clocks go on from the same point, so a new local write gets the same id on both
            memoryClock.advance(-2);
            diskClock.advance(-2);
            AssertionId m = memory.db.assertion("s1", "name", ReplicaConvergenceProperties.value(0, 0)).source("ops").commit();
            AssertionId d = disk.db.assertion("s1", "name", ReplicaConvergenceProperties.value(0, 0)).source("ops").commit();
            assertEquals(m, d, "the next local write after everything");
            memory.local(memory.db.get(m).orElseThrow());
            disk.local(disk.db.get(d).orElseThrow());
            assertSameEverything(memory, disk, random, "at the end");
            ReplicaConvergenceProperties.assertAgreesWithModel(disk);
            VerifyReport report = disk.db.verify();
            assertTrue(report.ok(), "verify: " + report.problems());
            assertEquals(disk.db.stats().assertions(), report.assertionsChecked());
        } finally {
            memory.db.close();
            if (disk != null) {
                disk.db.close();
            }
            deleteRecursively(dir);
        }
    }

    /**
     * The on-disk database's settings: commits are not fsynced one by one (the answers do not
     * depend on it, and it keeps the property fast; the crash tests cover durability).
     */
    private static StemeDBBuilder disk() {
        return StemeDB.builder().durability(Durability.syncEvery(Duration.ofSeconds(1)));
    }

    /** Reopens the on-disk database and compares every answer, before going on. */
    private static void reopenAndCompare(Pair memory, Pair disk, Path dir, Random random, String when) {
        assertSameEverything(memory, disk, random, "before reopening " + when);
        reopen(disk, dir);
        assertSameEverything(memory, disk, random, "after reopening " + when);
    }

    /** Closes the on-disk database and opens it again (without naming the node: it is stored). */
    private static void reopen(Pair disk, Path dir) {
        Stats before = disk.db.stats();
        disk.db.close();
        disk.db = disk().clock(disk.clock).open(dir);
        assertEquals(NODE_A, disk.db.nodeId(), "the node id read back from the database");
        Stats after = disk.db.stats();
        assertEquals(List.of(before.assertions(), before.claims(), before.retractions(), before.lastSequence()),
                List.of(after.assertions(), after.claims(), after.retractions(), after.lastSequence()),
                "stats across a reopen");
    }

    /**
     * One merge of several assertions at once, the same on both: new remote claims (some with
     * metadata and valid time), retractions of stored claims and of claims not received yet
     * (whose claim sometimes comes in the same merge), delivery of earlier ghosts, and duplicates
     * of stored assertions and within the merge itself, all shuffled.
     */
    private static void bulkMerge(Pair memory, Pair disk, Random r) {
        List<Assertion> batch = new ArrayList<>();
        List<Claim> newGhosts = new ArrayList<>();
        int size = 1 + r.nextInt(10);
        for (int i = 0; i < size; i++) {
            Hlc hlc = Hlc.of(BASE + r.nextInt(41), r.nextInt(3), REMOTE_NODES.get(r.nextInt(REMOTE_NODES.size())));
            List<Claim> stored = memory.modelClaims();
            switch (r.nextInt(6)) {
                case 0 -> batch.add(remoteClaimWithExtras(r, hlc, r.nextInt(2)));
                case 1 -> {
                    if (!stored.isEmpty()) {
                        batch.add(Retraction.of(stored.get(r.nextInt(stored.size())).id(), SOURCES.get(r.nextInt(4)), hlc,
                                r.nextBoolean() ? null : Map.of("reason", "bulk " + i)));
                    }
                }
                case 2 -> {
                    // a retraction of a claim not received yet; the claim comes now or later
                    Claim ghost = ReplicaConvergenceProperties.remoteClaim(r.nextInt(3), r.nextInt(2), r.nextInt(4), r.nextInt(3),
                            Hlc.of(BASE + r.nextInt(41), r.nextInt(3), REMOTE_NODES.get(0)));
                    batch.add(Retraction.of(ghost.id(), SOURCES.get(r.nextInt(4)), hlc, null));
                    if (r.nextBoolean()) {
                        batch.add(ghost);
                    } else {
                        newGhosts.add(ghost);
                    }
                }
                case 3 -> {
                    if (!memory.ghosts.isEmpty()) {
                        batch.add(memory.ghosts.get(r.nextInt(memory.ghosts.size())));
                    }
                }
                case 4 -> {
                    if (!memory.delivered.isEmpty()) {
                        batch.add(memory.delivered.get(r.nextInt(memory.delivered.size())));
                    }
                }
                default -> {
                    if (!batch.isEmpty()) {
                        batch.add(batch.get(r.nextInt(batch.size())));
                    }
                }
            }
        }
        Collections.shuffle(batch, r);
        Set<AssertionId> distinctNew = new HashSet<>();
        for (Assertion a : batch) {
            if (!memory.model.contains(a.id())) {
                distinctNew.add(a.id());
            }
        }
        boolean encoded = r.nextBoolean();
        MergeResult expected = new MergeResult(distinctNew.size(), batch.size() - distinctNew.size(), List.of());
        for (Pair p : List.of(memory, disk)) {
            MergeResult result = encoded
                    ? p.db.mergeEncoded(batch.stream().map(EncodedAssertion::of).toList())
                    : p.db.merge(batch);
            assertEquals(expected, result, "bulk merge of " + batch.size() + " into " + p.db);
            batch.forEach(p::record);
            p.ghosts.addAll(newGhosts);
        }
    }

    /** A remote claim of {@code predicate}, sometimes with metadata, a confidence and a valid time. */
    private static Claim remoteClaimWithExtras(Random r, Hlc hlc, int predicate) {
        Claim.Builder b = Claim.builder(SUBJECTS.get(r.nextInt(3)), PREDICATES.get(predicate),
                        ReplicaConvergenceProperties.value(predicate, r.nextInt(3)))
                .source(SOURCES.get(r.nextInt(4))).hlc(hlc);
        if (r.nextBoolean()) {
            b.metadata(Map.of("url", "https://example.org/" + r.nextInt(5)));
        }
        if (r.nextBoolean()) {
            b.confidence(r.nextInt(11) / 10.0);
        }
        if (r.nextInt(3) == 0) {
            Instant from = Instant.ofEpochMilli(BASE - r.nextInt(1000));
            b.validFrom(from).validTo(from.plusMillis(1 + r.nextInt(5000)));
        }
        return b.build();
    }

    /** The cheap comparison, after every step: counts, the last sequence number and every history. */
    private static void assertSameBriefly(Pair memory, Pair disk, String where) {
        assertSameStats(memory.db.stats(), disk.db.stats(), where);
        for (String s : SUBJECTS) {
            for (String p : PREDICATES) {
                assertEquals(memory.db.history(s, p), disk.db.history(s, p), where + ": " + s + "." + p + " history");
            }
        }
    }

    private static void assertSameStats(Stats e, Stats a, String where) {
        assertEquals(e.assertions(), a.assertions(), where + ": assertions");
        assertEquals(e.claims(), a.claims(), where + ": claims");
        assertEquals(e.retractions(), a.retractions(), where + ": retractions");
        assertEquals(e.lastSequence(), a.lastSequence(), where + ": last sequence");
        assertEquals(e.nodeId(), a.nodeId(), where + ": node id");
    }

    /** Every query, now and as of several instants, and the change feed in pages of several sizes. */
    private static void assertSameEverything(Pair memory, Pair disk, Random random, String where) {
        StemeDB e = memory.db;
        StemeDB a = disk.db;
        assertSameStats(e.stats(), a.stats(), where);
        List<Instant> instants = ReplicaConvergenceProperties.interestingInstants(e, random);
        instants.add(Instant.ofEpochMilli(BASE + 25));
        ReplicaConvergenceProperties.assertSameAnswers(e, a, instants);
        for (Instant t : instants) {
            ReplicaConvergenceProperties.assertSameView(e.asOf(t), a.asOf(t), where + ", as of " + t + ": ");
        }
        List<Change> feed = ReplicaConvergenceProperties.allChanges(e);
        assertEquals(feed, ReplicaConvergenceProperties.allChanges(a), where + ": the change feed, with sequence numbers");
        assertEquals(e.stats().assertions(), feed.size(), where + ": the feed lists every assertion once");
        for (int pageSize : new int[] {1, 3, 1000}) {
            List<Change> paged = new ArrayList<>();
            long cursor = 0;
            for (List<Change> page = a.changesSince(cursor, pageSize); !page.isEmpty(); page = a.changesSince(cursor, pageSize)) {
                assertTrue(page.size() <= pageSize);
                assertEquals(e.changesSince(cursor, pageSize), page, where + ": the page after " + cursor + " of " + pageSize);
                paged.addAll(page);
                cursor = page.get(page.size() - 1).sequence();
            }
            assertEquals(feed, paged, where + ": the feed in pages of " + pageSize);
        }
        long last = a.stats().lastSequence();
        assertEquals(List.of(), a.changesSince(last, 10), where + ": nothing after the last sequence");
        for (Change c : feed) {
            assertEquals(Optional.of(c.assertion()), a.get(c.assertion().id()), where + ": get " + c.assertion().id());
        }
        for (Claim ghost : memory.ghosts) {
            assertEquals(e.get(ghost.id()), a.get(ghost.id()), where + ": get of ghost " + ghost.id());
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
