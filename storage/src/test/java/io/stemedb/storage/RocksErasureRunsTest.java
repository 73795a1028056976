package io.stemedb.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The erasure contract against a {@link RocksEngine} whose indexer writes its entries as a run of
 * table files every two assertions ({@link Indexer#writeGathered}): an erasure deletes index
 * entries that runs wrote, and no later run may bring one back.
 */
class RocksErasureRunsTest extends ErasureContractTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void smallRuns() {
        System.setProperty("stemedb.indexer.runAssertions", "2");
    }

    @AfterAll
    static void defaultRuns() {
        System.clearProperty("stemedb.indexer.runAssertions");
    }

    @Override
    protected Engine newEngine() {
        return RocksEngine.open(dir.resolve("db"), RocksSettings.DEFAULT, 0x5eedL);
    }

    @Override
    protected Engine reopen(Engine engine) {
        engine.close();
        return newEngine();
    }
}
