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
