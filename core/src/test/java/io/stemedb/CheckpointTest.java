package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Named checkpoints stored with merges ({@link StemeDB#mergeEncoded(java.util.Collection, Map)},
 * {@link StemeDB#saveCheckpoint}) and the extension figures of {@link StemeDB#stats()}, on both
 * engines.
 */
class CheckpointTest {
    static final long NODE = 0x11L;
    static final long OTHER = 0x22L;

    @TempDir
    Path dir;

    StemeDB open(boolean onDisk) {
        StemeDBBuilder b = StemeDB.builder().nodeId(NODE);
        return onDisk ? b.open(dir.resolve("db")) : b.inMemory();
    }

    static EncodedAssertion remote(String subject, long millis) {
        return EncodedAssertion.of(Claim.builder(subject, "p", Value.text("v" + millis)).source("s")
                .hlc(Hlc.of(millis, 0, OTHER)).build());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "on disk: {0}")
    @ValueSource(booleans = {false, true})
    void aMergeStoresItsCheckpointsWithItsRecords(boolean onDisk) {
        try (StemeDB db = open(onDisk)) {
            assertTrue(db.checkpoint("kafka/t/0").isEmpty());
            MergeResult r = db.mergeEncoded(List.of(remote("a", 1_000), remote("b", 2_000)),
                    Map.of("kafka/t/0", bytes("41"), "kafka/t/1", bytes("7")));
            assertEquals(2, r.added());
            assertArrayEquals(bytes("41"), db.checkpoint("kafka/t/0").orElseThrow());
            assertArrayEquals(bytes("7"), db.checkpoint("kafka/t/1").orElseThrow());
            assertEquals(2, db.stats().lastSequence());
        }
    }

    @ParameterizedTest(name = "on disk: {0}")
    @ValueSource(booleans = {false, true})
    void checkpointsAdvanceWhenNothingIsNewAndReplaceTheirEarlierValue(boolean onDisk) {
        try (StemeDB db = open(onDisk)) {
            db.mergeEncoded(List.of(remote("a", 1_000)), Map.of("c", bytes("1")));
            MergeResult again = db.mergeEncoded(List.of(remote("a", 1_000)), Map.of("c", bytes("2")));
            assertEquals(0, again.added());
            assertEquals(1, again.duplicates());
            assertArrayEquals(bytes("2"), db.checkpoint("c").orElseThrow());
            db.mergeEncoded(List.of(), Map.of("c", bytes("3")));
            assertArrayEquals(bytes("3"), db.checkpoint("c").orElseThrow());
            db.saveCheckpoint("published", bytes("9"));
            assertArrayEquals(bytes("9"), db.checkpoint("published").orElseThrow());
            assertEquals(1, db.stats().lastSequence(), "checkpoints take no arrival sequence number");
        }
    }

    @Test
    void checkpointsSurviveAReopen() {
        try (StemeDB db = open(true)) {
            db.mergeEncoded(List.of(remote("a", 1_000)), Map.of("offsets", bytes("a=1")));
            db.saveCheckpoint("published", bytes("1"));
        }
        try (StemeDB db = open(true)) {
            assertArrayEquals(bytes("a=1"), db.checkpoint("offsets").orElseThrow());
            assertArrayEquals(bytes("1"), db.checkpoint("published").orElseThrow());
            assertEquals(1, db.stats().assertions());
            assertTrue(db.verify().ok(), "a checkpoint is no finding for verify");
        }
    }

    @ParameterizedTest(name = "on disk: {0}")
    @ValueSource(booleans = {false, true})
    void badCheckpointsAreRefusedAndTheMergeStoresNothing(boolean onDisk) {
        try (StemeDB db = open(onDisk)) {
            List<EncodedAssertion> one = List.of(remote("a", 1_000));
            assertThrows(IllegalArgumentException.class, () -> db.mergeEncoded(one, Map.of("", bytes("1"))));
            assertThrows(IllegalArgumentException.class, () -> db.mergeEncoded(one, Map.of("x".repeat(257), bytes("1"))));
            assertThrows(IllegalArgumentException.class, () -> db.mergeEncoded(one, Map.of("big", new byte[65_537])));
            assertThrows(IllegalArgumentException.class, () -> db.saveCheckpoint("", bytes("1")));
            assertEquals(0, db.stats().assertions());
            db.mergeEncoded(one, Map.of("x".repeat(256), new byte[65_536]));
            assertEquals(65_536, db.checkpoint("x".repeat(256)).orElseThrow().length);
        }
    }

    @ParameterizedTest(name = "on disk: {0}")
    @ValueSource(booleans = {false, true})
    void theCallersArrayIsCopied(boolean onDisk) {
        try (StemeDB db = open(onDisk)) {
            byte[] value = bytes("1");
            db.mergeEncoded(List.of(), Map.of("c", value));
            value[0] = '9';
            byte[] read = db.checkpoint("c").orElseThrow();
            assertArrayEquals(bytes("1"), read);
            read[0] = '8';
            assertArrayEquals(bytes("1"), db.checkpoint("c").orElseThrow());
        }
    }

    /** Concurrent merges share group commits; each one's checkpoint is stored with its own records. */
    @ParameterizedTest(name = "on disk: {0}")
    @ValueSource(booleans = {false, true})
    void concurrentMergesEachStoreTheirCheckpoint(boolean onDisk) throws Exception {
        try (StemeDB db = open(onDisk)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (int i = 1; i <= 50; i++) {
                            db.mergeEncoded(List.of(remote("s" + thread + "-" + i, 1_000 + i)),
                                    Map.of("t" + thread, bytes(Integer.toString(i))));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            for (int t = 0; t < 4; t++) {
                assertArrayEquals(bytes("50"), db.checkpoint("t" + t).orElseThrow());
            }
            assertEquals(200, db.stats().assertions());
        }
    }

    @Test
    void addedStatsAppearPrefixedUntilTheirRegistrationCloses() {
        try (StemeDB db = open(false)) {
            StemeDB.Registration r = db.addStats("kafka", () -> Map.of("published", "3"));
            assertEquals(Map.of("kafka.published", "3"), db.stats().extensions());
            assertThrows(IllegalStateException.class, () -> db.addStats("kafka", Map::of));
            assertThrows(IllegalArgumentException.class, () -> db.addStats("a.b", Map::of));
            StemeDB.Registration failing = db.addStats("broken", () -> {
                throw new IllegalStateException("no broker");
            });
            Map<String, String> ext = db.stats().extensions();
            assertEquals("no broker", ext.get("broken.error"));
            assertEquals("3", ext.get("kafka.published"));
            r.close();
            r.close();
            failing.close();
            assertTrue(db.stats().extensions().isEmpty());
            assertFalse(db.stats().extensions().containsKey("kafka.published"));
        }
    }
}
