package io.stemedb.storage;

import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RocksEngineTest} (the {@link Engine} contract and more) with tiny index runs: every index read must answer as from write batches. */
@ExtendWith(SmallIndexRuns.class)
class RocksEngineRunsTest extends RocksEngineTest {
}
