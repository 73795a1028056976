package io.stemedb.storage;

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
    /**
     * The defaults: read-write, fsync on every commit, 64 MiB of native cache including 32 MiB
     * of memtables, 64 MiB of heap for the fact cache.
     */
    public static final RocksSettings DEFAULT = new RocksSettings(false, true, Duration.ofSeconds(1), 64L << 20, 32L << 20, 64L << 20);

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
