package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * The indexer gathers index entries and writes them as runs of table files
 * ({@link Indexer#writeGathered}); what it gathered is written when a query wants it, when the
 * indexer is idle, and when the database closes. The contract suites run with tiny runs in
 * {@link RocksEngineRunsTest} and {@link RocksErasureRunsTest}; crash images with runs in
 * {@link IndexerRecoveryProperties}.
 */
class IndexRunsTest {
    private static final long NODE = 0x44L;

    @TempDir
    Path tmp;

    @AfterEach
    void defaultRuns() {
        System.clearProperty(SmallIndexRuns.PROPERTY);
    }

    private static Claim claim(int i) {
        return Claim.builder("subject " + i % 101, "p" + i % 7, Value.integer(i % 13)).source("src" + i % 3)
                .hlc(Hlc.of(1_700_000_000_000L + i, 0, NODE)).build();
    }

    private static long entriesWatermark(RocksStore store) {
        byte[] entries = store.get(store.meta(), RocksStore.INDEXED_ENTRIES_KEY);
        return entries == null ? -1 : ByteBuffer.wrap(entries).getLong();
    }

    private static long property(RocksStore store, Family family, String name) throws RocksDBException {
        return Long.parseLong(store.db().getProperty(store.handle(family), name));
    }

    /**
     * With runs of 64, 1,000 claims committed 10 at a time reach the by-value index as table
     * files: its memtable holds at most the last, short run, which the query that waited for it
     * put in a write batch. Every index read answers as a model of the claims says.
     */
    @Test
    void runsReachTheIndexesAsTableFilesAndQueriesSeeEveryEntry() throws RocksDBException {
        System.setProperty(SmallIndexRuns.PROPERTY, "64");
        List<Assertion> all = new ArrayList<>();
        try (RocksEngine engine = RocksEngine.open(tmp.resolve("db"), RocksSettings.DEFAULT, NODE)) {
            for (int from = 0; from < 1000; from += 10) {
                List<Assertion> batch = new ArrayList<>();
                for (int i = from; i < from + 10; i++) {
                    batch.add(claim(i));
                }
                engine.commit(batch);
                all.addAll(batch);
            }
            assertEquals(all.stream().filter(a -> a.source().equals("src1")).count(), engine.bySource("src1").size());
            RocksStore store = engine.store();
            assertTrue(property(store, Family.VALUES, "rocksdb.num-entries-active-mem-table") < 64,
                    "no more than a short run in the memtable");
            assertTrue(property(store, Family.VALUES, "rocksdb.total-sst-files-size") > 0, "no memtable was flushed: only runs make files");
            assertTrue(property(store, Family.VALUES, "rocksdb.estimate-num-keys") >= 900, "the runs' entries are in table files");
            assertEquals(1000L, entriesWatermark(store));
            for (int s = 0; s < 101; s += 10) {
                String subject = "subject " + s;
                TreeSet<String> predicates = new TreeSet<>();
                all.stream().map(a -> (Claim) a).filter(c -> c.subject().equals(subject)).forEach(c -> predicates.add(c.predicate()));
                assertEquals(List.copyOf(predicates), engine.predicates(subject), subject);
            }
            TreeSet<String> withValue = new TreeSet<>();
            all.stream().map(a -> (Claim) a).filter(c -> c.predicate().equals("p3") && c.value().equals(Value.integer(5)))
                    .forEach(c -> withValue.add(c.subject()));
            assertEquals(List.copyOf(withValue), engine.subjectsWith("p3", Value.integer(5)));
            assertEquals(101, engine.subjects(null, 1000).size());
            assertTrue(engine.verify().ok(), () -> engine.verify().problems().toString());
        }
    }

    /**
     * A commit writes no ids entry: its ids are read from memory until the indexer writes them.
     * In one snapshot, no id of an assertion past the entries watermark is in the family (a batch
     * of fewer than a run's assertions is written with its watermark), and every committed id is
     * found the moment its commit returns, whether or not the indexer has written it yet.
     */
    @Test
    void aCommitsIdsAreReadFromMemoryUntilTheIndexerWritesThem() {
        try (RocksEngine engine = RocksEngine.open(tmp.resolve("db"), RocksSettings.DEFAULT, NODE)) {
            List<Assertion> all = new ArrayList<>();
            for (int from = 0; from < 40; from += 4) {
                List<Assertion> batch = new ArrayList<>();
                for (int i = from; i < from + 4; i++) {
                    batch.add(claim(i));
                }
                engine.commit(batch);
                all.addAll(batch);
                for (Assertion a : all) {
                    assertTrue(engine.contains(a.id()), "committed " + a.id());
                }
                RocksStore store = engine.store();
                try (RocksStore.View view = store.view()) {
                    byte[] entries = view.get(store.meta(), RocksStore.INDEXED_ENTRIES_KEY);
                    long watermark = entries == null ? 0 : ByteBuffer.wrap(entries).getLong();
                    for (int i = (int) watermark; i < all.size(); i++) {
                        assertEquals(null, view.get(store.handle(Family.IDS), all.get(i).id().toBytes()),
                                "sequence " + (i + 1) + " is past the entries watermark " + watermark);
                    }
                }
            }
            assertEquals(all.size(), engine.ids(new byte[0], null, 1000).size(), "sync's id ranges wait for the indexer");
        }
    }

    /**
     * What the indexer gathered is written once it is idle for a second, with no query asking:
     * the entries watermark on disk reaches the last commit. Polled, with a bound far above the
     * second, so a slow machine only waits longer.
     */
    @Test
    void anIdleIndexerWritesWhatItGathered() throws InterruptedException {
        try (RocksEngine engine = RocksEngine.open(tmp.resolve("db"), RocksSettings.DEFAULT, NODE)) {
            List<Assertion> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batch.add(claim(i));
            }
            engine.commit(batch);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (entriesWatermark(engine.store()) < 10 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(10L, entriesWatermark(engine.store()));
        }
    }

    /**
     * A run is taken in before the watermark that covers it is written, so a snapshot, or a crash,
     * can show index entries ahead of the watermarks: here both watermarks are put back to 4 of
     * 10 claims (with the digests of those 4). The verifier accepts the entries ahead and still
     * names one that no stored record implies; the engine's replay brings the watermarks to 10.
     */
    @Test
    void indexEntriesAheadOfTheWatermarkAreSoundAndStraysAreNot() throws Exception {
        Path db = tmp.resolve("db");
        List<Assertion> all = commitTenOneByOne(db);
        byte[] stray = Keys.valueKey(Claim.builder("nobody", "p1", Value.integer(1)).source("src0")
                .hlc(Hlc.of(1_700_000_000_000L, 0, NODE)).build());
        putWatermarksBack(db, all, 4);
        // the verifier on the store alone: an engine's verify would first wait for its indexer's replay
        try (RocksStore store = RocksStore.open(db, RocksSettings.DEFAULT, NODE)) {
            VerifyReport report = new RocksVerifier().run(store);
            assertTrue(report.ok(), report.problems().toString());
        }
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(db)) {
            raw.db.put(raw.family("values"), stray, new byte[0]);
        }
        try (RocksStore store = RocksStore.open(db, RocksSettings.DEFAULT, NODE)) {
            VerifyReport report = new RocksVerifier().run(store);
            assertEquals(1, report.problems().size(), report.problems().toString());
            assertTrue(report.problems().get(0).contains("(nobody.p1) matches no stored claim"), report.problems().toString());
        }
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(db)) {
            raw.db.delete(raw.family("values"), stray);
        }
        try (RocksEngine engine = RocksEngine.open(db, RocksSettings.DEFAULT, NODE)) {
            assertEquals(io.stemedb.crdt.IdDigest.of(all.stream().map(Assertion::id).toList()), engine.digest());
            assertEquals(10L, entriesWatermark(engine.store()));
            assertTrue(engine.verify().ok(), () -> engine.verify().problems().toString());
        }
    }

    /** Commits 10 claims one by one into a new database {@code db}, closes it, and returns them in sequence order. */
    private static List<Assertion> commitTenOneByOne(Path db) {
        List<Assertion> all = new ArrayList<>();
        try (RocksEngine engine = RocksEngine.open(db, RocksSettings.DEFAULT, NODE)) {
            for (int i = 0; i < 10; i++) {
                engine.commit(List.of(claim(i)));
                all.add(claim(i));
            }
        }
        return all;
    }

    /**
     * Puts both watermarks of the closed database {@code db}, whose assertions are {@code all} in
     * sequence order, back to {@code to}, with the stored digests of the first {@code to} ids.
     */
    private static void putWatermarksBack(Path db, List<Assertion> all, int to) throws RocksDBException {
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(db)) {
            io.stemedb.crdt.IdDigest first = io.stemedb.crdt.IdDigest.empty();
            java.util.Map<Integer, io.stemedb.crdt.IdDigest> buckets = new java.util.HashMap<>();
            for (Assertion a : all.subList(0, to)) {
                first = first.plus(a.id());
                buckets.merge(a.id().prefix16(), io.stemedb.crdt.IdDigest.empty().plus(a.id()), (x, y) -> x.plus(a.id()));
            }
            for (Assertion a : all) {
                raw.db.delete(raw.family("digests"), Keys.bucketKey(a.id().prefix16()));
            }
            for (var b : buckets.entrySet()) {
                raw.db.put(raw.family("digests"), Keys.bucketKey(b.getKey()), b.getValue().toBytes());
            }
            raw.db.put(raw.family("default"), RocksStore.INDEXED_ENTRIES_KEY, ByteBuffer.allocate(8).putLong(to).array());
            raw.db.put(raw.family("default"), RocksStore.INDEXED_KEY, ByteBuffer.allocate(8 + first.toBytes().length)
                    .putLong(to).put(first.toBytes()).array());
        }
    }

    /**
     * After a crash the ids past the entries watermark are in the family only once the replay has
     * written them (here: watermarks put back to 4 of 10 claims, the ids entries of the other 6
     * deleted). The verifier accepts that and names an ids entry missing before the watermark; a
     * read-only handle finds the ids it holds and refuses, rather than deny, one it does not; a
     * read-write open finds every id, waiting for the replay only for those.
     */
    @Test
    void idsPastTheWatermarkAfterACrashAreFoundOnceReplayed() throws Exception {
        Path db = tmp.resolve("db");
        List<Assertion> all = commitTenOneByOne(db);
        putWatermarksBack(db, all, 4);
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(db)) {
            for (Assertion a : all.subList(4, 10)) {
                raw.db.delete(raw.family("assertions"), a.id().toBytes());
            }
        }
        try (RocksStore store = RocksStore.open(db, RocksFaultTest.READ_ONLY, NODE)) {
            VerifyReport report = new RocksVerifier().run(store);
            assertTrue(report.ok(), report.problems().toString());
        }
        AssertionId never = claim(10).id();
        try (RocksEngine readOnly = RocksFaultTest.openReadOnly(db)) {
            assertEquals(java.util.Optional.of(all.get(1)), readOnly.get(all.get(1).id()));
            StorageException e = assertThrows(StorageException.class, () -> readOnly.get(all.get(7).id()));
            assertTrue(e.getMessage().contains("trail"), e.getMessage());
            assertThrows(StorageException.class, () -> readOnly.contains(never));
        }
        try (RocksEngine engine = RocksEngine.open(db, RocksSettings.DEFAULT, NODE)) {
            for (Assertion a : all) {
                assertEquals(java.util.Optional.of(a), engine.get(a.id()));
            }
            assertFalse(engine.contains(never));
            assertTrue(engine.verify().ok(), () -> engine.verify().problems().toString());
        }
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(db)) {
            raw.db.delete(raw.family("assertions"), all.get(2).id().toBytes());
        }
        try (RocksStore store = RocksStore.open(db, RocksFaultTest.READ_ONLY, NODE)) {
            VerifyReport report = new RocksVerifier().run(store);
            assertEquals(1, report.problems().size(), report.problems().toString());
            assertTrue(report.problems().get(0).contains("missing assertions entry of " + all.get(2).id()), report.problems().toString());
        }
    }

    /** Run files a crash left behind are deleted by the next read-write open, which indexes from its watermark as ever. */
    @Test
    void runFilesLeftByACrashAreDeletedOnOpen() throws Exception {
        Path db = tmp.resolve("db");
        try (RocksEngine engine = RocksEngine.open(db, RocksSettings.DEFAULT, NODE)) {
            engine.commit(List.of(claim(1), claim(2)));
        }
        Path runs = db.resolve(Indexer.RUNS_DIRECTORY);
        Files.createDirectories(runs);
        Files.write(runs.resolve("2-values.sst"), new byte[] {1, 2, 3});
        try (RocksEngine engine = RocksEngine.open(db, RocksSettings.DEFAULT, NODE)) {
            assertFalse(Files.exists(runs), "the runs directory is gone");
            assertEquals(1, engine.bySource("src1").size());
            assertTrue(engine.verify().ok(), () -> engine.verify().problems().toString());
        }
    }
}
