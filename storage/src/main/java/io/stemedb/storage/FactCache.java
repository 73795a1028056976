package io.stemedb.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * The stored entries of recently read facts ({@link FactEntries}, what the {@link Family#FACTS}
 * family holds under a fact key, chunks included), kept on the Java heap so that reading a fact
 * again costs a hash lookup and a decode instead of a RocksDB read. Entries are kept as the bytes
 * they are stored as: a fact of two claims takes about 300 bytes here, where its decoded evidence
 * took 1,400, so the same heap holds four to five times more facts.
 *
 * <p><b>Design.</b> Bounded by an estimate of the heap its entries retain ({@link #weigh}), with
 * Caffeine's Window TinyLFU eviction (Einziger, Eyal, Friedman, Manes, "TinyLFU: A Highly
 * Efficient Cache Admission Policy", ACM TOS 2017), which keeps frequently read facts when a scan
 * reads many facts once. In front of it stands the paper's "doorkeeper": a bit per hash of a fact
 * that missed, so that a fact enters on its second miss only, and facts read once (a scan,
 * uniformly random reads) cost no insertion. Measured: keeping every miss, even while the cache
 * had room, made reads of facts read once 6-36% slower than no cache (the inserts, and the
 * collector copying what they retain); with the doorkeeper they cost what they cost without a
 * cache. Its bits are cleared every {@link #DOOR_RESET} misses, so that it remembers recent
 * misses only. Caffeine's maintenance runs on the reading threads, not on a pool: measured on two
 * cores, handing it to the common pool made every miss about twice as slow.
 *
 * <p><b>Consistency.</b> A read must see every commit that completed before it began. A commit
 * invalidates the facts it changed after its write batch is applied ({@link #invalidate}); a read
 * that misses loads from the database and inserts what it loaded. The two can race: a load may
 * read the state before a commit's batch and insert after that commit's invalidation. An epoch
 * counter closes the race. A commit increments it after writing and before invalidating; a load
 * reads it before loading, and inserts only if it is unchanged, checking it inside the map's
 * atomic compute of that key. If the commit's increment came first, nothing is inserted. If it
 * came after the check, the commit's removal of the key waits for the compute to finish and then
 * removes the entry. Either way no entry older than a commit is visible once the commit returns.
 * (Inserting first and removing after a second look at the epoch is not enough: between the two,
 * the committing thread's own next read found the stale entry; the contract test
 * {@code aCommitIsVisibleToEveryReadAfterItReturnsWhileOthersRead} caught it.) A busy writer
 * therefore costs the cache entries, never correctness.
 *
 * <p>Thread-safe.
 */
final class FactCache {
    /** A cache key: the fact key of {@link Keys#factKey}, as two longs. */
    record Fact(long high, long low) {
        static Fact of(byte[] factKey) {
            return new Fact(Keys.getLong(factKey, 0), Keys.getLong(factKey, 8));
        }
    }

    /** Heap of an entry beyond its bytes: the cache's node, the key, the array's header. */
    static final int ENTRY_OVERHEAD = 112;

    /** Bits of the doorkeeper (a power of two): 128 KiB. */
    static final int DOOR_BITS = 1 << 20;
    /** Misses after which the doorkeeper forgets: an eighth of its bits are then set at most. */
    static final int DOOR_RESET = DOOR_BITS / 8;

    private final Cache<Fact, byte[]> cache;
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLongArray door = new AtomicLongArray(DOOR_BITS / 64);
    private final AtomicInteger doorMisses = new AtomicInteger();

    /** A cache of at most about {@code maximumBytes} of heap; 0 keeps nothing. */
    FactCache(long maximumBytes) {
        this.cache = maximumBytes == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maximumBytes)
                .weigher(FactCache::weigh)
                .executor(Runnable::run)
                .recordStats()
                .build();
    }

    /** The stored entries of {@code fact}, from the cache or else from {@code load}. */
    byte[] get(Fact fact, Supplier<byte[]> load) {
        if (cache == null) {
            return load.get();
        }
        byte[] cached = cache.getIfPresent(fact);
        if (cached != null) {
            return cached;
        }
        if (firstMiss(fact)) {
            return load.get();
        }
        long before = epoch.get();
        byte[] loaded = load.get();
        cache.asMap().compute(fact, (f, present) -> epoch.get() == before ? loaded : present);
        return loaded;
    }

    /** Whether {@code fact} is not in the doorkeeper; it is afterwards. */
    private boolean firstMiss(Fact fact) {
        if (doorMisses.incrementAndGet() % DOOR_RESET == 0) {
            for (int i = 0; i < door.length(); i++) {
                door.set(i, 0);
            }
        }
        // a fact key is a hash already: its low bits are as good as any
        int bit = (int) fact.low() & (DOOR_BITS - 1);
        long mask = 1L << (bit & 63);
        return (door.getAndAccumulate(bit >>> 6, mask, (old, m) -> old | m) & mask) == 0;
    }

    /** Forgets {@code facts}; a commit calls this after its batch is written and before it returns. */
    void invalidate(Collection<Fact> facts) {
        if (cache == null || facts.isEmpty()) {
            return;
        }
        epoch.incrementAndGet();
        cache.invalidateAll(facts);
    }

    /** Hits, misses, evictions and the estimated heap held, for {@code properties()}. */
    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (cache == null) {
            p.put("fact-cache", "off");
            return p;
        }
        CacheStats s = cache.stats();
        p.put("fact-cache-entries", String.valueOf(cache.estimatedSize()));
        p.put("fact-cache-bytes", String.valueOf(cache.policy().eviction().orElseThrow().weightedSize().orElse(0)));
        p.put("fact-cache-hits", String.valueOf(s.hitCount()));
        p.put("fact-cache-misses", String.valueOf(s.missCount()));
        p.put("fact-cache-evictions", String.valueOf(s.evictionCount()));
        return p;
    }

    /** An estimate of the heap an entry retains: its bytes, and a fixed overhead measured on OpenJDK 17. */
    static int weigh(Fact fact, byte[] entries) {
        return (int) Math.min(Integer.MAX_VALUE, (long) ENTRY_OVERHEAD + entries.length);
    }
}
