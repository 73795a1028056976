package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a bulk load leaves in the facts family: a fact that got many entries is sealed (its head
 * is the chunk count alone, its entries in chunks), the facts marker is gone, and a fact the
 * database held before keeps its entries, the load's appended after them.
 */
class BulkLoaderTest {
    @TempDir
    Path dir;

    RocksEngine engine;

    @BeforeEach
    void open() {
        System.setProperty("stemedb.bulk.runClaims", "100");
        engine = RocksEngine.open(dir.resolve("db"), RocksSettings.DEFAULT, 0x5eedL);
    }

    @AfterEach
    void close() {
        engine.close();
        System.clearProperty("stemedb.bulk.runClaims");
    }

    private static Claim claim(String subject, int i) {
        return Claim.builder(subject, "count", Value.integer(i)).source("crm").hlc(Hlc.of(1_700_000_000_000L + i, 0, 1)).build();
    }

    private BulkLoading.BulkLoaded load(List<? extends Assertion> assertions) {
        return engine.bulkLoad(new BulkLoading.BulkInput() {
            @Override
            public void feed(Consumer<Assertion> sink) {
                assertions.forEach(sink);
            }
        });
    }

    @Test
    void aFactGivenManyEntriesIsSealedAndTheMarkerIsGone() {
        engine.commit(List.of(claim("hot", -1)));
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            claims.add(claim(i % 3 == 0 ? "cold" + i : "hot", i));
        }
        BulkLoading.BulkLoaded r = load(claims);
        assertEquals(450, r.added());
        assertEquals(5, r.runs());
        RocksStore store = engine.store();
        byte[] head = store.get(store.handle(Family.FACTS), Keys.factKey("hot", "count"));
        FactEntries.Parsed parsed = FactEntries.parse(head, () -> "head");
        assertTrue(parsed.chunks() >= 1, "sealed into chunks");
        assertTrue(parsed.entries().isEmpty(), "the head keeps no entries after the seal");
        assertEquals(301, engine.evidence("hot", "count").claims().size(), "the stored claim and the load's 300");
        assertNull(store.get(store.handle(Family.FACTS), BulkLoader.FACTS_MARKER));
        assertNull(store.get(store.meta(), BulkLoader.Journal.KEY));
        assertTrue(engine.verify().ok(), () -> engine.verify().toString());
        // the commits after the load append to the sealed fact
        engine.commit(List.of(claim("hot", 10_000)));
        assertEquals(302, engine.evidence("hot", "count").claims().size());
        assertTrue(engine.verify().ok());
    }
}
