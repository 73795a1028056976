package io.stemedb.storage;

/** The {@link Engine} contract, run against the {@link InMemoryEngine}. */
class InMemoryEngineTest extends EngineContractTest {
    @Override
    protected Engine newEngine() {
        return new InMemoryEngine(0x5eedL);
    }
}
