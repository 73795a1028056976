package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claims of reserved sources (the key registry and the attestations, which a database reads
 * at every open) are indexed by source in the commit that stores them, so that reading them never
 * waits for the indexer: an open after a crash does not wait for the indexer's replay. Each test
 * leaves the indexer behind with one large commit of other claims before the reserved one.
 */
class ReservedSourcesTest {
    private static final long NODE = 0x42L;
    private static final long BASE_MS = 1_700_000_000_000L;
    /** Claims committed at once ahead of the reserved one: below the indexer's lag limit, seconds of its work. */
    private static final int BACKLOG = 90_000;
    private static final String RESERVED = Assertion.RESERVED_SOURCE_PREFIX + "keys";

    @TempDir
    Path tmp;

    private static List<Assertion> backlog() {
        List<Assertion> claims = new ArrayList<>(BACKLOG);
        for (int i = 0; i < BACKLOG; i++) {
            claims.add(Claim.builder("subject " + i, "p" + i % 7, Value.integer(i)).source("feed " + i % 5)
                    .hlc(Hlc.of(BASE_MS + i, 0, NODE)).build());
        }
        return claims;
    }

    private static Claim reserved() {
        return Claim.builder("feed 1", "binds", Value.text("a key")).source(RESERVED).hlc(Hlc.of(BASE_MS + BACKLOG, 0, NODE)).build();
    }

    private static long indexed(RocksEngine engine) {
        return Long.parseLong(engine.properties().get("indexed-sequence"));
    }

    @Test
    void aReservedSourceIsReadWithoutWaitingForTheIndexer() {
        try (RocksEngine engine = RocksEngine.open(tmp.resolve("db"), RocksSettings.DEFAULT, NODE)) {
            engine.commit(backlog());
            long sequence = engine.commit(List.of(reserved())).get(0).sequence();
            Assumptions.assumeTrue(indexed(engine) < sequence, "the indexer had reached the reserved claim: nothing to tell");

            List<Assertion> found = engine.bySource(RESERVED);
            long indexedAfter = indexed(engine);

            assertEquals(List.of(reserved()), found);
            assertTrue(indexedAfter < sequence, "answered before the indexer reached the claim (indexed to " + indexedAfter
                    + ", the claim is " + sequence + "): the commit indexed it, and the read did not wait");
            assertEquals(BACKLOG, engine.bySource("feed 1").size() * 5, "other sources are read once indexed, all of them");
        }
    }

    /** Commits the backlog and the reserved claim, prints the latter's sequence, then waits to be killed. */
    public static final class WriterMain {
        public static void main(String[] args) throws Exception {
            RocksEngine engine = RocksEngine.open(Path.of(args[0]), RocksSettings.DEFAULT, NODE);
            engine.commit(backlog());
            System.out.println(engine.commit(List.of(reserved())).get(0).sequence());
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    @Test
    void aProcessKilledWhileItsIndexerTrailsLeavesTheReservedEntryReadableAtOnce() throws Exception {
        Path dir = tmp.resolve("db");
        long sequence;
        try (RocksFaultTest.Child writer = new RocksFaultTest.Child(tmp.resolve("writer.stderr"), WriterMain.class.getName(),
                dir.toString())) {
            sequence = Long.parseLong(writer.line());
            writer.kill();
        }

        RocksSettings readOnly = new RocksSettings(true, true, Duration.ofSeconds(1), 64L << 20, 32L << 20, 64L << 20);
        try (RocksEngine crashed = RocksEngine.open(dir, readOnly, NODE)) {
            Assumptions.assumeTrue(indexed(crashed) < sequence, "the indexer had reached the reserved claim: nothing to tell");
            assertEquals(List.of(reserved()), crashed.bySource(RESERVED), "a read-only open, which indexes nothing, reads it");
            StorageException trailing = assertThrows(StorageException.class, () -> crashed.bySource("feed 1"));
            assertTrue(trailing.getMessage().contains("read-write once"), "other sources wait for the indexer: " + trailing);
        }
        try (RocksEngine reopened = RocksEngine.open(dir, RocksSettings.DEFAULT, NODE)) {
            assertEquals(List.of(reserved()), reopened.bySource(RESERVED));
            assertEquals(BACKLOG + 1, reopened.stats().assertions());
            assertTrue(reopened.verify().ok());
        }
    }
}
