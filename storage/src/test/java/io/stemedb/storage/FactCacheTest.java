package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The fact cache alone: when it loads, what it keeps, and the race between a load and a commit. */
class FactCacheTest {
    private static final FactCache.Fact FACT = new FactCache.Fact("s", "p");

    private final AtomicInteger loads = new AtomicInteger();

    private Supplier<Evidence> loader(Evidence e) {
        return () -> {
            loads.incrementAndGet();
            return e;
        };
    }

    private static Evidence evidence(String... values) {
        List<Claim> claims = new java.util.ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            claims.add(Claim.builder("s", "p", Value.text(values[i])).source("src")
                    .hlc(Hlc.of(1_700_000_000_000L + i, 0, 1)).build());
        }
        return Evidence.of("s", "p", claims);
    }

    @Test
    void aFactIsKeptFromItsSecondMissAndThenServedWithoutLoading() {
        FactCache cache = new FactCache(1 << 20);
        Evidence e = evidence("a");

        assertSame(e, cache.get("s", "p", loader(e)));
        assertEquals("0", cache.properties().get("fact-cache-entries"), "the first miss only marks the fact in the doorkeeper");
        assertSame(e, cache.get("s", "p", loader(e)));
        assertEquals(2, loads.get());
        for (int i = 0; i < 5; i++) {
            assertSame(e, cache.get("s", "p", loader(e)));
        }
        assertEquals(2, loads.get());
        assertEquals("5", cache.properties().get("fact-cache-hits"));
        assertEquals("2", cache.properties().get("fact-cache-misses"));
        assertEquals("1", cache.properties().get("fact-cache-entries"));
    }

    @Test
    void invalidationMakesTheNextReadLoadAgain() {
        FactCache cache = new FactCache(1 << 20);
        Evidence before = evidence("a");
        Evidence after = evidence("a", "b");
        cache.get("s", "p", loader(before));
        cache.get("s", "p", loader(before));
        assertSame(before, cache.get("s", "p", loader(before)));
        assertEquals(2, loads.get());

        cache.invalidate(Set.of(FACT, new FactCache.Fact("other", "p")));

        assertSame(after, cache.get("s", "p", loader(after)));
        assertEquals(3, loads.get());
    }

    /**
     * A load that read the state before a commit and inserts after the commit's invalidation must
     * not stay: the next read loads again and sees the commit.
     */
    @Test
    void aLoadOverlappingACommitIsNotKept() {
        FactCache cache = new FactCache(1 << 20);
        Evidence stale = evidence("a");
        Evidence fresh = evidence("a", "b");
        cache.get("s", "p", loader(stale));

        Evidence returned = cache.get("s", "p", () -> {
            loads.incrementAndGet();
            // a commit lands while this load runs: its batch is written and it invalidates
            cache.invalidate(Set.of(FACT));
            return stale;
        });

        assertSame(stale, returned, "the load's own answer predates the commit, which is allowed: they overlapped");
        assertSame(fresh, cache.get("s", "p", loader(fresh)), "a read after the commit returned must not see the stale load");
        assertEquals(3, loads.get());
    }

    @Test
    void aCacheOfZeroBytesAlwaysLoads() {
        FactCache cache = new FactCache(0);
        Evidence e = evidence("a");
        for (int i = 0; i < 4; i++) {
            cache.get("s", "p", loader(e));
        }
        cache.invalidate(Set.of(FACT));
        assertEquals(4, loads.get());
        assertEquals("off", cache.properties().get("fact-cache"));
    }

    @Test
    void theCacheStaysWithinItsWeightByEvictingFacts() {
        long budget = 64 * 1024;
        FactCache cache = new FactCache(budget);
        Evidence e = evidence("a", "b");
        int weight = FactCache.weigh(FACT, e);
        assertTrue(weight > 2 * FactCache.ASSERTION_OVERHEAD, "two claims weigh at least their overheads: " + weight);
        for (int i = 0; i < 1_000; i++) {
            String subject = "s" + i;
            for (int read = 0; read < 3; read++) {
                cache.get(subject, "p", () -> evidence("a", "b"));
            }
        }
        long held = Long.parseLong(cache.properties().get("fact-cache-bytes"));
        assertTrue(held <= budget, "held " + held + " of " + budget);
        assertTrue(Long.parseLong(cache.properties().get("fact-cache-evictions")) > 0);
    }
}
