package io.stemedb.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.stemedb.crdt.Evidence;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The stored entries of recently read facts ({@link FactEntries}, what the {@link Family#FACTS}
 * family holds under a fact key, chunks included), kept on the Java heap so that reading a fact
 * again costs a hash lookup and a decode instead of a RocksDB read. Entries are kept as the bytes
 * they are stored as: a fact of two claims takes about 270 bytes here, where its decoded evidence
 * took 1,400, so the same heap holds four to five times more facts ({@link #ENTRY_OVERHEAD}).
 *
 * <p><b>Design.</b> Bounded by an estimate of the heap its entries retain ({@link #weigh}), with
 * Caffeine's Window TinyLFU eviction (Einziger, Eyal, Friedman, Manes, "TinyLFU: A Highly
 * Efficient Cache Admission Policy", ACM TOS 2017), which keeps frequently read facts when a scan
 * reads many facts once. In front of it stands the paper's "doorkeeper": a bit per hash of a fact
 * that missed, so that, once the cache is full (15/16 of its budget), a fact enters on its second
 * miss only, and facts read once (a scan, uniformly random reads) cost no insertion and push out
 * nothing. Measured: keeping every miss made reads of facts read once 6-36% slower than no cache
 * (the inserts, and the collector copying what they retain); with the doorkeeper they cost what
 * they cost without a cache. Until the cache is full, though, every miss enters: with the
 * doorkeeper from the start, uniform reads of 500,000 facts (1,000,000 claims) filled a cache with
 * room for all of them at the pace of the doorkeeper's false positives, and after 1,200,000 reads
 * it held 192,000 facts and answered a third of the reads; entering on the first miss while there
 * is room, 455,000 facts and nine reads in ten (session 19). What filling costs is paid once, and
 * the memory is the budget the cache was given.
 * Its bits are cleared once {@link #DOOR_RESET} of them are set, so that it remembers recent
 * misses only and a fact missed once passes for one missed twice at most one time in eight.
 * Counting set bits, not misses, matters: a working set that fits, read uniformly, misses each of
 * its facts a second time long after the first; cleared every 131,072 misses, the doorkeeper forgot
 * most first misses of 100,000 facts before their second came, and the cache filled so slowly that
 * two 20,000-read windows of the comparison "settled" with most reads still missing. Caffeine's maintenance runs on the reading threads, not on a pool: measured on two
 * cores, handing it to the common pool made every miss about twice as slow.
 *
 * <p><b>Decoded tier.</b> Decoding costs a hit more than the lookup: 0.5-2.5 µs and 1.6-6 KB of
 * garbage for facts of 2-8 claims (JMH, {@code HotReadBench}), where the cache of decoded evidence
 * this replaced answered in 0.1-1.1 µs. So the most read facts are also kept decoded, in a small
 * two-way set-associative table beside the map ({@link #DECODED_SLOTS} slots in pairs, a fact
 * in either slot of its pair, an eighth of the budget by
 * estimate, {@link #weighDecoded}), as a CPU keeps a small first-level cache in front of a larger
 * one. A slot holds the evidence together with the very array it was decoded from, and serves it
 * only to a read that found that same array in the map: an invalidated or reloaded fact has a new
 * array, so the decoded tier needs no consistency rule of its own. A hit in the map offers its
 * evidence one time in {@link #DECODED_ADMISSION}, chosen at random, and an offer is kept only if
 * the pair's last offer was of the same fact (a doorkeeper of one fact per pair), so that a fact
 * read often settles in its slot while facts read uniformly among many more than the tier holds
 * do not churn it: with every sampled offer kept, two threads reading 100,000 facts uniformly
 * replaced a slot on one hit in eight, for a tier that served one read in twenty, and read 1.7-2.0
 * times what one thread read; with the doorkeeper 1.9-2.0 times. Nothing on the way is a shared
 * counter.
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

    /**
     * Heap of an entry beyond its stored bytes: the cache's node (40), the map's node (32), the
     * key (32), the array's header (16) and the map's table (about 11). Measured with a heap
     * histogram on OpenJDK 17 (64-bit, compressed references), 100,000 facts of claims of 64-byte
     * records: 204, 268 and 652 bytes per fact of 1, 2 and 8 claims (the decoded evidence this
     * cache held before took 757, 1,392 and 3,712), which this estimates at 205, 274 and 658.
     */
    static final int ENTRY_OVERHEAD = 136;

    /** Bits of the doorkeeper (a power of two): 128 KiB. */
    static final int DOOR_BITS = 1 << 20;
    /** Set bits at which the doorkeeper forgets: an eighth of them. */
    static final int DOOR_RESET = DOOR_BITS / 8;

    /**
     * Slots of the decoded tier (a power of two): more than its budget holds facts of two claims (about 5,900 in
     * the default 8 MiB), so that the budget bounds it and slots shared by chance rarely do.
     */
    static final int DECODED_SLOTS = 8192;
    /** A hit in the map enters the decoded tier one time in this many. */
    static final int DECODED_ADMISSION = 8;

    /** Evidence of {@code fact} decoded from {@code stored}, of about {@code weight} heap bytes. */
    private record Decoded(Fact fact, byte[] stored, Evidence evidence, int weight) {}

    private final Cache<Fact, byte[]> cache;
    /** The map's eviction policy, for its weighted size: read on every miss. */
    private final com.github.benmanes.caffeine.cache.Policy.Eviction<Fact, byte[]> eviction;
    private final AtomicReferenceArray<Decoded> decoded = new AtomicReferenceArray<>(DECODED_SLOTS);
    /** Per pair of slots, the fact last offered and not kept (its key's low half): the decoded tier's doorkeeper. */
    private final AtomicLongArray candidates = new AtomicLongArray(DECODED_SLOTS / 2);
    private final LongAdder decodedBytes = new LongAdder();
    private final long decodedBudget;
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLongArray door = new AtomicLongArray(DOOR_BITS / 64);
    /** Bits set since the doorkeeper last forgot; written on first misses only, not on every read. */
    private final AtomicInteger doorSet = new AtomicInteger();

    /** A cache of at most about {@code maximumBytes} of heap (an eighth of it decoded); 0 keeps nothing. */
    FactCache(long maximumBytes) {
        this.decodedBudget = maximumBytes / 8;
        this.cache = maximumBytes == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maximumBytes - decodedBudget)
                .weigher(FactCache::weigh)
                .executor(Runnable::run)
                .recordStats()
                .build();
        this.eviction = cache == null ? null : cache.policy().eviction().orElseThrow();
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
        if (full() && firstMiss(fact)) {
            return load.get();
        }
        long before = epoch.get();
        byte[] loaded = load.get();
        cache.asMap().compute(fact, (f, present) -> epoch.get() == before ? loaded : present);
        return loaded;
    }

    /**
     * The evidence of {@code fact} decoded from {@code stored}, if the decoded tier holds it for
     * that very array (which {@link #get} just returned), or else null.
     */
    Evidence decoded(Fact fact, byte[] stored) {
        int i = slot(fact);
        Decoded d = decoded.get(i);
        if (d != null && d.stored == stored) {
            return d.evidence;
        }
        d = decoded.get(i ^ 1);
        return d != null && d.stored == stored ? d.evidence : null;
    }

    /**
     * Offers the decoded tier {@code evidence}, decoded from {@code stored}, which {@link #get}
     * returned for {@code fact}; kept one time in {@link #DECODED_ADMISSION}, if the map holds
     * that array (a fact loaded but not kept would never be served) and the tier's budget allows.
     */
    void offerDecoded(Fact fact, byte[] stored, Evidence evidence) {
        int draw = ThreadLocalRandom.current().nextInt(2 * DECODED_ADMISSION);
        if (cache == null || draw >= 2 || cache.policy().getIfPresentQuietly(fact) != stored) {
            return;
        }
        int i = slot(fact);
        // Kept on its second offer in a row to its pair: a fact read uniformly among many is
        // offered again only after others were, and stays out (a plain write: it is a hint)
        if (candidates.getPlain(i >>> 1) != fact.low()) {
            candidates.setPlain(i >>> 1, fact.low());
            return;
        }
        // an empty way of the fact's pair, else the way the draw chose
        if (decoded.get(i) != null && (decoded.get(i ^ 1) == null || draw == 1)) {
            i ^= 1;
        }
        Decoded old = decoded.get(i);
        int weight = weighDecoded(stored);
        long grows = weight - (old == null ? 0 : old.weight);
        if (grows > 0 && decodedBytes.sum() + grows > decodedBudget) {
            return;
        }
        if (decoded.compareAndSet(i, old, new Decoded(fact, stored, evidence, weight))) {
            decodedBytes.add(grows);
        }
    }

    private static int slot(Fact fact) {
        // the high half of the key: the doorkeeper takes its bits from the low half
        return (int) (fact.high() >>> 32) & (DECODED_SLOTS - 1);
    }

    /**
     * An estimate of the heap that a fact's decoded evidence retains, from its stored size: eight
     * times the bytes plus 300, against 757, 1,392 and 3,712 bytes measured with a heap histogram
     * for facts of 1, 2 and 8 claims of 64-byte records (68, 132 and 516 stored bytes); it
     * overestimates them by 8-19%.
     */
    static int weighDecoded(byte[] stored) {
        return (int) Math.min(Integer.MAX_VALUE, 300L + 8L * stored.length);
    }

    private void forgetDecoded(Fact fact) {
        int i = slot(fact);
        forgetDecoded(fact, i);
        forgetDecoded(fact, i ^ 1);
    }

    private void forgetDecoded(Fact fact, int way) {
        Decoded d = decoded.get(way);
        if (d != null && d.fact.equals(fact) && decoded.compareAndSet(way, d, null)) {
            decodedBytes.add(-d.weight);
        }
    }

    /** Whether the map holds 15/16 of its budget or more: from then on the doorkeeper decides what enters. */
    private boolean full() {
        long maximum = eviction.getMaximum();
        return eviction.weightedSize().orElse(maximum) >= maximum - maximum / 16;
    }

    /** Whether {@code fact} is not in the doorkeeper; it is afterwards. */
    private boolean firstMiss(Fact fact) {
        // a fact key is a hash already: its low bits are as good as any
        int bit = (int) fact.low() & (DOOR_BITS - 1);
        long mask = 1L << (bit & 63);
        if ((door.get(bit >>> 6) & mask) != 0) {
            return false;
        }
        if ((door.getAndAccumulate(bit >>> 6, mask, (old, m) -> old | m) & mask) != 0) {
            return false;
        }
        if (doorSet.incrementAndGet() % DOOR_RESET == 0) {
            for (int i = 0; i < door.length(); i++) {
                door.set(i, 0);
            }
        }
        return true;
    }

    /** Forgets {@code facts}; a commit calls this after its batch is written and before it returns. */
    void invalidate(Collection<Fact> facts) {
        if (cache == null || facts.isEmpty()) {
            return;
        }
        epoch.incrementAndGet();
        cache.invalidateAll(facts);
        for (Fact f : facts) {
            forgetDecoded(f);
        }
    }

    /** Forgets every fact: after a bulk load, which changes facts without naming them one by one. */
    void invalidateAll() {
        if (cache == null) {
            return;
        }
        epoch.incrementAndGet();
        cache.invalidateAll();
        for (int i = 0; i < DECODED_SLOTS; i++) {
            Decoded d = decoded.getAndSet(i, null);
            if (d != null) {
                decodedBytes.add(-d.weight);
            }
        }
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
        p.put("fact-cache-decoded-bytes", String.valueOf(decodedBytes.sum()));
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
