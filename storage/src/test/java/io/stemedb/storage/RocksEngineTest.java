package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyHandle;

/** The {@link Engine} contract, run against the {@link RocksEngine} in a fresh directory per test. */
class RocksEngineTest extends EngineContractTest {
    @TempDir
    Path dir;

    @Override
    protected Engine newEngine() {
        return RocksEngine.open(dir.resolve("db"), RocksSettings.DEFAULT, 0x5eedL);
    }

    /**
     * The commit skips the existence lookup for assertions stamped after the newest stored one;
     * after a reopen that bound comes from disk, and the newest stored assertion itself (stamped
     * exactly at the bound) and older ones must still be recognised.
     */
    @Test
    void afterReopenStoredAssertionsAreStillRecognisedAndOlderNewOnesStored() {
        Claim older = claim("s", "p", "merged-later");
        Claim a = claim("s", "p", "a");
        Claim newest = claim("s", "p", "b");
        engine.commit(List.of(a, newest));
        engine.close();
        engine = newEngine();

        assertEquals(List.of(), engine.commit(List.of(newest, a)));
        assertEquals(List.of(older.id()), changeIds(engine.commit(List.of(newest, older, a))));
        assertEquals(new EngineStats(3, 0, 3), engine.stats());
        assertEquals(List.of(3L), sequences(engine.changesSince(2, 10)));
    }

    /**
     * The open opens the table files on one thread per core, 2 to 16: RocksDB's 16 per family cost
     * more than they saved on a small machine. The options RocksDB wrote at the open say so.
     */
    @Test
    void opensTheTableFilesOnOneThreadPerCoreFromTwoToSixteen() throws IOException {
        assertEquals(2, RocksStore.fileOpeningThreads(1));
        assertEquals(2, RocksStore.fileOpeningThreads(2));
        assertEquals(6, RocksStore.fileOpeningThreads(6));
        assertEquals(16, RocksStore.fileOpeningThreads(16));
        assertEquals(16, RocksStore.fileOpeningThreads(96));

        Path written;
        try (Stream<Path> files = Files.list(dir.resolve("db"))) {
            written = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-")).max(Path::compareTo).orElseThrow();
        }
        String expected = "max_file_opening_threads=" + RocksStore.fileOpeningThreads(Runtime.getRuntime().availableProcessors());
        assertTrue(Files.readAllLines(written).stream().anyMatch(line -> line.strip().equals(expected)), expected + " in " + written);
    }

    /** Repeated reads of a fact come from the fact cache; with the cache off, none do. */
    @Test
    void repeatedReadsOfAFactAreServedByTheFactCache() {
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a));
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(a), engine.evidence("s", "p").claims());
        }
        assertEquals("4", engine.properties().get("fact-cache-hits"), "one miss (a cache with room keeps it), four hits");
        assertEquals("1", engine.properties().get("fact-cache-misses"));
        engine.close();

        RocksSettings off = new RocksSettings(false, true, java.time.Duration.ofSeconds(1), 64L << 20, 32L << 20, 0);
        engine = RocksEngine.open(dir.resolve("db"), off, 0x5eedL);
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(a), engine.evidence("s", "p").claims());
        }
        assertEquals("off", engine.properties().get("fact-cache"));
    }

    /** A fact read often is kept decoded: its reads return one evidence, until a commit changes the fact. */
    @Test
    void aHotFactIsServedDecodedUntilACommitChangesIt() {
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a));
        Evidence previous = engine.evidence("s", "p");
        Evidence current = engine.evidence("s", "p");
        for (int i = 0; i < 1000 && current != previous; i++) {
            previous = current;
            current = engine.evidence("s", "p");
        }
        assertSame(current, engine.evidence("s", "p"), "a hot fact is decoded once and then served as it is");
        assertEquals(List.of(a), current.claims());

        Claim b = claim("s", "p", "b");
        engine.commit(List.of(b));
        assertEquals(List.of(a, b), engine.evidence("s", "p").claims(), "a commit's change is read at once");
    }

    /**
     * Once writes stop, memtables holding a quarter of their budget are flushed to table files by
     * the upkeep thread (their share of the block cache then serves reads), and reads answer as
     * before.
     */
    @Test
    void idleMemtablesAreFlushedOnceWritesStop() throws InterruptedException {
        engine.close();
        RocksSettings small = new RocksSettings(false, true, java.time.Duration.ofSeconds(1), 64L << 20, 4L << 20, 0);
        RocksEngine rocks = RocksEngine.open(dir.resolve("idle"), small, 0x5eedL);
        engine = rocks;
        long quarter = (4L << 20) / RocksEngine.IDLE_FLUSH_FRACTION;
        List<Claim> written = new java.util.ArrayList<>();
        String padding = "x".repeat(200);
        for (int batch = 0; rocks.store().memtableBytesInUse() < quarter; batch++) {
            List<Claim> claims = new java.util.ArrayList<>();
            for (int i = 0; i < 500; i++) {
                claims.add(claim("s" + batch, "p" + i, padding + i));
            }
            rocks.commit(claims);
            written.add(claims.get(0));
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (rocks.store().memtableBytesInUse() >= quarter && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(true, rocks.store().memtableBytesInUse() < quarter,
                "memtables still hold " + rocks.store().memtableBytesInUse() + " bytes a minute after the last write");
        assertEquals(0L, rocks.store().memtableEntries());
        for (Claim c : written) {
            assertEquals(List.of(c), rocks.evidence(c.subject(), c.predicate()).claims());
        }
    }

    /**
     * Facts written after the rest sit above the bottom level, where a read looks in two levels;
     * once writes pause, the upkeep compacts them into the bottom level, and every fact reads as
     * before.
     */
    @Test
    void factsAboveTheBottomLevelAreSettledOnceWritesPause() throws InterruptedException {
        engine.close();
        RocksEngine rocks = RocksEngine.open(dir.resolve("settle"), UNSYNCED, 0x5eedL);
        engine = rocks;
        ColumnFamilyHandle facts = rocks.store().handle(Family.FACTS);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        List<Claim> written = new java.util.ArrayList<>();
        for (int round = 0; round < 2; round++) {
            // random values: table files as large as what they hold, whatever the compression
            for (int batch = 0; batch < 8; batch++) {
                List<Claim> claims = new java.util.ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    byte[] noise = new byte[96];
                    random.nextBytes(noise);
                    claims.add(claim("s" + batch + "-" + i, "p" + round, java.util.HexFormat.of().formatHex(noise)));
                }
                rocks.commit(claims);
                written.add(claims.get(0));
                written.add(claims.get(999));
            }
            rocks.store().flushAll(false);
            if (round == 0) {
                rocks.store().compactAll();
            }
        }
        long above = rocks.store().bytesAboveBottom(facts);
        assertTrue(above >= RocksEngine.SETTLE_MIN_BYTES && above >= rocks.store().tableBytes(facts) / RocksEngine.SETTLE_SHARE,
                "the second round lies above the bottom level: " + above + " of " + rocks.store().tableBytes(facts) + " bytes");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (rocks.store().bytesAboveBottom(facts) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0L, rocks.store().bytesAboveBottom(facts), "a minute after the last write");
        for (Claim c : written) {
            assertEquals(List.of(c), rocks.evidence(c.subject(), c.predicate()).claims());
        }
    }

    private static final RocksSettings UNSYNCED = new RocksSettings(false, false, java.time.Duration.ofSeconds(1),
            64L << 20, 32L << 20, 64L << 20);

    /** The stored entries of a fact's head, read raw: what a reader merges. */
    private static FactEntries.Parsed headOf(RocksEngine engine, byte[] factKey) {
        byte[] value = engine.rawFactValue(factKey);
        return FactEntries.parse(value, () -> "the head");
    }

    /**
     * A fact written one claim per commit is sealed every {@link RocksEngine#SEAL_AFTER} appends:
     * its head never holds more operands than that, its chunks keep the claims, and a read
     * returns every claim in record order.
     */
    @Test
    void aFactWrittenOneClaimAtATimeIsSealedIntoChunks() {
        engine.close();
        RocksEngine rocks = RocksEngine.open(dir.resolve("sealed"), UNSYNCED, 0x5eedL);
        engine = rocks;
        int n = 10 * RocksEngine.SEAL_AFTER + 7;
        List<Claim> written = new java.util.ArrayList<>();
        int mostInHead = 0;
        for (int i = 0; i < n; i++) {
            Claim c = claim("hot", "fact", "v" + i);
            written.add(c);
            rocks.commit(List.of(c));
            FactEntries.Parsed head = headOf(rocks, Keys.factKey("hot", "fact"));
            mostInHead = Math.max(mostInHead, head.entries().size());
        }
        assertEquals(true, mostInHead <= RocksEngine.SEAL_AFTER, "a head holds at most SEAL_AFTER appends: " + mostInHead);
        assertEquals(10, headOf(rocks, Keys.factKey("hot", "fact")).chunks());
        assertEquals(written, rocks.evidence("hot", "fact").claims());
        assertEquals(true, rocks.verify().ok());
    }

    /**
     * 100,000 claims of one fact in one commit go to a chunk at once, and a read returns them all:
     * a large fact costs its size, not its size times its claims.
     */
    @Test
    void aHundredThousandClaimsOfOneFactAreWrittenAndReadInLinearTime() {
        engine.close();
        RocksEngine rocks = RocksEngine.open(dir.resolve("large"), UNSYNCED, 0x5eedL);
        engine = rocks;
        List<Claim> written = new java.util.ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            written.add(claim("sensor", "reading", "r" + i));
        }
        for (int from = 0; from < written.size(); from += 25_000) {
            rocks.commit(written.subList(from, from + 25_000));
        }
        assertEquals(4, headOf(rocks, Keys.factKey("sensor", "reading")).chunks(), "each large commit is one chunk");
        for (int i = 0; i < 10; i++) {
            rocks.commit(List.of(claim("sensor", "reading", "late " + i)));
        }
        List<Claim> claims = rocks.evidence("sensor", "reading").claims();
        assertEquals(100_010, claims.size());
        assertEquals(written, claims.subList(0, 100_000));
        assertEquals(true, rocks.verify().ok());
    }
}
