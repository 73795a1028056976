package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.model.Claim;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Engine} contract, run against the {@link RocksEngine} in a fresh directory per test. */
class RocksEngineTest extends EngineContractTest {
    @TempDir
    Path dir;

    @Override
    protected Engine newEngine() {
        return RocksEngine.open(dir.resolve("db"), RocksEngine.Settings.DEFAULT, 0x5eedL);
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

    /** Repeated reads of a fact come from the fact cache; with the cache off, none do. */
    @Test
    void repeatedReadsOfAFactAreServedByTheFactCache() {
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a));
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(a), engine.evidence("s", "p").claims());
        }
        assertEquals("3", engine.properties().get("fact-cache-hits"), "two misses (the doorkeeper's, then the load kept), three hits");
        engine.close();

        RocksEngine.Settings off = new RocksEngine.Settings(false, true, java.time.Duration.ofSeconds(1), 64L << 20, 32L << 20, 0);
        engine = RocksEngine.open(dir.resolve("db"), off, 0x5eedL);
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(a), engine.evidence("s", "p").claims());
        }
        assertEquals("off", engine.properties().get("fact-cache"));
    }
}
