package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.lens.Lenses;
import io.stemedb.model.Assertion;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query about a name that no assertion can have (empty, an unpaired surrogate, over the 1024-byte
 * limit) fails with the same {@link Assertion.InvalidAssertionException} on both engines, whatever
 * the query; names at the limit are answered alike. Before, the RocksDB engine threw an
 * IllegalArgumentException for long names and read an unpaired surrogate as '?', while the
 * in-memory engine answered empty.
 */
class ReadNamesTest {
    @TempDir
    Path dir;

    static final List<String> NO_ASSERTION_HAS = List.of("", "x".repeat(1025), "\u00e9".repeat(513), "\ud800",
            "a\udc00b", "?\ud83d");

    @Test
    void everyReadRefusesANameNoAssertionCanHaveAlikeOnBothEngines() {
        try (StemeDB memory = StemeDB.inMemory(); StemeDB disk = StemeDB.open(dir.resolve("db"))) {
            for (StemeDB db : List.of(memory, disk)) {
                db.assertion("?", "p", Value.text("v")).source("?").commit();
                db.assertion("s", "p", Value.text("v")).source("s").commit();
            }
            for (String bad : NO_ASSERTION_HAS) {
                List<Consumer<ReadView>> reads = List.of(
                        v -> v.history(bad, "p"), v -> v.history("s", bad),
                        v -> v.resolve(bad, "p", Lenses.latest()), v -> v.entity(bad, Lenses.latest()),
                        v -> v.conflicts(bad), v -> v.find(bad, Value.text("v"), Lenses.latest()),
                        v -> v.bySource(bad), v -> v.subjects(bad, 10), v -> v.conflicts(bad, 10));
                for (int r = 0; r < reads.size(); r++) {
                    Consumer<ReadView> read = reads.get(r);
                    String onMemory = assertThrows(Assertion.InvalidAssertionException.class, () -> read.accept(memory),
                            "read " + r + " of '" + bad + "' in memory").getMessage();
                    String onDisk = assertThrows(Assertion.InvalidAssertionException.class, () -> read.accept(disk),
                            "read " + r + " of '" + bad + "' on disk").getMessage();
                    assertEquals(onMemory, onDisk);
                    assertThrows(Assertion.InvalidAssertionException.class, () -> read.accept(disk.asOf(java.time.Instant.now())));
                }
            }
            String longest = "\u00e9".repeat(512);
            for (StemeDB db : List.of(memory, disk)) {
                assertTrue(db.history(longest, longest).isEmpty());
                assertEquals(List.of(), db.bySource(longest));
                assertEquals(1, db.bySource("?").size(), "the source named '?' only");
            }
        }
    }
}
