package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexer writes its index entries with every batch but the sync bucket digests only at a
 * checkpoint ({@link Indexer}): here every 100 assertions, so that a database left between two
 * checkpoints (by a crash: a copy of the live directory, as the crash image of
 * {@link WalDamageTest}) has its digests behind its index entries. Reopening replays from the
 * digest watermark and ends with the digests of every id; verify checks each watermark against
 * what it covers.
 */
class IndexerCheckpointTest {
    private static final int EVERY = 100;
    private static final long NODE = 0x42L;

    @TempDir
    Path tmp;

    private static Claim claim(int i) {
        return Claim.builder("subject " + i % 37, "p" + i % 5, Value.integer(i)).source("src" + i % 3)
                .hlc(Hlc.of(1_700_000_000_000L + i, 0, NODE)).build();
    }

    private static List<Assertion> claims(int from, int to) {
        List<Assertion> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(claim(i));
        }
        return list;
    }

    private static IdDigest digestOf(List<Assertion> assertions) {
        IdDigest d = IdDigest.empty();
        for (Assertion a : assertions) {
            d = d.plus(a.id());
        }
        return d;
    }

    private static long[] watermarks(RocksStore store) {
        byte[] digests = store.get(store.meta(), RocksStore.INDEXED_KEY);
        byte[] entries = store.get(store.meta(), RocksStore.INDEXED_ENTRIES_KEY);
        return new long[] {digests == null ? -1 : ByteBuffer.wrap(digests).getLong(), entries == null ? -1 : ByteBuffer.wrap(entries).getLong()};
    }

    private static Set<Integer> storedBuckets(RocksStore store) {
        Set<Integer> buckets = new HashSet<>();
        store.scan(store.handle(Family.DIGESTS), new byte[0], (key, value) -> buckets.add(Keys.bucketOf(key)));
        return buckets;
    }

    private static Set<Integer> bucketsOf(List<Assertion> assertions) {
        Set<Integer> buckets = new HashSet<>();
        assertions.forEach(a -> buckets.add(a.id().prefix16()));
        return buckets;
    }

    /**
     * One commit of 100 is one indexer batch that reaches the checkpoint; the next 50 are indexed
     * but not digested on disk. The image taken then (the indexer caught up, nothing closed)
     * reopens with every digest right, read-only and read-write, and verifies clean.
     */
    @Test
    void aDatabaseLeftBetweenCheckpointsReplaysFromTheDigestWatermark() throws Exception {
        Path live = tmp.resolve("live");
        Path image = tmp.resolve("image");
        List<Assertion> first = claims(0, 100);
        List<Assertion> second = claims(100, 150);
        List<Assertion> all = new ArrayList<>(first);
        all.addAll(second);
        RocksEngine engine = RocksEngine.open(live, RocksSettings.DEFAULT, NODE, EVERY);
        try {
            engine.commit(first);
            assertEquals(digestOf(first), engine.digest(), "waits for the indexer");
            engine.commit(second);
            assertEquals(digestOf(all), engine.digest(), "the digests in memory are current");
            RocksStore store = engine.store();
            assertEquals(100L, watermarks(store)[0], "the checkpoint came with the batch that reached 100 assertions");
            assertEquals(150L, watermarks(store)[1], "the entries watermark follows every batch");
            assertEquals(bucketsOf(first), storedBuckets(store), "only the checkpoint wrote bucket digests");
            assertTrue(engine.verify().ok(), () -> engine.verify().problems().toString());
            WalDamageTest.imageOf(engine, image);
        } finally {
            engine.close();
        }

        RocksSettings readOnly = new RocksSettings(true, true, Duration.ofSeconds(1), 64L << 20, 32L << 20, 64L << 20);
        try (RocksEngine ro = RocksEngine.open(image, readOnly, NODE)) {
            assertEquals(150L, Long.parseLong(ro.properties().get("indexed-sequence")), "index entries are read up to 150");
            assertEquals(50, ro.bySource("src1").size(), "by source, the entries of all 150");
            StorageException e = assertThrows(StorageException.class, ro::digest);
            assertTrue(e.getMessage().contains("the sync digests of this database trail its indexes by 50 assertions")
                    && e.getMessage().contains("open it read-write once"), e.getMessage());
            VerifyReport report = ro.verify();
            assertTrue(report.ok(), report.problems().toString());
        }
        try (RocksEngine rw = RocksEngine.open(image, RocksSettings.DEFAULT, NODE, EVERY)) {
            assertEquals(digestOf(all), rw.digest(), "the replay from 100 added the last 50 ids");
            for (Assertion a : all) {
                int bucket = a.id().prefix16();
                IdDigest expected = IdDigest.of(all.stream().map(Assertion::id).filter(id -> id.prefix16() == bucket).toList());
                assertEquals(expected, rw.bucketDigest(bucket), "bucket " + bucket);
            }
            assertTrue(rw.verify().ok());
        }
        try (RocksEngine again = RocksEngine.open(image, RocksSettings.DEFAULT, NODE, EVERY)) {
            assertEquals(150L, watermarks(again.store())[0], "closing checkpointed");
            assertEquals(bucketsOf(all), storedBuckets(again.store()));
            assertEquals(digestOf(all), again.digest());
            assertTrue(again.verify().ok());
        }
    }

    /**
     * After a crash the index entries are brought up to date from the entries watermark first;
     * the ids between the digest watermark and it are digested afterwards. Here the digest pass
     * is held (its reads of the log wait on a latch): index reads are answered meanwhile, digest
     * reads wait, and no checkpoint is written though more than {@value #EVERY} assertions were
     * indexed since the last one (the live database checkpointed every 200, the reopened one every 100), so the stored digests stay those of their watermark. Once the
     * pass runs, the digests are those of every id and a checkpoint records them.
     */
    @Test
    void indexReadsWaitOnlyForTheEntriesReplayAndDigestReadsForTheDigestPass() throws Exception {
        Path live = tmp.resolve("live");
        Path image = tmp.resolve("image");
        List<Assertion> all = claims(0, 500);
        List<io.stemedb.model.Change> changes;
        try (RocksEngine engine = RocksEngine.open(live, RocksSettings.DEFAULT, NODE, 2 * EVERY)) {
            engine.commit(all.subList(0, 200));
            // indexed alone (a checkpoint at 200), not in one batch with the next commit
            engine.digest();
            engine.commit(all.subList(200, 350));
            engine.digest();
            assertEquals(200L, watermarks(engine.store())[0]);
            assertEquals(350L, watermarks(engine.store())[1]);
            WalDamageTest.imageOf(engine, image);
            engine.commit(all.subList(350, 500));
            changes = engine.changesSince(0, 1000);
        }
        assertEquals(500, changes.size());
        java.util.concurrent.CountDownLatch pass = new java.util.concurrent.CountDownLatch(1);
        List<Long> reads = java.util.Collections.synchronizedList(new ArrayList<>());
        Indexer.Replay replay = (after, limit) -> {
            reads.add(after);
            if (after < 350) {
                try {
                    pass.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return changes.stream().filter(c -> c.sequence() > after).limit(limit).toList();
        };
        java.util.concurrent.ExecutorService waiter = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (RocksStore store = RocksStore.open(image, RocksSettings.DEFAULT, NODE)) {
            long[] before = watermarks(store);
            assertEquals(200L, before[0]);
            assertEquals(350L, before[1]);
            // the image's log ends at 350; the replay hands over the 150 committed after it, as a log that went on would
            Indexer indexer = new Indexer(store, 500, false, replay, EVERY);
            try {
                waiter.submit(() -> indexer.await(500)).get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(500L, indexer.indexed());
                assertEquals(350L, reads.get(0), "the replay starts at the entries watermark, not the digest watermark");
                java.util.concurrent.Future<?> digests = waiter.submit(() -> indexer.awaitDigests(500));
                assertThrows(java.util.concurrent.TimeoutException.class, () -> digests.get(300, java.util.concurrent.TimeUnit.MILLISECONDS),
                        "digest reads wait for the digest pass");
                assertEquals(200L, watermarks(store)[0], "no checkpoint while ids between the watermarks are not digested");
                assertEquals(500L, watermarks(store)[1], "the entries watermark follows the replay");
                assertTrue(reads.contains(200L), "the digest pass reads the log from the digest watermark: " + reads);
                pass.countDown();
                digests.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(digestOf(all), indexer.digest());
                for (Assertion a : all) {
                    int bucket = a.id().prefix16();
                    IdDigest expected = IdDigest.of(all.stream().map(Assertion::id).filter(id -> id.prefix16() == bucket).toList());
                    assertEquals(expected, indexer.bucketDigest(bucket), "bucket " + bucket);
                }
                assertEquals(500L, watermarks(store)[0], "the end of the pass checkpoints: 300 assertions were indexed since the last");
                byte[] stored = store.get(store.meta(), RocksStore.INDEXED_KEY);
                assertEquals(digestOf(all), IdDigest.fromBytes(java.util.Arrays.copyOfRange(stored, 8, stored.length)));
                assertEquals(bucketsOf(all), storedBuckets(store));
            } finally {
                pass.countDown();
                indexer.close();
            }
        } finally {
            waiter.shutdownNow();
        }
    }

    /**
     * An erasure takes the ids of the claims it erases out of the digests, so it waits for the
     * digest pass after a crash: a database never checkpointed (digest watermark absent, entries
     * watermark at 20,000) reopened and erased from at once ends with exactly the digests of
     * what is left, which a reopen and verify confirm.
     */
    @Test
    void anErasureRightAfterACrashWaitsForTheDigestPass() throws Exception {
        Path live = tmp.resolve("live");
        Path image = tmp.resolve("image");
        List<Assertion> all = claims(0, 20_000);
        try (RocksEngine engine = RocksEngine.open(live, RocksSettings.DEFAULT, NODE, Indexer.CHECKPOINT)) {
            for (int i = 0; i < all.size(); i += 1000) {
                engine.commit(all.subList(i, i + 1000));
            }
            engine.digest();
            assertEquals(-1L, watermarks(engine.store())[0], "no checkpoint yet");
            assertEquals(20_000L, watermarks(engine.store())[1]);
            WalDamageTest.imageOf(engine, image);
        }
        Erasure erasure = Erasure.of(Erasure.Scope.subject("subject 3"), "dpo", Hlc.of(1_700_000_100_000L, 0, NODE), "request 18", null);
        IdDigest expected = digestOf(all.stream().filter(a -> !((Claim) a).subject().equals("subject 3")).toList()).plus(erasure.id());
        try (RocksEngine engine = RocksEngine.open(image, RocksSettings.DEFAULT, NODE, Indexer.CHECKPOINT)) {
            engine.commit(List.of(erasure));
            assertEquals(expected, engine.digest());
        }
        try (RocksEngine engine = RocksEngine.open(image, RocksSettings.DEFAULT, NODE, Indexer.CHECKPOINT)) {
            assertEquals(expected, engine.digest());
            VerifyReport report = engine.verify();
            assertTrue(report.ok(), report.problems().toString());
        }
    }

    /**
     * A StemeDB that writes only the digest watermark (one that checkpoints every batch) leaves
     * the entries watermark it does not know behind: the later of the two counts.
     */
    @Test
    void anEntriesWatermarkBehindTheDigestWatermarkIsSound() throws Exception {
        Path dir = tmp.resolve("db");
        List<Assertion> all = claims(0, 60);
        try (RocksEngine engine = RocksEngine.open(dir, RocksSettings.DEFAULT, NODE, EVERY)) {
            engine.commit(all);
        }
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir)) {
            raw.db.put(raw.family("default"), RocksStore.INDEXED_ENTRIES_KEY, ByteBuffer.allocate(8).putLong(7).array());
        }
        try (RocksEngine engine = RocksEngine.open(dir, RocksSettings.DEFAULT, NODE, EVERY)) {
            VerifyReport report = engine.verify();
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(digestOf(all), engine.digest());
            assertEquals(60L, Long.parseLong(engine.properties().get("indexed-sequence")));
        }
    }

    /** A damaged entries watermark record is named, as the digest watermark's is. */
    @Test
    void aDamagedEntriesWatermarkIsCorruption() throws Exception {
        Path dir = tmp.resolve("db");
        try (RocksEngine engine = RocksEngine.open(dir, RocksSettings.DEFAULT, NODE, EVERY)) {
            engine.commit(claims(0, 10));
        }
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir)) {
            raw.db.put(raw.family("default"), RocksStore.INDEXED_ENTRIES_KEY, new byte[] {1, 2, 3});
        }
        try (RocksEngine engine = RocksEngine.open(dir, RocksSettings.DEFAULT, NODE, EVERY)) {
            VerifyReport report = engine.verify();
            assertEquals(1, report.problems().size(), report.problems().toString());
            assertTrue(report.problems().get(0).contains("the indexer's entries watermark record (3 bytes) is damaged"),
                    report.problems().toString());
        }
    }

    /**
     * An erasure's commit checkpoints the digests up to the sequence before its own: the digests
     * it stores are right for every id before it, not only for the buckets of the erased ones.
     */
    @Test
    void anErasureCheckpointsTheDigestsOfEveryEarlierCommit() {
        Path dir = tmp.resolve("db");
        try (RocksEngine engine = RocksEngine.open(dir, RocksSettings.DEFAULT, NODE, Indexer.CHECKPOINT)) {
            engine.commit(claims(0, 40));
            engine.commit(List.of(Erasure.of(Erasure.Scope.subject("subject 3"), "dpo", Hlc.of(1_700_000_100_000L, 0, NODE),
                    "request 17", null)));
            assertEquals(digestOf(claims(0, 40).stream().filter(a -> !((Claim) a).subject().equals("subject 3")).toList())
                    .count() + 1, engine.digest().count(), "the erased claims' ids are gone, the erasure's is in");
            long[] marks = watermarks(engine.store());
            assertEquals(40L, marks[0], "the checkpoint in the erasure's commit covers every claim before it");
            assertEquals(41L, marks[1], "the erasure itself is indexed after its commit, in an ordinary batch");
            VerifyReport report = engine.verify();
            assertTrue(report.ok(), report.problems().toString());
        }
    }
}
