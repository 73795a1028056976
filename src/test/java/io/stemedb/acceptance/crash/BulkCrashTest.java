package io.stemedb.acceptance.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.acceptance.bulk.BulkData;
import io.stemedb.acceptance.upgrade.AnswerDump;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bulk load killed with SIGKILL (a real child JVM, {@link BulkCrashChild}) at each of its
 * stages leaves, once reopened, either the database as it was (killed while building runs) or
 * the database fully loaded (killed after the commit point: before, during and after the
 * ingestion), answering every query as an uninterrupted load does; verify is clean, nothing
 * written before is lost, no staging directory is left, and it takes writes and another load.
 * An upgrade killed before its swap leaves the format-1 database as it was, and upgrading again
 * succeeds.
 */
class BulkCrashTest {
    private static final long BASE = Instant.parse("2024-05-01T00:00:00Z").toEpochMilli();
    private static final long NODE = 0xc4a5L;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    static StemeDB open(Path dir) {
        return StemeDB.builder().nodeId(NODE).open(dir);
    }

    /** What the database holds before the load: claims and a retraction waiting for a claim of the load. */
    static List<Assertion> before() {
        List<Assertion> first = new ArrayList<>(BulkData.generate(11, 200, BASE));
        first.add(Retraction.of(waitedFor().id(), "crm", Hlc.of(BASE + 10, 0, 2), Map.of()));
        return first;
    }

    static Claim waitedFor() {
        return Claim.builder("acme", "ceo", Value.text("Waited for")).source("hr").hlc(Hlc.of(BASE + 500_000, 0, 1)).build();
    }

    /** The load: several runs of 100, facts the database holds, duplicates, retractions. */
    static List<Assertion> load() {
        List<Assertion> load = new ArrayList<>(BulkData.generate(12, 700, BASE + 100_000));
        load.add(350, waitedFor());
        return load;
    }

    private static void mergeAll(StemeDB db, List<Assertion> assertions) {
        for (int i = 0; i < assertions.size(); i += 50) {
            db.merge(assertions.subList(i, Math.min(assertions.size(), i + 50)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reading", "committed", "ingesting", "ingested"})
    void aLoadKilledAtAnyStageIsAllOrNothing(String point) throws Exception {
        Path dir = tmp.resolve("db");
        Path reference = tmp.resolve("reference");
        List<String> asBefore;
        List<String> loaded;
        String previous = System.setProperty("stemedb.bulk.runClaims", "100");
        try {
            try (StemeDB db = open(dir)) {
                mergeAll(db, before());
                asBefore = AnswerDump.of(db);
            }
            try (StemeDB ref = open(reference)) {
                mergeAll(ref, before());
                ref.bulkLoad(load().iterator(), ProgressListener.NONE);
                loaded = AnswerDump.of(ref);
            }
        } finally {
            if (previous == null) {
                System.clearProperty("stemedb.bulk.runClaims");
            }
        }
        try (ChildJvm child = ChildJvm.start(BulkCrashChild.class, tmp.resolve("child-" + point + ".err"), dir.toString(), point)) {
            assertEquals("AT " + point, child.expectLine(120));
            if (!point.equals("reading")) {
                assertTrue(Files.isDirectory(dir.resolve("bulk-staging")), "the load is staged");
            }
            child.killHard();
        }
        try (StemeDB db = open(dir)) {
            List<String> answers = AnswerDump.of(db);
            assertEquals(point.equals("reading") ? asBefore : loaded, answers,
                    point.equals("reading") ? "killed before its commit point, the load left nothing"
                            : "killed after its commit point, the load was finished by the open");
            assertTrue(db.verify().ok(), () -> db.verify().toString());
            assertFalse(Files.exists(dir.resolve("bulk-staging")), "no staging directory is left");
            db.assertion("after", "crash", Value.integer(1)).source("crm").commit();
            db.bulkLoad(Stream.of(BulkData.claim(new java.util.Random(3), 1, BASE + 900_000)), ProgressListener.NONE);
            assertTrue(db.verify().ok());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"upgrading", "verifying"})
    void anUpgradeKilledBeforeItsSwapLeavesTheFormat1DatabaseAndCanBeRun(String point) throws Exception {
        Path dir = tmp.resolve("db");
        io.stemedb.acceptance.upgrade.Format1Fixture.copyTree(io.stemedb.acceptance.upgrade.Format1Fixture.fixture("db"), dir);
        List<String> before = io.stemedb.acceptance.upgrade.Format1Fixture.contents(dir);
        try (ChildJvm child = ChildJvm.start(BulkCrashChild.class, tmp.resolve("child-" + point + ".err"), dir.toString(), point)) {
            assertEquals("AT " + point, child.expectLine(120));
            child.killHard();
        }
        assertEquals(before, io.stemedb.acceptance.upgrade.Format1Fixture.contents(dir), "the format-1 files are unchanged");
        assertEquals(429, StemeDB.upgrade(dir, ProgressListener.NONE).assertions());
        try (StemeDB db = StemeDB.open(dir)) {
            assertEquals(429, db.stats().assertions());
            assertTrue(db.verify().ok());
        }
    }
}
