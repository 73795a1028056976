package io.stemedb.storage;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * How a {@link RocksEngine} is opened. A plain record: using it loads no native code, so the
 * defaults can be read without RocksDB on the class path.
 *
 * @param factCacheBytes the Java heap, about, for the evidence of recently read facts
 *     ({@link FactCache}); 0 turns the cache off
 * @param salvageDamagedLog open a database whose write-ahead log is damaged (see
 *     {@link StorageException.DamagedLog}) by dropping every commit after the damage, instead
 *     of refusing; what was dropped is logged and reported in {@link RocksEngine#properties()}
 */
public record RocksSettings(boolean readOnly, boolean syncEachCommit, Duration walSyncInterval,
        long blockCacheBytes, long memtableBytes, long factCacheBytes, boolean salvageDamagedLog) {
    /** The least default block cache: 64 MiB. */
    public static final long MIN_DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;
    /** The largest default block cache: 1 GiB. */
    public static final long MAX_DEFAULT_BLOCK_CACHE_BYTES = 1L << 30;

    /** The least default fact cache: 64 MiB. */
    public static final long MIN_DEFAULT_FACT_CACHE_BYTES = 64L << 20;
    /** The largest default fact cache: 1 GiB. */
    public static final long MAX_DEFAULT_FACT_CACHE_BYTES = 1L << 30;

    /**
     * The defaults: read-write, fsync on every commit, a native cache of a sixteenth of the memory
     * this process's machine or container has (at least 64 MiB, at most 1 GiB; see
     * {@link #defaultBlockCacheBytes}) including 32 MiB of memtables, a fact cache of a sixteenth
     * of the JVM's maximum heap (at least 64 MiB, at most 1 GiB; see {@link #defaultFactCacheBytes}).
     */
    public static final RocksSettings DEFAULT = new RocksSettings(false, true, Duration.ofSeconds(1),
            defaultBlockCacheBytes(totalMemoryBytes()), 32L << 20, defaultFactCacheBytes(Runtime.getRuntime().maxMemory()));

    /**
     * The default fact cache for a JVM whose heap may grow to {@code maxHeapBytes}: a sixteenth of
     * it, at least {@link #MIN_DEFAULT_FACT_CACHE_BYTES} and at most
     * {@link #MAX_DEFAULT_FACT_CACHE_BYTES}. A fact of two claims weighs about 270 bytes there, so
     * 64 MiB hold about 220,000 facts: 1,000,000 claims of two per fact did not fit, and uniform
     * reads of them hit the cache 29-43% of the time and ran at about RocksDB's speed; with a
     * sixteenth of a 12 GiB heap every fact fits (docs/benchmarks.md, session 19). The cache fills
     * only with facts read, so a small database uses little of it.
     */
    public static long defaultFactCacheBytes(long maxHeapBytes) {
        return Math.min(MAX_DEFAULT_FACT_CACHE_BYTES, Math.max(MIN_DEFAULT_FACT_CACHE_BYTES, maxHeapBytes / 16));
    }

    /**
     * The default block cache for a machine or container with this much memory: a sixteenth of it,
     * at least {@link #MIN_DEFAULT_BLOCK_CACHE_BYTES} and at most {@link #MAX_DEFAULT_BLOCK_CACHE_BYTES}.
     * Once a database outgrows its cache, nearly every read of a fact reads and decompresses a table
     * block: at 10,000,000 claims (1.1 GB on disk) uniform reads ran at 75,000-87,000 a second with
     * 64 MiB and 121,000-159,000 with 1 GiB (docs/benchmarks.md, session 15). The cache fills only
     * with blocks read, so a small database uses little of it; a sixteenth of the memory leaves the
     * JVM's default heap (a quarter) and the rest to the application. 0 or less (unknown): the least.
     */
    public static long defaultBlockCacheBytes(long totalMemoryBytes) {
        return Math.min(MAX_DEFAULT_BLOCK_CACHE_BYTES, Math.max(MIN_DEFAULT_BLOCK_CACHE_BYTES, totalMemoryBytes / 16));
    }

    /** The memory of the machine, or of the container if the JVM runs in one with a limit (JDK 14+); 0 if unknown. */
    private static long totalMemoryBytes() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : 0;
    }

    /** Settings that refuse to open over a damaged write-ahead log (the default). */
    public RocksSettings(boolean readOnly, boolean syncEachCommit, Duration walSyncInterval, long blockCacheBytes,
            long memtableBytes, long factCacheBytes) {
        this(readOnly, syncEachCommit, walSyncInterval, blockCacheBytes, memtableBytes, factCacheBytes, false);
    }

    /** These settings, but opening over a damaged write-ahead log by dropping what follows the damage. */
    public RocksSettings salvaging() {
        return new RocksSettings(readOnly, syncEachCommit, walSyncInterval, blockCacheBytes, memtableBytes, factCacheBytes, true);
    }

    public RocksSettings {
        if (walSyncInterval == null || walSyncInterval.isNegative() || walSyncInterval.isZero()) {
            throw new IllegalArgumentException("walSyncInterval must be positive, got " + walSyncInterval);
        }
        if (blockCacheBytes < (8L << 20)) {
            throw new IllegalArgumentException(String.format("blockCacheBytes must be at least 8 MiB, got %,d", blockCacheBytes));
        }
        if (memtableBytes < (4L << 20) || memtableBytes > blockCacheBytes) {
            throw new IllegalArgumentException(String.format(
                    "memtableBytes must be at least 4 MiB and at most blockCacheBytes (%,d), got %,d", blockCacheBytes, memtableBytes));
        }
        if (factCacheBytes < 0) {
            throw new IllegalArgumentException(String.format("factCacheBytes must be 0 (off) or more, got %,d", factCacheBytes));
        }
    }
}
