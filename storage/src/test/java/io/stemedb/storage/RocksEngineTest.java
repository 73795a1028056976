package io.stemedb.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Engine} contract, run against the {@link RocksEngine} in a fresh directory per test. */
class RocksEngineTest extends EngineContractTest {
    @TempDir
    Path dir;

    @Override
    protected Engine newEngine() {
        return RocksEngine.open(dir.resolve("db"), RocksEngine.Settings.DEFAULT, 0x5eedL);
    }
}
