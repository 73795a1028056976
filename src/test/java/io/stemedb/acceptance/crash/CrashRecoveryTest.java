package io.stemedb.acceptance.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.Stats;
import io.stemedb.StemeDB;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import io.stemedb.VerifyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance criterion of durable storage: a writer process killed with SIGKILL at a random
 * moment loses no acknowledged write and never leaves part of a batch, and the database it leaves
 * opens, verifies clean and takes writes again.
 *
 * <p>Each cycle starts {@link CrashWriter} in a separate JVM on the same directory (so the data
 * accumulates across kills), lets it write batches of 1 to 50 assertions from 1 to 4 threads, kills
 * it 50 to 1500 ms after it started writing (every other cycle: as soon as it announces a batch
 * after its first acknowledgement, so that kills strike while batches are being written however
 * fast the disk syncs), and then, in this JVM, reopens the directory and checks:
 * <ul>
 *   <li>every acknowledged id is stored, with the batch tag and index it was written with;</li>
 *   <li>every batch begun in any cycle (acknowledged or not) is stored entirely or not at all;</li>
 *   <li>nothing is stored that no writer began;</li>
 *   <li>{@code verify()} finds no problem (checksums, every index entry names a stored assertion
 *       and every assertion has its entries, counters agree with the log);</li>
 *   <li>the change feed holds sequences 1..n, and the stats counts equal what it lists;</li>
 *   <li>the database takes a new batch, and after closing and reopening it is still there.</li>
 * </ul>
 * {@code -Dstemedb.crash.cycles=200} runs more cycles (default 20); since the data accumulates,
 * add {@code -Dstemedb.crash.verifyEvery=10} to run {@code verify()} only every tenth cycle (and
 * after the last; every other check still runs after every kill). {@code -Dstemedb.crash.seed=...}
 * repeats a run (the seed is in every failure message).
 */
class CrashRecoveryTest {
    private static final int CYCLES = Integer.getInteger("stemedb.crash.cycles", 20);
    /** Verify (which reads everything, so grows with the accumulated data) every this many cycles, and after the last. */
    private static final int VERIFY_EVERY = Math.max(1, Integer.getInteger("stemedb.crash.verifyEvery", 1));
    private static final long SEED = Long.getLong("stemedb.crash.seed", new SecureRandom().nextLong());
    private static final String CHECK_TAG = "check.";

    /** Kept when a test fails, with each writer's stdout and stderr, for a post-mortem. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    /** What the writers said, over every cycle on one directory. */
    static final class Ledger {
        /** Every batch begun: tag -> number of assertions. */
        final Map<String, Integer> begun = new LinkedHashMap<>();
        /** Every batch acknowledged: tag -> ids in batch order. */
        final Map<String, List<AssertionId>> acknowledged = new LinkedHashMap<>();
        long inFlightAtKills;
        long inFlightLanded;
        /** Time spent starting writers (until READY) and checking the recovered database, for the summary. */
        long startNanos;
        long checkNanos;
        long verifyNanos;

        /** Records one run's lines; returns the acknowledgements it contained. */
        Map<String, List<AssertionId>> record(List<String> lines, String where) {
            Map<String, List<AssertionId>> acks = new LinkedHashMap<>();
            for (String line : lines) {
                String[] parts = line.split(" ");
                switch (parts[0]) {
                    case "BEGIN" -> begun.put(parts[1], Integer.parseInt(parts[2]));
                    case "ACK" -> {
                        List<AssertionId> ids = new ArrayList<>();
                        for (int i = 2; i < parts.length; i++) {
                            ids.add(AssertionId.parse(parts[i]));
                        }
                        Integer size = begun.get(parts[1]);
                        assertNotNull(size, where + ": ACK without BEGIN: " + line);
                        assertEquals(size.intValue(), ids.size(), where + ": the ACK of " + parts[1] + " lists every id");
                        acks.put(parts[1], ids);
                    }
                    default -> fail(where + ": unexpected line from the writer: " + line);
                }
            }
            acknowledged.putAll(acks);
            return acks;
        }
    }

    @Test
    void killedWritersLoseNoAcknowledgedWriteAndNeverLeaveHalfABatch() throws Exception {
        Path dir = tmp.resolve("db");
        Random random = new Random(SEED);
        Ledger ledger = new Ledger();
        int cyclesWithWrites = 0;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            String where = "cycle " + cycle + " of " + CYCLES + " in " + tmp + " (-Dstemedb.crash.seed=" + SEED + ")";
            Kill kill = cycle % 2 == 0 ? Kill.AFTER_A_WHILE : Kill.AT_A_BEGIN;
            Map<String, List<AssertionId>> acks = runAndKill(dir, "c" + cycle, "default", kill, random, ledger, where);
            if (!acks.isEmpty()) {
                cyclesWithWrites++;
            }
            long t0 = System.nanoTime();
            boolean last = cycle == CYCLES - 1;
            checkRecovered(dir, ledger, "c" + cycle, acks, last || cycle % VERIFY_EVERY == 0, last, where);
            ledger.checkNanos += System.nanoTime() - t0;
        }
        System.out.printf("crash test: %d cycles, %d batches begun, %d acknowledged; %d in flight at the kills, "
                        + "of which %d had landed entirely; %d ms starting writers, %d ms checking (%d ms of it in verify) "
                        + "(seed %d)%n", CYCLES, ledger.begun.size(), ledger.acknowledged.size(), ledger.inFlightAtKills,
                ledger.inFlightLanded, ledger.startNanos / 1_000_000, ledger.checkNanos / 1_000_000,
                ledger.verifyNanos / 1_000_000, SEED);
        assertTrue(cyclesWithWrites >= CYCLES / 2,
                "most cycles acknowledged some batches before the kill, or the test proves nothing: " + cyclesWithWrites);
        assertTrue(ledger.inFlightAtKills > 0, "some kills struck while a batch was being written");
    }

    /**
     * With {@code Durability.syncEvery(100 ms)} commits return before their fsync, but the OS has
     * the log, so killing the process still loses nothing acknowledged (docs/operations.md). The
     * kill comes 50 to 1500 ms after the first acknowledgement, so that there is something to lose.
     */
    @Test
    void withSyncEveryAProcessKillLosesNothingAcknowledged() throws Exception {
        Path dir = tmp.resolve("db-sync-every");
        Random random = new Random(SEED + 1);
        Ledger ledger = new Ledger();
        String where = "syncEvery(100 ms) (-Dstemedb.crash.seed=" + SEED + ")";
        Map<String, List<AssertionId>> acks = runAndKill(dir, "e0", "100", Kill.AFTER_FIRST_ACK, random, ledger, where);
        checkRecovered(dir, ledger, "e0", acks, true, true, where);
        assertTrue(!acks.isEmpty(), "the writer acknowledged batches before the kill");
    }

    /** When a writer is killed. */
    private enum Kill {
        /** 50 to 1500 ms after it starts writing: wherever it is. */
        AFTER_A_WHILE,
        /** 50 to 1500 ms after its first acknowledgement: there is something to lose. */
        AFTER_FIRST_ACK,
        /** As soon as it announces a batch after its first acknowledgement: most likely while that batch is being written. */
        AT_A_BEGIN
    }

    /**
     * Runs one writer process on {@code dir} and kills it when {@code kill} says; returns its acknowledgements.
     */
    private Map<String, List<AssertionId>> runAndKill(Path dir, String run, String durability, Kill kill,
            Random random, Ledger ledger, String where) throws Exception {
        int threads = 1 + random.nextInt(4);
        long killAfterMillis = 50 + random.nextInt(1451);
        Path stderr = tmp.resolve(run + ".stderr");
        List<String> lines;
        try (ChildJvm child = ChildJvm.start(CrashWriter.class, stderr,
                dir.toString(), Integer.toString(threads), Long.toString(random.nextLong()), run, durability)) {
            long t0 = System.nanoTime();
            String ready = child.expectLine(120);
            ledger.startNanos += System.nanoTime() - t0;
            assertEquals("READY " + child.pid(), ready, where + ": the writer's first line");
            List<String> early = new ArrayList<>();
            boolean acknowledged = false;
            while (kill != Kill.AFTER_A_WHILE) {
                String line = child.expectLine(120);
                early.add(line);
                acknowledged |= line.startsWith("ACK ");
                if (acknowledged && (kill == Kill.AFTER_FIRST_ACK || line.startsWith("BEGIN "))) {
                    break;
                }
            }
            if (kill != Kill.AT_A_BEGIN) {
                assertTrue(child.stillRunningAfter(killAfterMillis),
                        where + ": the writer ended by itself; its stderr:\n" + child.stderrText());
            }
            child.killHard();
            lines = new ArrayList<>(List.of(ready));
            lines.addAll(early);
            lines.addAll(child.remainingLines());
            lines.add("# the line being written at the kill: " + child.partialLine());
            Files.write(tmp.resolve(run + ".stdout"), lines);
            lines.remove(lines.size() - 1);
            lines.remove(0);
        }
        Map<String, List<AssertionId>> acks = ledger.record(lines, where + ", " + threads + " threads, killed after "
                + killAfterMillis + " ms");
        return acks;
    }

    /**
     * Reopens the database a writer was killed on and checks everything the class comment lists.
     * The batch it writes is checked after a reopen here when {@code reopenHere}; otherwise the
     * next cycle's writer reopens the database and the next check finds the batch (it is in the
     * ledger as acknowledged), which saves an open per cycle.
     */
    private static void checkRecovered(Path dir, Ledger ledger, String run, Map<String, List<AssertionId>> newAcks,
            boolean verify, boolean reopenHere, String where) {
        long stored;
        List<AssertionId> written;
        try (StemeDB db = StemeDB.open(dir)) {
            if (verify) {
                long t0 = System.nanoTime();
                VerifyReport report = db.verify();
                ledger.verifyNanos += System.nanoTime() - t0;
                assertTrue(report.ok(), where + ": verify found " + report.problemCount() + " problems: " + report.problems());
                assertEquals(db.stats().assertions(), report.assertionsChecked(), where + ": verify checked every assertion");
            }

            List<Change> feed = allChanges(db);
            long claims = 0;
            Map<String, Integer> landed = new HashMap<>();
            for (int i = 0; i < feed.size(); i++) {
                Change c = feed.get(i);
                assertEquals(i + 1, c.sequence(), where + ": the change feed numbers arrivals 1, 2, 3...");
                Assertion a = c.assertion();
                claims += a instanceof Claim ? 1 : 0;
                String tag = a.metadata().get("batch");
                assertNotNull(tag, where + ": an assertion without a batch tag: " + a);
                landed.merge(tag, 1, Integer::sum);
            }
            Stats stats = db.stats();
            assertEquals(List.of((long) feed.size(), claims, feed.size() - claims, (long) feed.size()),
                    List.of(stats.assertions(), stats.claims(), stats.retractions(), stats.lastSequence()),
                    where + ": stats (assertions, claims, retractions, last sequence) against the change feed");

            for (Map.Entry<String, Integer> e : landed.entrySet()) {
                Integer size = ledger.begun.get(e.getKey());
                assertNotNull(size, where + ": stored assertions of batch " + e.getKey() + ", which no writer began");
                assertEquals(size, e.getValue(), where + ": batch " + e.getKey() + " is stored only in part");
            }
            for (Map.Entry<String, Integer> e : ledger.begun.entrySet()) {
                String tag = e.getKey();
                int count = landed.getOrDefault(tag, 0);
                if (ledger.acknowledged.containsKey(tag)) {
                    assertEquals(e.getValue().intValue(), count, where + ": acknowledged batch " + tag + " lost assertions");
                } else {
                    assertTrue(count == 0 || count == e.getValue(), where + ": batch " + tag + " is stored only in part");
                }
            }
            for (Map.Entry<String, List<AssertionId>> e : newAcks.entrySet()) {
                List<AssertionId> ids = e.getValue();
                for (int i = 0; i < ids.size(); i++) {
                    Optional<Assertion> a = db.get(ids.get(i));
                    assertTrue(a.isPresent(), where + ": acknowledged " + ids.get(i) + " of batch " + e.getKey() + " is lost");
                    assertEquals(Map.entry(e.getKey(), Integer.toString(i)),
                            Map.entry(a.get().metadata().get("batch"), a.get().metadata().get("i")),
                            where + ": " + ids.get(i) + " is the assertion written at that place");
                }
            }
            for (String tag : ledger.begun.keySet()) {
                if (tag.startsWith(run + ".") && !ledger.acknowledged.containsKey(tag)) {
                    ledger.inFlightAtKills++;
                    if (landed.containsKey(tag)) {
                        ledger.inFlightLanded++;
                    }
                }
            }

            // the database takes writes again: claims and a retraction of an acknowledged claim
            String tag = CHECK_TAG + ledger.begun.size();
            AssertionId target = lastAcknowledgedClaim(db, ledger);
            written = db.write(batch -> {
                batch.assertion("acme", "name", Value.text("after the crash")).source("ops")
                        .metadata("batch", tag).metadata("i", "0");
                batch.assertion("globex", "employees", Value.integer(feed.size())).source("ops")
                        .metadata("batch", tag).metadata("i", "1");
                if (target != null) {
                    batch.retract(target, "ops", Map.of("batch", tag, "i", "2"));
                }
            });
            ledger.begun.put(tag, written.size());
            ledger.acknowledged.put(tag, written);
            stored = feed.size() + written.size();
            assertEquals(stored, db.stats().assertions(), where + ": the new batch is counted");
        }
        if (!reopenHere) {
            return;
        }
        try (StemeDB db = StemeDB.open(dir)) {
            for (AssertionId id : written) {
                assertTrue(db.get(id).isPresent(), where + ": the batch written after recovery survives a reopen: " + id);
            }
            assertEquals(stored, db.stats().assertions(), where + ": assertions after closing and reopening");
            assertEquals(stored, db.stats().lastSequence(), where + ": last sequence after closing and reopening");
        }
    }

    private static AssertionId lastAcknowledgedClaim(StemeDB db, Ledger ledger) {
        List<List<AssertionId>> batches = new ArrayList<>(ledger.acknowledged.values());
        for (int i = batches.size() - 1; i >= 0; i--) {
            for (AssertionId id : batches.get(i)) {
                if (db.get(id).orElseThrow() instanceof Claim) {
                    return id;
                }
            }
        }
        return null;
    }

    private static List<Change> allChanges(StemeDB db) {
        List<Change> all = new ArrayList<>();
        long cursor = 0;
        for (List<Change> page = db.changesSince(cursor, 2000); !page.isEmpty(); page = db.changesSince(cursor, 2000)) {
            all.addAll(page);
            cursor = page.get(page.size() - 1).sequence();
        }
        return all;
    }
}
