package io.stemedb.acceptance.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stemedb.StemeDB;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lenses;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A test suite that uses only {@code StemeDB.inMemory()} needs no RocksDB (docs/operations.md,
 * "Installing"): writes, retractions, resolution and history work on a class path without
 * rocksdbjni. It runs in the surefire execution {@code without-rocksdb} of this module, which
 * removes rocksdbjni from the class path and sets {@code stemedb.test.rocksdb=excluded}; the
 * default execution, which has RocksDB, skips it.
 */
class InMemoryWithoutRocksDbTest {
    @BeforeEach
    void onAClassPathWithoutRocksDb() {
        assumeTrue("excluded".equals(System.getProperty("stemedb.test.rocksdb")),
                "runs in the without-rocksdb execution only");
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.rocksdb.RocksDB"),
                "rocksdbjni is on the class path of the without-rocksdb execution");
    }

    @Test
    void inMemoryWritesAndResolves() {
        try (StemeDB db = StemeDB.inMemory()) {
            AssertionId alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            db.write(batch -> {
                batch.assertion("acme", "ceo", Value.text("Bob")).source("crm");
                batch.retract(alice, "hr");
            });

            assertEquals(Value.text("Bob"),
                    db.resolve("acme", "ceo", Lenses.trust("hr", "crm").orElse(Lenses.latest())).value().orElseThrow());
            Evidence history = db.history("acme", "ceo");
            assertEquals(2, history.claims().size());
            assertTrue(history.isRetracted(alice));
            assertEquals(List.of(Value.text("Bob")), history.live().stream().map(Claim::value).toList());
        }
    }
}
