package io.stemedb.bench;

import io.stemedb.storage.RocksSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.HyperClockCache;
import org.rocksdb.IndexType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBufferManager;

/**
 * The RocksDB options of StemeDB's RocksStore, copied setting by setting so that the raw
 * baselines run on the same engine configuration: one clock block cache (HyperClockCache) of StemeDB's default size
 * ({@link RocksSettings#DEFAULT}: a sixteenth of the machine's memory, 64 MiB to 1 GiB) shared by every
 * column family, 32 MiB of memtables charged to it through a write buffer manager, 16 KiB blocks,
 * index and filter blocks in the cache (L0 ones pinned), format version 5, LZ4 with ZSTD at the
 * bottom level, dynamic level sizes; on the point-read families ({@code facts} and
 * {@code assertions}) a 10-bit bloom filter, 4 KiB blocks, partitioned index and filters with the
 * top level pinned (and LZ4 at the bottom of {@code facts}); the append merge operator (empty delimiter) and no
 * filter at the bottom level on {@code facts}, max(2, cores) background jobs, 1 MiB bytes-per-sync, WAL on, pipelined writes. Owns every native
 * object it makes.
 */
final class RocksOptions implements AutoCloseable {
    static final long BLOCK_CACHE_BYTES = RocksSettings.DEFAULT.blockCacheBytes();
    static final long MEMTABLE_BYTES = RocksSettings.DEFAULT.memtableBytes();

    private final List<AutoCloseable> natives = new ArrayList<>();
    private final Cache cache;
    final DBOptions dbOptions;

    RocksOptions(boolean create) {
        RocksDB.loadLibrary();
        cache = track(new HyperClockCache(BLOCK_CACHE_BYTES, 0, -1, false));
        WriteBufferManager wbm = track(new WriteBufferManager(MEMTABLE_BYTES, cache));
        dbOptions = track(new DBOptions()
                .setCreateIfMissing(create)
                .setCreateMissingColumnFamilies(create)
                .setWriteBufferManager(wbm)
                .setMaxBackgroundJobs(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setMaxFileOpeningThreads(Math.min(16, Math.max(2, Runtime.getRuntime().availableProcessors())))
                .setBytesPerSync(1 << 20)
                .setKeepLogFileNum(5)
                .setEnablePipelinedWrite(true));
    }

    private <T extends AutoCloseable> T track(T nativeObject) {
        natives.add(nativeObject);
        return nativeObject;
    }

    /** The options RocksStore gives a family: a bloom filter for the point-read ones, the append operator for facts. */
    ColumnFamilyOptions familyOptions(String name) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(16 * 1024)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setFormatVersion(5);
        if (name.equals("assertions") || name.equals("facts")) {
            table.setFilterPolicy(track(new BloomFilter(10, false)))
                    .setBlockSize(4 * 1024)
                    .setIndexType(IndexType.kTwoLevelIndexSearch)
                    .setPartitionFilters(true)
                    .setMetadataBlockSize(4 * 1024)
                    .setPinTopLevelIndexAndFilter(true)
                    .setCacheIndexAndFilterBlocksWithHighPriority(true);
        }
        ColumnFamilyOptions options = track(new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setBottommostCompressionType(name.equals("facts") ? CompressionType.LZ4_COMPRESSION : CompressionType.ZSTD_COMPRESSION)
                .setLevelCompactionDynamicLevelBytes(true));
        if (name.equals("facts")) {
            options.setMergeOperator(track(new StringAppendOperator("")));
            options.setOptimizeFiltersForHits(true);
        }
        return options;
    }

    /** Descriptors for {@code names}, the default family first (it must be in the list). */
    List<ColumnFamilyDescriptor> descriptors(List<String> names) {
        List<ColumnFamilyDescriptor> d = new ArrayList<>();
        for (String name : names) {
            d.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), familyOptions(name)));
        }
        return d;
    }

    /** The column families of the database in {@code dir}, the default one first. */
    static List<String> familiesOf(Path dir) throws RocksDBException {
        List<String> names = new ArrayList<>();
        names.add("default");
        try (Options o = new Options()) {
            for (byte[] n : RocksDB.listColumnFamilies(o, dir.toString())) {
                String s = new String(n, StandardCharsets.US_ASCII);
                if (!s.equals("default")) {
                    names.add(s);
                }
            }
        }
        return names;
    }

    /**
     * Fully compacts every column family of the closed database in {@code dir} (StemeDB's or a raw
     * baseline's) with these same options, then closes it. StemeDB's public API has no
     * compaction call, so this is how the harness measures its size after compaction.
     *
     * @return the milliseconds the compaction took
     */
    static long compactDirectory(Path dir) throws RocksDBException {
        try (RocksOptions options = new RocksOptions(false)) {
            List<String> names = familiesOf(dir);
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB db = RocksDB.open(options.dbOptions, dir.toString(), options.descriptors(names), handles)) {
                long t0 = System.nanoTime();
                try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                    for (ColumnFamilyHandle h : handles) {
                        db.flush(flush, h);
                        db.compactRange(h);
                    }
                    return (System.nanoTime() - t0) / 1_000_000;
                } finally {
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
        }
    }

    @Override
    public void close() {
        for (int i = natives.size() - 1; i >= 0; i--) {
            try {
                natives.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("freeing a RocksDB option object failed", e);
            }
        }
        natives.clear();
    }
}
