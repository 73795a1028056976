package io.stemedb.storage;

/** The erasure contract on the {@link InMemoryEngine}; a heap engine has nothing to reopen, so it stays as it is. */
class InMemoryErasureTest extends ErasureContractTest {
    @Override
    protected Engine newEngine() {
        return new InMemoryEngine(0x5eedL);
    }

    @Override
    protected Engine reopen(Engine engine) {
        return engine;
    }
}
