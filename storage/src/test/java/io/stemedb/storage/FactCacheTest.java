package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The fact cache alone: when it loads, what it keeps, and the race between a load and a commit. */
class FactCacheTest {
    private static final FactCache.Fact FACT = fact("s", "p");

    private final AtomicInteger loads = new AtomicInteger();

    private static FactCache.Fact fact(String subject, String predicate) {
        return FactCache.Fact.of(Keys.factKey(subject, predicate));
    }

    private Supplier<byte[]> loader(byte[] e) {
        return () -> {
            loads.incrementAndGet();
            return e;
        };
    }

    /** Stand-ins for a fact's stored entries: the cache keeps bytes and never looks inside. */
    private static byte[] evidence(String... values) {
        return String.join(",", values).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void whileTheCacheHasRoomAFactIsKeptFromItsFirstMissAndThenServedWithoutLoading() {
        FactCache cache = new FactCache(1 << 20);
        byte[] e = evidence("a");

        assertSame(e, cache.get(FACT, loader(e)));
        assertEquals("1", cache.properties().get("fact-cache-entries"), "a cache with room keeps the first miss");
        for (int i = 0; i < 5; i++) {
            assertSame(e, cache.get(FACT, loader(e)));
        }
        assertEquals(1, loads.get());
        assertEquals("5", cache.properties().get("fact-cache-hits"));
        assertEquals("1", cache.properties().get("fact-cache-misses"));
    }

    /** Fills {@code cache} (a budget of 64 KiB) past 15/16 of what its map may hold with facts {@code prefix + i}, read once each. */
    private static int fill(FactCache cache, String prefix) {
        byte[] e = new byte[200];
        int facts = (int) ((64 * 1024 - 64 * 1024 / 8) / FactCache.weigh(FACT, e));
        for (int i = 0; i < facts; i++) {
            cache.get(fact(prefix + i, "p"), () -> e);
        }
        return facts;
    }

    @Test
    void onceTheCacheIsFullAFactIsKeptFromItsSecondMissOnly() {
        FactCache cache = new FactCache(64 * 1024);
        fill(cache, "old");
        String entries = cache.properties().get("fact-cache-entries");
        byte[] e = evidence("a");

        assertSame(e, cache.get(FACT, loader(e)));
        assertEquals(entries, cache.properties().get("fact-cache-entries"), "the first miss only marks the fact in the doorkeeper");
        assertSame(e, cache.get(FACT, loader(e)));
        assertSame(e, cache.get(FACT, loader(e)));
        assertEquals(2, loads.get(), "kept from its second miss");
    }

    @Test
    void onceTheCacheIsFullFactsReadOnceNeitherEnterNorPushOutWhatItHolds() {
        FactCache cache = new FactCache(64 * 1024);
        int held = fill(cache, "held");
        String entries = cache.properties().get("fact-cache-entries");
        byte[] e = new byte[200];
        for (int i = 0; i < 10 * held; i++) {
            cache.get(fact("once" + i, "p"), loader(e));
        }
        assertEquals(10 * held, loads.get());
        // a fact whose doorkeeper bit another fact set passes for one missed twice: a few in a thousand here
        long entered = Long.parseLong(cache.properties().get("fact-cache-entries")) - Long.parseLong(entries)
                + Long.parseLong(cache.properties().get("fact-cache-evictions"));
        assertTrue(entered <= held / 10, entered + " of the " + 10 * held + " facts read once entered the full cache");
        loads.set(0);
        for (int i = 0; i < held; i++) {
            cache.get(fact("held" + i, "p"), loader(e));
        }
        assertTrue(loads.get() <= held / 16 + 1, loads.get() + " of the " + held + " facts that filled the cache had to be loaded again");
    }

    @Test
    void aWorkingSetThatFitsIsKeptWhateverTheMissesBetweenAFactsFirstAndSecondMiss() {
        FactCache cache = new FactCache(64L << 20);
        int facts = 100_000;
        byte[] e = evidence("a");
        // two rounds: between a fact's first and second miss come 100,000 other misses, most of
        // the doorkeeper's forgetting threshold, so a doorkeeper counting misses forgot them
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < facts; i++) {
                cache.get(fact("s" + i, "p"), loader(e));
            }
        }
        assertTrue(FactCache.DOOR_RESET > facts && FactCache.DOOR_RESET < 2 * facts, "the rounds straddle the threshold");
        assertEquals(String.valueOf(facts), cache.properties().get("fact-cache-entries"));
        loads.set(0);
        for (int i = 0; i < facts; i++) {
            cache.get(fact("s" + i, "p"), loader(e));
        }
        assertEquals(0, loads.get(), "every fact of the working set is served from the cache");
    }

    /** Offers until the random admission takes it (one time in eight; a thousand tries never all fail in practice). */
    private static void offerUntilKept(FactCache cache, FactCache.Fact fact, byte[] stored, Evidence evidence) {
        for (int i = 0; i < 1000 && cache.decoded(fact, stored) == null; i++) {
            cache.offerDecoded(fact, stored, evidence);
        }
    }

    @Test
    void theDecodedTierServesEvidenceOnlyForTheArrayItWasDecodedFrom() {
        FactCache cache = new FactCache(1 << 20);
        byte[] e = evidence("a");
        Evidence decoded = Evidence.of("s", "p", List.of());
        cache.offerDecoded(FACT, e, decoded);
        assertNull(cache.decoded(FACT, e), "a fact the map does not hold is never kept decoded");

        cache.get(FACT, loader(e));
        byte[] held = cache.get(FACT, loader(e));
        offerUntilKept(cache, FACT, held, decoded);
        assertSame(decoded, cache.decoded(FACT, held));
        assertNull(cache.decoded(FACT, evidence("a")), "an equal array loaded again is not the one decoded");
        assertEquals(String.valueOf(FactCache.weighDecoded(held)), cache.properties().get("fact-cache-decoded-bytes"));

        cache.invalidate(Set.of(FACT));
        assertNull(cache.decoded(FACT, held), "invalidation forgets the decoded evidence too");
        assertEquals("0", cache.properties().get("fact-cache-decoded-bytes"));
    }

    @Test
    void twoFactsOfOneSlotPairAreKeptDecodedTogetherAndForgottenApart() {
        FactCache cache = new FactCache(1 << 20);
        // the same high 32 bits: the same pair of slots
        FactCache.Fact first = new FactCache.Fact(5L << 32, 1);
        FactCache.Fact second = new FactCache.Fact((5L << 32) | 7, 2);
        byte[] a = held(cache, first);
        byte[] b = held(cache, second);
        Evidence ofFirst = Evidence.of("s1", "p", List.of());
        Evidence ofSecond = Evidence.of("s2", "p", List.of());
        offerUntilKept(cache, first, a, ofFirst);
        offerUntilKept(cache, second, b, ofSecond);
        assertSame(ofFirst, cache.decoded(first, a), "the second fact took the pair's empty slot, not the first's");
        assertSame(ofSecond, cache.decoded(second, b));

        cache.invalidate(Set.of(first));
        assertNull(cache.decoded(first, a));
        assertSame(ofSecond, cache.decoded(second, b), "invalidating one fact leaves the other of its pair");
        assertEquals(String.valueOf(FactCache.weighDecoded(b)), cache.properties().get("fact-cache-decoded-bytes"));
    }

    /** The array the map holds for {@code fact} once it was read (twice: so that it is held whether the cache has room or not). */
    private byte[] held(FactCache cache, FactCache.Fact fact) {
        byte[] stored = evidence("a");
        cache.get(fact, loader(stored));
        return cache.get(fact, loader(stored));
    }

    @Test
    void theDecodedTierStaysWithinAnEighthOfTheBudget() {
        long budget = 1 << 20;
        FactCache cache = new FactCache(budget);
        Evidence decoded = Evidence.of("s", "p", List.of());
        byte[] big = new byte[4000];
        for (int i = 0; i < 200; i++) {
            FactCache.Fact f = fact("s" + i, "p");
            cache.get(f, loader(big));
            byte[] held = cache.get(f, loader(big.clone()));
            for (int t = 0; t < 100; t++) {
                cache.offerDecoded(f, held, decoded);
            }
        }
        long kept = Long.parseLong(cache.properties().get("fact-cache-decoded-bytes"));
        assertTrue(kept > 0 && kept <= budget / 8, "decoded bytes held: " + kept);
        assertTrue(Long.parseLong(cache.properties().get("fact-cache-bytes")) <= budget - budget / 8);
    }

    @Test
    void invalidationMakesTheNextReadLoadAgain() {
        FactCache cache = new FactCache(1 << 20);
        byte[] before = evidence("a");
        byte[] after = evidence("a", "b");
        cache.get(FACT, loader(before));
        assertSame(before, cache.get(FACT, loader(before)));
        assertEquals(1, loads.get());

        cache.invalidate(Set.of(FACT, fact("other", "p")));

        assertSame(after, cache.get(FACT, loader(after)));
        assertEquals(2, loads.get());
    }

    /**
     * A load that read the state before a commit and inserts after the commit's invalidation must
     * not stay: the next read loads again and sees the commit.
     */
    @Test
    void aLoadOverlappingACommitIsNotKept() {
        FactCache cache = new FactCache(1 << 20);
        byte[] stale = evidence("a");
        byte[] fresh = evidence("a", "b");

        byte[] returned = cache.get(FACT, () -> {
            loads.incrementAndGet();
            // a commit lands while this load runs: its batch is written and it invalidates
            cache.invalidate(Set.of(FACT));
            return stale;
        });

        assertSame(stale, returned, "the load's own answer predates the commit, which is allowed: they overlapped");
        assertSame(fresh, cache.get(FACT, loader(fresh)), "a read after the commit returned must not see the stale load");
        assertEquals(2, loads.get());
        assertSame(fresh, cache.get(FACT, loader(fresh)), "the read after the commit was kept");
        assertEquals(2, loads.get());
    }

    @Test
    void aCacheOfZeroBytesAlwaysLoads() {
        FactCache cache = new FactCache(0);
        byte[] e = evidence("a");
        for (int i = 0; i < 4; i++) {
            cache.get(FACT, loader(e));
        }
        cache.invalidate(Set.of(FACT));
        assertEquals(4, loads.get());
        assertEquals("off", cache.properties().get("fact-cache"));
    }

    @Test
    void theCacheStaysWithinItsWeightByEvictingFacts() {
        long budget = 64 * 1024;
        FactCache cache = new FactCache(budget);
        byte[] e = evidence("a", "b");
        int weight = FactCache.weigh(FACT, e);
        assertEquals(FactCache.ENTRY_OVERHEAD + e.length, weight, "an entry weighs its bytes and the fixed overhead");
        for (int i = 0; i < 1_000; i++) {
            FactCache.Fact other = fact("s" + i, "p");
            for (int read = 0; read < 3; read++) {
                cache.get(other, () -> new byte[200]);
            }
        }
        long held = Long.parseLong(cache.properties().get("fact-cache-bytes"));
        assertTrue(held <= budget, "held " + held + " of " + budget);
        assertTrue(Long.parseLong(cache.properties().get("fact-cache-evictions")) > 0);
    }

    @Test
    void factsReadOftenSurviveAScanOfFactsReadTwice() {
        byte[] e = new byte[200];
        FactCache cache = new FactCache(200L * FactCache.weigh(FACT, e) * 8 / 7);
        int hot = 100;
        for (int read = 0; read < 40; read++) {
            for (int i = 0; i < hot; i++) {
                cache.get(fact("hot" + i, "p"), loader(e));
            }
        }
        // each scanned fact misses twice, so the doorkeeper lets it in: only the frequencies the
        // policy learnt from the reads of the hot facts keep them
        for (int i = 0; i < 20_000; i++) {
            for (int read = 0; read < 2; read++) {
                cache.get(fact("scan" + i, "p"), loader(e));
            }
        }
        loads.set(0);
        for (int i = 0; i < hot; i++) {
            cache.get(fact("hot" + i, "p"), loader(e));
        }
        assertTrue(loads.get() <= hot / 10, loads.get() + " of " + hot + " hot facts were evicted by the scan");
    }
}
