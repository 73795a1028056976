package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The indexer's recovery ({@link Indexer}), whatever the checkpoint interval and the commits: a
 * crash image (both watermarks wherever the last batches and checkpoint left them: the digest
 * watermark anywhere up to the entries watermark) reopened with any interval answers the digest
 * of every id and every bucket's, and verifies clean; closed and reopened, the same again, so
 * what the digest pass checkpointed is right; whatever the size of the indexer's runs
 * ({@link Indexer#writeGathered}). The fixed cases are in {@link IndexerCheckpointTest}.
 */
class IndexerRecoveryProperties {
    private static final long NODE = 0x43L;

    private static Claim claim(int i) {
        return Claim.builder("subject " + i % 23, "p" + i % 4, Value.integer(i)).source("src" + i % 3)
                .hlc(Hlc.of(1_700_000_000_000L + i, 0, NODE)).build();
    }

    @Property(tries = 30)
    void aCrashImageReopensToTheDigestsOfEveryId(@ForAll @IntRange(min = 1, max = 80) int liveEvery,
            @ForAll @IntRange(min = 1, max = 80) int reopenEvery,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 40) Integer> batches,
            @ForAll @IntRange(min = 1, max = 60) int liveRun) throws IOException {
        Path dir = Files.createTempDirectory("indexer-recovery");
        try {
            List<Assertion> all = new ArrayList<>();
            Path image = dir.resolve("image");
            // the live indexer writes a run of table files every liveRun assertions: the image
            // holds some of them, and entries gathered for the next that only the replay brings back
            System.setProperty(SmallIndexRuns.PROPERTY, String.valueOf(liveRun));
            RocksEngine opened;
            try {
                opened = RocksEngine.open(dir.resolve("live"), RocksSettings.DEFAULT, NODE, liveEvery);
            } finally {
                System.clearProperty(SmallIndexRuns.PROPERTY);
            }
            try (RocksEngine live = opened) {
                for (int size : batches) {
                    List<Assertion> batch = new ArrayList<>();
                    for (int i = all.size(); i < all.size() + size; i++) {
                        batch.add(claim(i));
                    }
                    live.commit(batch);
                    all.addAll(batch);
                }
                WalDamageTest.imageOf(live, image);
            }
            IdDigest whole = IdDigest.of(all.stream().map(Assertion::id).toList());
            Map<Integer, List<AssertionId>> byBucket = all.stream().map(Assertion::id)
                    .collect(Collectors.groupingBy(AssertionId::prefix16));
            for (int reopen = 0; reopen < 2; reopen++) {
                try (RocksEngine engine = RocksEngine.open(image, RocksSettings.DEFAULT, NODE, reopenEvery)) {
                    // first, before any index read: ids past the image's entries watermark are
                    // found once the replay has written them, and only a miss waits for it
                    for (Assertion a : all) {
                        assertEquals(java.util.Optional.of(a), engine.get(a.id()), "open " + reopen);
                    }
                    assertFalse(engine.contains(claim(all.size()).id()), "never stored");
                    assertEquals(List.of(), engine.commit(List.of(all.get(all.size() / 2), all.get(all.size() - 1))),
                            "stored before the crash: not stored again");
                    assertEquals(whole, engine.digest(), "open " + reopen);
                    for (Map.Entry<Integer, List<AssertionId>> b : byBucket.entrySet()) {
                        assertEquals(IdDigest.of(b.getValue()), engine.bucketDigest(b.getKey()), "bucket " + b.getKey());
                    }
                    assertEquals(all.stream().filter(a -> a.source().equals("src1")).count(), engine.bySource("src1").size());
                    VerifyReport report = engine.verify();
                    assertTrue(report.ok(), report.problems().toString());
                }
            }
        } finally {
            ErasureConvergenceProperties.delete(dir);
        }
    }

    /**
     * The same at the level of the indexer, with commits handed over after the crash image (its
     * log, as a replay, goes on past the image) and the digest pass held until they are indexed:
     * so batches reach checkpoint sizes while ids are still undigested. The stored digest record
     * must then be exact at its watermark (the digest of the first that many ids), and the digests
     * in memory those of every id; a second indexer on the same store agrees.
     */
    @Property(tries = 40)
    void storedDigestsStayExactAtTheirWatermarkWhileTheDigestPassRuns(@ForAll @IntRange(min = 1, max = 80) int liveEvery,
            @ForAll @IntRange(min = 1, max = 80) int reopenEvery,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 40) Integer> batches,
            @ForAll @IntRange(min = 0, max = 200) int after) throws Exception {
        Path dir = Files.createTempDirectory("indexer-recovery");
        try {
            Path image = dir.resolve("image");
            int before = batches.stream().mapToInt(Integer::intValue).sum();
            List<io.stemedb.model.Change> changes;
            try (RocksEngine live = RocksEngine.open(dir.resolve("live"), RocksSettings.DEFAULT, NODE, liveEvery)) {
                int at = 0;
                for (int size : batches) {
                    List<Assertion> batch = new ArrayList<>();
                    for (int i = at; i < at + size; i++) {
                        batch.add(claim(i));
                    }
                    live.commit(batch);
                    at += size;
                }
                WalDamageTest.imageOf(live, image);
                List<Assertion> more = new ArrayList<>();
                for (int i = before; i < before + after; i++) {
                    more.add(claim(i));
                }
                live.commit(more);
                changes = live.changesSince(0, before + after + 1);
            }
            long last = before + after;
            for (int round = 0; round < 2; round++) {
                java.util.concurrent.CountDownLatch entriesDone = new java.util.concurrent.CountDownLatch(round == 0 ? 1 : 0);
                long[] entriesWatermark = new long[1];
                Indexer.Replay replay = (afterSequence, limit) -> {
                    if (afterSequence < entriesWatermark[0]) {
                        try {
                            entriesDone.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return changes.stream().filter(c -> c.sequence() > afterSequence).limit(limit).toList();
                };
                try (RocksStore store = RocksStore.open(image, RocksSettings.DEFAULT, NODE)) {
                    byte[] entries = store.get(store.meta(), RocksStore.INDEXED_ENTRIES_KEY);
                    entriesWatermark[0] = entries == null ? 0 : java.nio.ByteBuffer.wrap(entries).getLong();
                    Indexer indexer = new Indexer(store, last, false, replay, reopenEvery);
                    try {
                        indexer.await(last);
                        checkStoredDigest(store, changes);
                        entriesDone.countDown();
                        indexer.awaitDigests(last);
                        assertEquals(digestOf(changes, last), indexer.digest(), "round " + round);
                    } finally {
                        entriesDone.countDown();
                        indexer.close();
                    }
                    checkStoredDigest(store, changes);
                }
            }
        } finally {
            ErasureConvergenceProperties.delete(dir);
        }
    }

    private static IdDigest digestOf(List<io.stemedb.model.Change> changes, long upTo) {
        return IdDigest.of(changes.stream().filter(c -> c.sequence() <= upTo).map(c -> c.assertion().id()).toList());
    }

    /** The stored digest record, if any, is the digest of the ids up to its watermark, and so are the stored buckets. */
    private static void checkStoredDigest(RocksStore store, List<io.stemedb.model.Change> changes) {
        byte[] mark = store.get(store.meta(), RocksStore.INDEXED_KEY);
        if (mark == null) {
            return;
        }
        long watermark = java.nio.ByteBuffer.wrap(mark).getLong();
        assertEquals(digestOf(changes, watermark), IdDigest.fromBytes(java.util.Arrays.copyOfRange(mark, 8, mark.length)),
                "the stored digest at watermark " + watermark);
        Map<Integer, IdDigest> stored = new java.util.HashMap<>();
        store.scan(store.handle(Family.DIGESTS), new byte[0], (key, value) -> {
            stored.put(Keys.bucketOf(key), IdDigest.fromBytes(value));
            return true;
        });
        Map<Integer, List<AssertionId>> expected = changes.stream().filter(c -> c.sequence() <= watermark)
                .map(c -> c.assertion().id()).collect(Collectors.groupingBy(AssertionId::prefix16));
        for (Map.Entry<Integer, List<AssertionId>> b : expected.entrySet()) {
            assertEquals(IdDigest.of(b.getValue()), stored.get(b.getKey()), "stored bucket " + b.getKey() + " at watermark " + watermark);
        }
    }
}
