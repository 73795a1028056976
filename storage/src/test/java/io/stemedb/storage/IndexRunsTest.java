package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
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
        List<Assertion> all = new ArrayList<>();
        try (RocksEngine engine = RocksEngine.open(db, RocksSettings.DEFAULT, NODE)) {
            for (int i = 0; i < 10; i++) {
                engine.commit(List.of(claim(i)));
                all.add(claim(i));
            }
        }
        byte[] stray = Keys.valueKey(Claim.builder("nobody", "p1", Value.integer(1)).source("src0")
                .hlc(Hlc.of(1_700_000_000_000L, 0, NODE)).build());
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(db)) {
            io.stemedb.crdt.IdDigest four = io.stemedb.crdt.IdDigest.empty();
            java.util.Map<Integer, io.stemedb.crdt.IdDigest> buckets = new java.util.HashMap<>();
            for (Assertion a : all.subList(0, 4)) {
                four = four.plus(a.id());
                buckets.merge(a.id().prefix16(), io.stemedb.crdt.IdDigest.empty().plus(a.id()), (x, y) -> x.plus(a.id()));
            }
            for (Assertion a : all) {
                raw.db.delete(raw.family("digests"), Keys.bucketKey(a.id().prefix16()));
            }
            for (var b : buckets.entrySet()) {
                raw.db.put(raw.family("digests"), Keys.bucketKey(b.getKey()), b.getValue().toBytes());
            }
            raw.db.put(raw.family("default"), RocksStore.INDEXED_ENTRIES_KEY, ByteBuffer.allocate(8).putLong(4).array());
            raw.db.put(raw.family("default"), RocksStore.INDEXED_KEY, ByteBuffer.allocate(8 + four.toBytes().length)
                    .putLong(4).put(four.toBytes()).array());
        }
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
