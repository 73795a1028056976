package io.stemedb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import io.stemedb.BackupInfo;
import io.stemedb.VerifyReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups taken while four threads commit batches restore to consistent databases: each passes
 * verify, holds every batch whole or not at all, and holds every batch acknowledged before the
 * backup started.
 */
class BackupUnderLoadTest {
    private static final int WRITERS = 4;
    private static final int BACKUPS = 3;

    @TempDir
    Path dir;

    @Test
    void backupsTakenUnderConcurrentWritesRestoreConsistently() throws Exception {
        Path backups = dir.resolve("backups");
        // every batch, by key, with its size, recorded before it is committed
        Map<String, Integer> planned = new ConcurrentHashMap<>();
        // the ids of every acknowledged batch, recorded after its commit returned
        Map<String, List<AssertionId>> acknowledged = new ConcurrentHashMap<>();
        List<BackupInfo> taken = new ArrayList<>();
        List<Set<String>> acknowledgedBefore = new ArrayList<>();
        Set<AssertionId> finalIds;
        List<Integer> duringBackup = new ArrayList<>();
        try (StemeDB db = StemeDB.open(dir.resolve("db"))) { // fsync on every commit: acknowledged means durable
            // some bulk first, so that a backup takes long enough for commits to land during it
            for (int p = 0; p < 2; p++) {
                String key = "preload-" + p;
                planned.put(key, 5000);
                acknowledged.put(key, db.write(batch -> {
                    for (int i = 0; i < 5000; i++) {
                        batch.assertion(key + "-" + i, "value", Value.text("bulk " + i)).source("bulk").metadata("batch", key);
                    }
                }));
            }
            int preloaded = acknowledged.size();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    List<AssertionId> mine = new ArrayList<>();
                    int k = 0;
                    while (!stop.get() || k < 20) {
                        String key = "w" + writer + "-b" + k;
                        int claims = 1 + k % 7;
                        AssertionId retract = k % 5 == 4 ? mine.get(mine.size() / 2) : null;
                        planned.put(key, claims + (retract == null ? 0 : 1));
                        List<AssertionId> ids = db.write(batch -> {
                            for (int i = 0; i < claims; i++) {
                                batch.assertion(key + "-" + i, "value", Value.integer(i)).source("writer-" + writer)
                                        .metadata("batch", key);
                            }
                            if (retract != null) {
                                batch.retract(retract, "writer-" + writer, Map.of("batch", key));
                            }
                        });
                        acknowledged.put(key, ids);
                        mine.addAll(ids.subList(0, claims));
                        k++;
                    }
                    return k;
                }));
            }
            try {
                for (int b = 0; b < BACKUPS; b++) {
                    while (acknowledged.size() < preloaded + (b + 1) * 60) {
                        Thread.sleep(5);
                    }
                    Set<String> before = Set.copyOf(acknowledged.keySet());
                    taken.add(db.backup(backups, BACKUPS));
                    duringBackup.add(acknowledged.size() - before.size());
                    acknowledgedBefore.add(before);
                }
            } finally {
                stop.set(true);
                pool.shutdown();
            }
            for (Future<Integer> f : writers) {
                assertTrue(f.get() >= 20);
            }
            finalIds = BackupFixtures.ids(db);
        }
        assertEquals(BACKUPS, StemeDB.listBackups(backups).size());
        assertTrue(duringBackup.stream().mapToInt(Integer::intValue).sum() > 0,
                "writers committed while backups ran: " + duringBackup);
        for (int b = 0; b < BACKUPS; b++) {
            assertTrue(b == 0 || acknowledgedBefore.get(b).size() > acknowledgedBefore.get(b - 1).size(),
                    "writers kept going between backups");
            Path target = dir.resolve("restored-" + taken.get(b).id());
            StemeDB.restoreBackup(backups, taken.get(b).id(), target);
            try (StemeDB restored = StemeDB.open(target)) {
                VerifyReport report = restored.verify();
                assertTrue(report.ok(), "backup " + taken.get(b).id() + ": " + report.problems());
                Map<AssertionId, Assertion> all = BackupFixtures.all(restored);
                assertTrue(finalIds.containsAll(all.keySet()), "a backup holds nothing the database never had");
                Map<String, Integer> found = new HashMap<>();
                Map<String, Set<AssertionId>> foundIds = new HashMap<>();
                for (Assertion a : all.values()) {
                    String key = a.metadata().get("batch");
                    found.merge(key, 1, Integer::sum);
                    foundIds.computeIfAbsent(key, x -> new HashSet<>()).add(a.id());
                }
                for (Map.Entry<String, Integer> e : found.entrySet()) {
                    assertEquals(planned.get(e.getKey()), e.getValue(), "batch " + e.getKey() + " is whole in backup "
                            + taken.get(b).id());
                }
                for (String key : acknowledgedBefore.get(b)) {
                    assertEquals(Set.copyOf(acknowledged.get(key)), foundIds.get(key),
                            "batch " + key + ", acknowledged before backup " + taken.get(b).id() + " started, is in it");
                }
                assertTrue(found.size() >= acknowledgedBefore.get(b).size());
            }
        }
    }
}
