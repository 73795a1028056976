package io.stemedb.storage;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link RocksErasureTest} (the erasure contract and more) with tiny index runs: an erasure
 * deletes index entries that runs wrote, and no later run may bring one back.
 */
@ExtendWith(SmallIndexRuns.class)
class RocksErasureRunsTest extends RocksErasureTest {
}
