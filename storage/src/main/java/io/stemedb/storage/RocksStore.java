package io.stemedb.storage;

import io.stemedb.internal.DurableFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.IndexType;
import org.rocksdb.DBOptions;
import org.rocksdb.HyperClockCache;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBufferManager;

/**
 * The RocksDB handles of one open database and the few primitive operations the engine builds on
 * (point reads, range scans). It owns every native object it creates and frees them all in
 * {@link #close()}, in reverse order of creation; it also owns the directory lock.
 *
 * <p>Opening checks, before anything is written, that the path is a directory that is either
 * empty or a StemeDB database of a format this version reads, and takes an exclusive lock on
 * {@code stemedb.lock} whose content names the holder.
 */
final class RocksStore implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RocksStore.class);
    /** The storage format this version writes and reads (docs/format.md, "Storage key layouts"). */
    static final int FORMAT_VERSION = 2;
    /**
     * Format 2 plus erasure (docs/format.md, "Erasure records and marks"): what the format record
     * says once a database stores an erasure, written in the erasure's own commit, so that a
     * StemeDB that predates erasure refuses to open it ("written by a newer StemeDB") instead of
     * reading its erasure log entries as damage and taking back the content it erased.
     */
    static final int ERASURE_FORMAT = 3;
    /**
     * Format 3 whose ids family the indexer writes behind the commits, so that it may trail the log
     * up to the entries watermark ({@link Family#IDS}, docs/format.md): what every read-write open
     * writes before its first commit, so that a StemeDB that takes the ids family for complete
     * refuses the database ("written by a newer StemeDB") instead of storing an assertion twice.
     */
    static final int INDEXED_IDS_FORMAT = 4;
    /** The format of databases that {@code stemedb upgrade} rewrites into this one. */
    static final int UPGRADABLE_FORMAT = 1;
    static final String LOCK_FILE = "stemedb.lock";
    /**
     * A file that says the directory holds a database of this storage format, so that an open
     * needs no second look; without it (a database of format 1, a restored backup) the format
     * record is read first from a read-only open, so an older database is refused untouched.
     */
    static final String FORMAT_MARKER = "STEMEDB_FORMAT";
    /** A file that says an open is creating indexed families the database lacked and the indexes start over ({@link #markReindex}). */
    static final String REINDEX_MARKER = "STEMEDB_REINDEX";
    private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NODE_KEY = "node".getBytes(StandardCharsets.US_ASCII);
    /** The meta key of the engine's counters. */
    static final byte[] STATE_KEY = "state".getBytes(StandardCharsets.US_ASCII);
    /** The meta key of the indexer's digest watermark: every assertion up to this sequence is indexed, its id in the stored bucket digests. */
    static final byte[] INDEXED_KEY = "indexed".getBytes(StandardCharsets.US_ASCII);
    /**
     * The meta key that says from which sequence on the commits write the by-source entries of
     * {@link io.stemedb.model.Assertion#RESERVED_SOURCE_PREFIX reserved sources} themselves, so
     * that reading those never waits for the indexer (every one before it was indexed when the key
     * was written); u64.
     */
    static final byte[] RESERVED_BY_COMMITS_KEY = "reserved-sources-by-commits".getBytes(StandardCharsets.US_ASCII);
    /** The meta key of the indexer's entries watermark: the index entries of every assertion up to this sequence are written ({@link Indexer}). */
    static final byte[] INDEXED_ENTRIES_KEY = "indexed-entries".getBytes(StandardCharsets.US_ASCII);

    /** Visits one key and value of a scan; returns false to stop. */
    @FunctionalInterface
    interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    private final Path directory;
    private final List<AutoCloseable> natives = new ArrayList<>();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final RocksDB db;
    private final long nodeId;
    /** The handle of each {@link Family}, by ordinal. */
    private final ColumnFamilyHandle[] handles;
    /** The options of each {@link Family}, by ordinal: table files written outside the database (bulk loads) use them too. */
    private final ColumnFamilyOptions[] familyOptions = new ColumnFamilyOptions[Family.values().length];

    /** The directories this JVM holds open for writing. */
    private static final java.util.Set<Path> OPEN_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private boolean holdsThisJvmsClaim;
    /**
     * Whether the lock file was there before this open: StemeDB wrote the directory. When it was
     * not, an open that fails removes the lock file it made, leaving a foreign directory as it was.
     */
    private final boolean lockExisted;
    /** What a salvaging open dropped from a damaged write-ahead log, or null. */
    private String salvaged;
    /** Whether the format record says {@link #ERASURE_FORMAT} or later; set on open. */
    private boolean erasureFormat;
    /** The real path (links and dots resolved) under which this store is in {@link #OPEN_HERE}. */
    private Path claimKey;

    private RocksStore(Path directory, RocksSettings settings, long proposedNodeId) {
        this.directory = directory;
        this.lockExisted = Files.exists(directory.resolve(LOCK_FILE));
        boolean created = prepareDirectory(directory, settings.readOnly());
        FileChannel channel = null;
        FileLock fileLock = null;
        RocksDB opened = null;
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            if (!settings.readOnly()) {
                // OS file locks belong to the process, and closing any channel on the file drops
                // them all: a second open in this JVM must be refused before it opens the file.
                claimKey = directory.toRealPath();
                if (!OPEN_HERE.add(claimKey)) {
                    throw new StorageException.Locked("the database at " + directory + " is already open (held by pid "
                            + ProcessHandle.current().pid() + " on " + hostName() + ", this process); use that StemeDB, "
                            + "or close it first", null);
                }
                holdsThisJvmsClaim = true;
                channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.READ, StandardOpenOption.WRITE);
                fileLock = acquire(channel, directory);
            }
            RocksDB.loadLibrary();
            // A clock cache: a hit takes no lock and moves nothing (an LRU hit relinks its entry
            // under the shard's mutex). At 10,000,000 claims, where most reads search blocks of
            // the cache, uniform reads ran 5-10% faster (83,000-87,000/s against 79,000-80,000,
            // alternated); at 1,000,000 no difference (docs/benchmarks.md, session 11). 0: the
            // table sizes itself to the entries, whatever their size.
            Cache cache = track(new HyperClockCache(settings.blockCacheBytes(), 0, -1, false));
            WriteBufferManager wbm = track(new WriteBufferManager(settings.memtableBytes(), cache));
            if (!created) {
                checkDatabaseFiles(directory);
                List<Family> lacking = checkFamilies(directory, settings.readOnly());
                if (!Files.exists(directory.resolve(FORMAT_MARKER))) {
                    int version = probeFormat(directory);
                    if (version > 0 && version < FORMAT_VERSION) {
                        throw new StorageException.OlderFormat(directory, version, FORMAT_VERSION);
                    }
                }
                if (lacking.stream().anyMatch(f -> f.writer == Family.Writer.INDEXER)) {
                    markReindex(directory, lacking);
                }
            }
            WALRecoveryMode recovery = WALRecoveryMode.TolerateCorruptedTailRecords;
            if (!created) {
                WalCheck.Damage damage = WalCheck.scan(directory);
                if (damage != null) {
                    if (!settings.salvageDamagedLog() || settings.readOnly()) {
                        throw new StorageException.DamagedLog("cannot open " + directory + ": " + damage.describe()
                                + ". Restore the database from a backup (stemedb restore), or, to keep what precedes the damage "
                                + "and lose those commits, open it read-write with salvage (stemedb salvage " + directory
                                + ", or StemeDBBuilder.salvageDamagedLog())");
                    }
                    salvaged = "dropped " + (damage.recordsAfter() + 1) + " log records from " + damage.file().getFileName()
                            + " at byte " + damage.offset() + " (" + damage.what() + ")";
                    LOG.warn("salvaging {}: {}", directory, salvaged);
                    recovery = WALRecoveryMode.PointInTimeRecovery;
                }
            }
            DBOptions dbOptions = track(new DBOptions()
                    .setWalRecoveryMode(recovery)
                    .setCreateIfMissing(!settings.readOnly())
                    .setCreateMissingColumnFamilies(!settings.readOnly())
                    .setWriteBufferManager(wbm)
                    .setMaxBackgroundJobs(Math.max(2, Runtime.getRuntime().availableProcessors()))
                    // The open opens every table file (max_open_files -1), each family's on
                    // threads of its own, 16 by default. On two cores a database of 10,000,000
                    // claims (77 files) opened in 55 ms (median) that way and in 36 ms on two
                    // threads; with the page cache dropped, 80 ms against 64. More threads than
                    // cores only added their cost (docs/benchmarks.md, session 16).
                    .setMaxFileOpeningThreads(fileOpeningThreads(Runtime.getRuntime().availableProcessors()))
                    .setBytesPerSync(1 << 20)
                    .setKeepLogFileNum(5)
                    // the commits and the indexer write at once: pipelined, one's WAL append
                    // overlaps the other's memtable inserts instead of queueing behind them
                    .setEnablePipelinedWrite(true));
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (Family family : Family.values()) {
                familyOptions[family.ordinal()] = familyOptions(cache, family);
                descriptors.add(new ColumnFamilyDescriptor(family.nameBytes(), familyOptions[family.ordinal()]));
            }
            opened = settings.readOnly()
                    ? RocksDB.openReadOnly(dbOptions, directory.toString(), descriptors, handles)
                    : RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            this.db = opened;
            this.handles = handles.toArray(new ColumnFamilyHandle[0]);
            this.nodeId = checkFormat(created, proposedNodeId, settings.readOnly());
            if (Files.exists(directory.resolve(REINDEX_MARKER))) {
                if (settings.readOnly()) {
                    throw new StorageException.Incompatible(directory + " has indexes that a read-write open began to "
                            + "rebuild; open it read-write once to rebuild them");
                }
                reindexFromScratch();
            }
            if (!settings.readOnly()) {
                writeMarker(directory);
            }
            this.lockChannel = channel;
            this.lock = fileLock;
        } catch (RocksDBException e) {
            throw abandon(openFailure(directory, e), handles, opened, fileLock, channel);
        } catch (IOException e) {
            throw abandon(new StorageException("cannot open the lock file in " + directory + ": " + e.getMessage()
                    + "; check the directory's permissions", e), handles, opened, fileLock, channel);
        } catch (RuntimeException e) {
            throw abandon(e, handles, opened, fileLock, channel);
        }
    }

    /** The threads that open a family's table files: one per core, at least 2 and at most RocksDB's default of 16. */
    static int fileOpeningThreads(int cores) {
        return Math.min(16, Math.max(2, cores));
    }

    static RocksStore open(Path directory, RocksSettings settings, long proposedNodeId) {
        return new RocksStore(directory.toAbsolutePath().normalize(), settings, proposedNodeId);
    }

    private <T extends AutoCloseable> T track(T nativeObject) {
        natives.add(nativeObject);
        return nativeObject;
    }

    private ColumnFamilyOptions familyOptions(Cache cache, Family family) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(16 * 1024)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setFormatVersion(5);
        if (family.reads != Family.Reads.SCAN) {
            // Facts and ids are read by key; ids mostly miss (is this assertion new?), and a
            // fact's read must look in every level that may hold an entry of it: a whole-key
            // bloom filter answers "not here" without reading a block.
            table.setFilterPolicy(track(new BloomFilter(10, false)));
            // Partitioned: a table file's filter and index are cut into 4 KiB pieces behind a small
            // top level that stays pinned, so a read brings one piece into the block cache, not a
            // whole file's filter. Whole, the filters and indexes of 10,000,000 claims (about
            // 25 MB) did not fit beside the data in the 64 MiB cache, and every read that evicted
            // one paid for reading and parsing a filter of up to a megabyte: W2 at 10M read at
            // 2,500/s, p50 380 us. 4 KiB data blocks: a point read decompresses a quarter as much.
            table.setBlockSize(4 * 1024)
                    .setIndexType(IndexType.kTwoLevelIndexSearch)
                    .setPartitionFilters(true)
                    .setMetadataBlockSize(4 * 1024)
                    .setPinTopLevelIndexAndFilter(true)
                    .setCacheIndexAndFilterBlocksWithHighPriority(true);
        }
        ColumnFamilyOptions options = track(new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                // ZSTD packs the bottom level tighter, but a fact read decompresses a block of it
                // on every miss: LZ4 there read 10.9 us p50 against ZSTD's 15.2 (10M, compacted)
                .setBottommostCompressionType(family.reads == Family.Reads.POINT_MERGED
                        ? CompressionType.LZ4_COMPRESSION : CompressionType.ZSTD_COMPRESSION)
                .setLevelCompactionDynamicLevelBytes(true));
        if (family.reads == Family.Reads.POINT_MERGED) {
            // An empty delimiter: the operands are self-delimiting entries (FactEntries).
            options.setMergeOperator(track(new StringAppendOperator("")));
            // No filter at the bottom level, where most facts live: facts are read to answer
            // queries about facts that mostly exist (commits append without reading), and a read
            // of an existing fact found the key there after paying for the filter too. Reading a
            // fact that does not exist costs an index and a data block search instead of a filter
            // probe. Measured at 1,000,000 claims, compacted, uniform reads: p50 4.3-4.8 us against
            // 5.2-5.5 with the filter (docs/benchmarks.md, session 10).
            options.setOptimizeFiltersForHits(true);
        }
        return options;
    }

    /** Creates the directory if needed; returns true when the database is new. */
    private boolean prepareDirectory(Path directory, boolean readOnly) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new StorageException.Incompatible(directory + " is a file, not a directory; give the path of a "
                    + "directory for the database (it is created if missing)");
        }
        if (Files.isDirectory(directory)) {
            if (Files.exists(directory.resolve("CURRENT"))) {
                return false;
            }
            try (Stream<Path> entries = Files.list(directory)) {
                List<String> others = entries.map(p -> p.getFileName().toString())
                        .filter(n -> !n.equals(LOCK_FILE)).sorted().limit(5).toList();
                if (!others.isEmpty() && (writtenByStemeDB(directory) || others.stream().anyMatch(
                        n -> n.startsWith("MANIFEST-") || n.endsWith(".sst") || n.equals("IDENTITY")))) {
                    throw new StorageException.DamagedDatabase(directory + " holds a database whose CURRENT file (which names "
                            + "the list of its files) is missing; restore the database from a backup", null);
                }
                if (!others.isEmpty()) {
                    throw new StorageException.Incompatible(directory + " holds files that are not a StemeDB database "
                            + others + "; give an empty or new directory, or the directory of an existing database");
                }
            } catch (IOException e) {
                throw new StorageException("cannot list " + directory + ": " + e.getMessage(), e);
            }
        } else if (!readOnly) {
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new StorageException("cannot create the database directory " + directory + ": " + e, e);
            }
        }
        if (readOnly) {
            throw new StorageException.Incompatible("there is no database at " + directory
                    + " to open read-only; open it read-write once to create it");
        }
        return true;
    }

    /**
     * Refuses a RocksDB database that is not StemeDB's, or not one this version reads: one with a
     * column family StemeDB does not declare, or without a family that commits write (which
     * nothing could rebuild). Returns the declared families the database lacks, which a
     * read-write open creates: families that a later version added.
     */
    private List<Family> checkFamilies(Path directory, boolean readOnly) throws RocksDBException {
        List<String> found = new ArrayList<>();
        try (Options options = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(options, directory.toString())) {
                found.add(new String(name, StandardCharsets.US_ASCII));
            }
        }
        List<String> unknown = new ArrayList<>(found);
        List<Family> missing = new ArrayList<>();
        for (Family f : Family.values()) {
            unknown.remove(f.familyName());
            if (!found.contains(f.familyName())) {
                missing.add(f);
            }
        }
        boolean lacksCommitted = missing.stream().anyMatch(f -> f.writer == Family.Writer.COMMIT);
        if (writtenByStemeDB(directory)) {
            if (lacksCommitted) {
                throw new StorageException.DamagedDatabase(directory + " is a StemeDB database whose MANIFEST (the list of its "
                        + "files) is damaged: it lists the column families " + found + "; restore the database from a backup", null);
            }
            if (!unknown.isEmpty()) {
                throw new StorageException.Incompatible(directory + " has the column families " + unknown + ", which this "
                        + "version of StemeDB does not know: a newer StemeDB wrote it, so open it with that version (if none "
                        + "ever opened it, its MANIFEST is damaged: restore the database from a backup)");
            }
        } else if (lacksCommitted || !unknown.isEmpty()) {
            throw new StorageException.Incompatible(directory + " is a RocksDB database but not a StemeDB one (its column "
                    + "families are " + found + "); give the directory of a StemeDB database or an empty one");
        }
        if (readOnly && !missing.isEmpty()) {
            throw new StorageException.Incompatible(directory + " lacks the column families "
                    + missing.stream().map(Family::familyName).toList()
                    + " that this version of StemeDB adds; open it read-write once to add them");
        }
        return missing;
    }

    /**
     * Records, durably and before the open creates them, that indexed families are missing: the
     * open that creates them must also make the indexer start over, and a crash between the two
     * would otherwise leave the new families empty behind a watermark that says all is indexed.
     */
    private static void markReindex(Path directory, List<Family> lacking) {
        Path marker = directory.resolve(REINDEX_MARKER);
        try {
            DurableFiles.write(marker, ("StemeDB rebuilds the indexes; it created the column families "
                    + lacking.stream().map(Family::familyName).toList() + "\n").getBytes(StandardCharsets.US_ASCII));
            DurableFiles.syncDirectory(directory);
        } catch (IOException e) {
            throw new StorageException("cannot write " + marker + ": " + e.getMessage() + "; check the directory's permissions", e);
        }
    }

    /**
     * Makes the indexer start again from the first assertion, from empty digests, after an open
     * created indexed families the database lacked (a later version's new index): drops the
     * indexer's watermarks and the stored bucket digests in one synced batch, then the
     * {@link #REINDEX_MARKER}. The indexer, finding no watermark, fills every indexed family from
     * the log in the background; index reads wait for it.
     */
    private void reindexFromScratch() throws RocksDBException, IOException {
        LOG.info("{} lacked indexed column families, now created; the indexer rebuilds the indexes from the log", directory);
        try (org.rocksdb.WriteOptions sync = new org.rocksdb.WriteOptions().setSync(true);
                org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
            wb.delete(meta(), INDEXED_KEY);
            wb.delete(meta(), INDEXED_ENTRIES_KEY);
            wb.deleteRange(handle(Family.DIGESTS), new byte[0], Keys.ALL_BUCKETS_END);
            db.write(sync, wb);
        }
        Files.delete(directory.resolve(REINDEX_MARKER));
    }

    /**
     * Whether StemeDB wrote {@code directory}: it holds StemeDB's lock file or format marker,
     * which no other program writes. Then a database RocksDB cannot open is damaged, not foreign.
     */
    private boolean writtenByStemeDB(Path directory) {
        return lockExisted || Files.exists(directory.resolve(FORMAT_MARKER));
    }

    /**
     * Checks the two files that list all the others, CURRENT and the MANIFEST it names, before
     * RocksDB reads them, so that damage to them is reported as such and names the file.
     */
    private static void checkDatabaseFiles(Path directory) {
        Path current = directory.resolve("CURRENT");
        String named;
        try {
            named = Files.readString(current, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new StorageException.DamagedDatabase(directory + ": its CURRENT file cannot be read (" + e.getMessage()
                    + "); restore the database from a backup", e);
        }
        if (!named.matches("MANIFEST-\\d+\n") || !Files.isRegularFile(directory.resolve(named.trim()))) {
            String shown = named.length() > 40 ? named.substring(0, 40) + "..." : named.trim();
            throw new StorageException.DamagedDatabase(directory + ": its CURRENT file is damaged (it says '" + shown
                    + "', which is not the name of a MANIFEST file in the directory); restore the database from a backup", null);
        }
    }

    /** A failure to open, told apart: damage to a database StemeDB wrote names the file; the rest as RocksDB said. */
    private StorageException openFailure(Path directory, RocksDBException e) {
        Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
        if (writtenByStemeDB(directory) && (code == Status.Code.Corruption || code == Status.Code.IOError)) {
            String manifest = "its MANIFEST";
            try {
                manifest = Files.readString(directory.resolve("CURRENT"), StandardCharsets.ISO_8859_1).trim();
            } catch (IOException ignored) {
                // CURRENT was read by checkDatabaseFiles just before; the message then keeps the generic name
            }
            String detail = e.getMessage() == null ? "" : e.getMessage();
            String file = detail.contains("MANIFEST") || detail.contains("CURRENT") || !detail.contains(".sst")
                    ? manifest + " (the list of the database's files)" : "a table file";
            return new StorageException.DamagedDatabase(directory + " is a StemeDB database whose " + file + " is damaged: "
                    + detail + "; restore the database from a backup", e);
        }
        return StorageException.of("opening the database at " + directory, e);
    }

    /** The storage format recorded in the database, read from a read-only open; 0 when there is no record. */
    private static int probeFormat(Path directory) throws RocksDBException {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        try (Options options = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(options, directory.toString())) {
                descriptors.add(new ColumnFamilyDescriptor(name));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (QuietLog log = new QuietLog(); DBOptions options = new DBOptions().setDbLogDir(log.path().toString());
                RocksDB probe = RocksDB.openReadOnly(options, directory.toString(), descriptors, handles)) {
            try {
                byte[] format = probe.get(FORMAT_KEY);
                return format == null || format.length != 4 ? 0 : ByteBuffer.wrap(format).getInt();
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    /**
     * A temporary directory for RocksDB's info log during a read-only open of a database that may
     * be of an older format, so that the open writes nothing in the database's directory (RocksDB
     * otherwise creates its LOG file there even read-only). Deleted on close.
     */
    static final class QuietLog implements AutoCloseable {
        private final Path path;

        QuietLog() {
            try {
                path = Files.createTempDirectory("stemedb-readonly-log");
            } catch (IOException e) {
                throw new StorageException("cannot create a temporary directory: " + e.getMessage(), e);
            }
        }

        Path path() {
            return path;
        }

        @Override
        public void close() {
            try (Stream<Path> files = Files.list(path)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
                Files.delete(path);
            } catch (IOException e) {
                // a leftover temporary directory harms nothing; the OS cleans its temporary files
            }
        }
    }

    private static void writeMarker(Path directory) {
        Path marker = directory.resolve(FORMAT_MARKER);
        if (Files.exists(marker)) {
            return;
        }
        try {
            Files.writeString(marker, "StemeDB storage format " + FORMAT_VERSION + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new StorageException("cannot write " + marker + ": " + e.getMessage() + "; check the directory's permissions", e);
        }
    }

    private long checkFormat(boolean created, long proposedNodeId, boolean readOnly) throws RocksDBException {
        byte[] format = db.get(meta(), FORMAT_KEY);
        if (format == null) {
            if (!created && !isEmpty()) {
                throw new StorageException.Incompatible(directory + " has StemeDB's column families and data but no "
                        + "format record, so StemeDB did not write it; give the directory of a StemeDB database");
            }
            try (org.rocksdb.WriteOptions sync = new org.rocksdb.WriteOptions().setSync(true);
                    org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
                wb.put(meta(), FORMAT_KEY, ByteBuffer.allocate(4).putInt(INDEXED_IDS_FORMAT).array());
                wb.put(meta(), NODE_KEY, ByteBuffer.allocate(8).putLong(proposedNodeId).array());
                wb.put(meta(), RESERVED_BY_COMMITS_KEY, Keys.sequenceKey(0));
                db.write(sync, wb);
            }
            erasureFormat = true;
            return proposedNodeId;
        }
        int version = ByteBuffer.wrap(format).getInt();
        if (version > INDEXED_IDS_FORMAT) {
            throw new StorageException.Incompatible(directory + " was written by a newer StemeDB (storage format "
                    + version + "); this version reads formats " + FORMAT_VERSION + " to " + INDEXED_IDS_FORMAT
                    + "; upgrade StemeDB to open it");
        }
        if (version < FORMAT_VERSION) {
            throw new StorageException.OlderFormat(directory, version, FORMAT_VERSION);
        }
        erasureFormat = version >= ERASURE_FORMAT;
        if (!readOnly && version < INDEXED_IDS_FORMAT) {
            // every id of a database of format 2 or 3 is in its ids family; from here on, some may not be
            try (org.rocksdb.WriteOptions sync = new org.rocksdb.WriteOptions().setSync(true)) {
                db.put(meta(), sync, FORMAT_KEY, ByteBuffer.allocate(4).putInt(INDEXED_IDS_FORMAT).array());
            }
            erasureFormat = true;
        }
        byte[] node = db.get(meta(), NODE_KEY);
        if (node == null || node.length != 8) {
            throw new StorageException.Corruption("the node id record of " + directory + " is missing or damaged; "
                    + "restore the database from a backup", null);
        }
        return ByteBuffer.wrap(node).getLong();
    }

    /** True when no assertion and no counters are stored: a creation that stopped before its format record. */
    private boolean isEmpty() {
        try (RocksIterator it = db.newIterator(handle(Family.IDS))) {
            it.seekToFirst();
            return !it.isValid() && get(meta(), STATE_KEY) == null;
        }
    }

    /** The exclusive lock of {@code channel}'s file, or null when another process (or channel of this one) holds it. */
    static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static FileLock acquire(FileChannel channel, Path directory) throws IOException {
        FileLock fileLock = tryLock(channel);
        if (fileLock == null) {
            String holder = readHolder(directory.resolve(LOCK_FILE));
            channel.close();
            throw new StorageException.Locked("the database at " + directory + " is already open"
                    + (holder.isEmpty() ? "" : " (held by " + holder + ")")
                    + "; close it there first, or open it read-only", null);
        }
        String me = "pid " + ProcessHandle.current().pid() + " on " + hostName() + " since " + Instant.now()
                + " (" + ManagementFactory.getRuntimeMXBean().getName() + ")";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
        return fileLock;
    }

    private static String readHolder(Path lockFile) {
        try {
            return new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }

    /**
     * Whether the database may hold erasures: its format record says {@link #ERASURE_FORMAT} or
     * later, as it does once opened read-write by this version.
     */
    boolean erasureFormat() {
        return erasureFormat;
    }

    RocksDB db() {
        return db;
    }

    Path directory() {
        return directory;
    }

    long nodeId() {
        return nodeId;
    }

    /** What a salvaging open dropped from a damaged write-ahead log, when it did. */
    Optional<String> salvaged() {
        return Optional.ofNullable(salvaged);
    }

    Optional<byte[]> readState() {
        return Optional.ofNullable(get(meta(), STATE_KEY));
    }

    /**
     * Options for a table file of {@code family} written outside the database and ingested later
     * (the same comparator, table format, filter and merge operator); the caller closes them.
     */
    Options sstOptions(Family family) {
        try (DBOptions defaults = new DBOptions()) {
            return new Options(defaults, familyOptions[family.ordinal()]);
        }
    }

    /**
     * Moves the table files {@code files} (sorted, written by an {@code SstFileWriter} with
     * {@link #sstOptions}) into {@code family}, each whole; a memtable holding keys in their
     * range is flushed first.
     */
    void ingest(Family family, List<String> files) throws RocksDBException {
        try (IngestExternalFileOptions options = new IngestExternalFileOptions().setMoveFiles(true).setAllowBlockingFlush(true)) {
            db.ingestExternalFile(handle(family), files, options);
        }
    }

    /**
     * Deletes {@code directory}, a directory of files the database does not need (named
     * {@code what} in the error), and the files in it; nothing if it does not exist.
     */
    static void deleteScratchDirectory(Path directory, String what) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                Files.delete(p);
            }
            Files.delete(directory);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + what + " " + directory + ": " + e.getMessage()
                    + "; delete it by hand (it holds nothing the database needs)", e);
        }
    }

    /** The handle of {@code family}. */
    ColumnFamilyHandle handle(Family family) {
        return handles[family.ordinal()];
    }

    ColumnFamilyHandle meta() {
        return handle(Family.META);
    }

    byte[] get(ColumnFamilyHandle family, byte[] key) {
        return get(null, family, key);
    }

    /** {@link #get(ColumnFamilyHandle, byte[])} with {@code options}; null: the latest state. */
    private byte[] get(ReadOptions options, ColumnFamilyHandle family, byte[] key) {
        try {
            return options == null ? db.get(family, key) : db.get(family, options, key);
        } catch (RocksDBException e) {
            throw StorageException.of("reading " + familyName(family), e);
        }
    }

    /** Takes a snapshot of the whole database to read from; close the view to release it. */
    View view() {
        return new View();
    }

    /**
     * A read-only view of the database as it was at one instant (a RocksDB snapshot): every read
     * through it sees the same state, whatever commits run meanwhile, because a commit's entries
     * and counters are one write batch. Its reads do not fill the block cache, so that a pass over
     * everything (verify) does not evict what the queries use, and scans read ahead. Not
     * thread-safe; {@link #close()} releases the snapshot and frees the native handles.
     */
    final class View implements AutoCloseable {
        /** Sequential scans of table files read this much at a time instead of one block. */
        private static final long READAHEAD_BYTES = 2L << 20;

        private final org.rocksdb.Snapshot snapshot;
        private final ReadOptions pointOptions;

        private View() {
            snapshot = db.getSnapshot();
            pointOptions = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
        }

        byte[] get(ColumnFamilyHandle family, byte[] key) {
            return RocksStore.this.get(pointOptions, family, key);
        }

        /** Visits every entry whose key starts with {@code prefix}, in key order. */
        void scan(ColumnFamilyHandle family, byte[] prefix, Visitor visitor) {
            range(this, family, prefix, Keys.successor(prefix), visitor);
        }

        /** Fresh options for one iterator over this snapshot; the caller closes them. */
        private ReadOptions scanOptions() {
            return new ReadOptions().setSnapshot(snapshot).setFillCache(false).setReadaheadSize(READAHEAD_BYTES);
        }

        @Override
        public void close() {
            pointOptions.close();
            // the Java Snapshot object owns no native memory: releasing it through the database frees it
            db.releaseSnapshot(snapshot);
        }
    }

    List<byte[]> multiGet(ColumnFamilyHandle family, List<byte[]> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<ColumnFamilyHandle> families = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            families.add(family);
        }
        try {
            return db.multiGetAsList(families, keys);
        } catch (RocksDBException e) {
            throw StorageException.of("reading " + keys.size() + " keys of " + familyName(family), e);
        }
    }

    /** Visits every entry whose key starts with {@code prefix}, in key order. */
    void scan(ColumnFamilyHandle family, byte[] prefix, Visitor visitor) {
        range(family, prefix, Keys.successor(prefix), visitor);
    }

    /** Visits every entry from {@code start} on, in key order. */
    void scanFrom(ColumnFamilyHandle family, byte[] start, Visitor visitor) {
        range(family, start, null, visitor);
    }

    /** Visits every entry in [{@code low}, {@code high}) in key order; {@code high} null: to the end. */
    void range(ColumnFamilyHandle family, byte[] low, byte[] high, Visitor visitor) {
        range(null, family, low, high, visitor);
    }

    /** {@link #range(ColumnFamilyHandle, byte[], byte[], Visitor)} in {@code view}; null: the latest state. */
    private void range(View view, ColumnFamilyHandle family, byte[] low, byte[] high, Visitor visitor) {
        iterate(view, family, low, high, it -> {
            for (it.seek(low); it.isValid(); it.next()) {
                if (!visitor.visit(it.key(), it.value())) {
                    break;
                }
            }
            return null;
        });
    }

    /**
     * Visits keys from {@code start} up to {@code end} (exclusive; null: no end), letting the
     * visitor skip ahead: it returns the key to seek to next, or null to stop.
     */
    void skipScan(ColumnFamilyHandle family, byte[] start, byte[] end, Function<byte[], byte[]> next) {
        iterate(null, family, start, end, it -> {
            it.seek(start);
            while (it.isValid()) {
                byte[] target = next.apply(it.key());
                if (target == null) {
                    break;
                }
                it.seek(target);
            }
            return null;
        });
    }

    private <T> T iterate(View view, ColumnFamilyHandle family, byte[] lower, byte[] upper, Function<RocksIterator, T> body) {
        try (Slice upperSlice = upper == null ? null : new Slice(upper);
                ReadOptions options = view == null ? new ReadOptions() : view.scanOptions();
                RocksIterator it = db.newIterator(family, options.setIterateUpperBound(upperSlice))) {
            T result = body.apply(it);
            it.status();
            return result;
        } catch (RocksDBException e) {
            throw StorageException.of("scanning " + familyName(family), e);
        }
    }

    private String familyName(ColumnFamilyHandle family) {
        try {
            return "column family " + new String(family.getName(), StandardCharsets.US_ASCII);
        } catch (RocksDBException e) {
            return "a column family";
        }
    }

    /** Sizes, memory use and statistics, as RocksDB reports them. */
    Map<String, String> properties() {
        Map<String, String> props = new LinkedHashMap<>();
        try {
            props.put("total-sst-files-size", String.valueOf(db.getAggregatedLongProperty("rocksdb.total-sst-files-size")));
            props.put("live-sst-files-size", String.valueOf(db.getAggregatedLongProperty("rocksdb.live-sst-files-size")));
            props.put("cur-size-all-mem-tables", String.valueOf(memtableBytesInUse()));
            props.put("block-cache-usage", String.valueOf(db.getLongProperty("rocksdb.block-cache-usage")));
            props.put("estimate-num-keys", String.valueOf(db.getAggregatedLongProperty("rocksdb.estimate-num-keys")));
            props.put("stats", db.getProperty("rocksdb.stats"));
            // rocksdb.stats covers the default family only; the indexes' LSM shape and write
            // amplification are in each family's own statistics.
            for (Family family : Family.values()) {
                if (family != Family.META) {
                    props.put("stats." + family.familyName(), db.getProperty(handle(family), "rocksdb.cfstats-no-file-histogram"));
                }
            }
        } catch (RocksDBException e) {
            throw StorageException.of("reading RocksDB properties", e);
        }
        return props;
    }

    /** Entries added to the active memtables of every family so far (0 after a flush). */
    long memtableEntries() {
        return aggregated("rocksdb.num-entries-active-mem-table");
    }

    /** Bytes held by every family's memtables, those being flushed included. */
    long memtableBytesInUse() {
        return aggregated("rocksdb.cur-size-all-mem-tables");
    }

    private long aggregated(String property) {
        try {
            return db.getAggregatedLongProperty(property);
        } catch (RocksDBException e) {
            throw StorageException.of("reading " + property, e);
        }
    }

    /**
     * Writes every memtable to table files and waits, so that the next open has no log to replay
     * (reopening then reads the counters and a few file headers, whatever the size of the data).
     * Unless {@code stallingWrites}, a flush that would stall writes (level 0 holding as many files
     * as slow writes down) first waits for compactions to take some away: right for a flush while
     * writers may come, and what made a close after an ingest of 10,000,000 claims, whose index
     * runs had filled level 0, take 6.4 s instead of 0.4 (docs/benchmarks.md, session 22).
     */
    void flushAll(boolean stallingWrites) {
        try (org.rocksdb.FlushOptions options = new org.rocksdb.FlushOptions().setWaitForFlush(true)
                .setAllowWriteStall(stallingWrites)) {
            db.flush(options, families());
        } catch (RocksDBException e) {
            throw StorageException.of("flushing the memtables", e);
        }
    }

    /** Compacts every column family fully (the bottommost level too, so it is rewritten with ZSTD). */
    void compactAll() {
        try (org.rocksdb.CompactRangeOptions options = new org.rocksdb.CompactRangeOptions()
                .setBottommostLevelCompaction(org.rocksdb.CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            for (ColumnFamilyHandle family : families()) {
                db.compactRange(family, null, null, options);
            }
        } catch (RocksDBException e) {
            throw StorageException.of("compacting", e);
        }
    }

    /**
     * Bytes of {@code family}'s table files above its bottom level: in level 0 (whose files
     * overlap one another, so a read looks into each) and in every level above the last that holds
     * files. A read of a key whose entries lie there looks in two levels or more.
     */
    long bytesAboveBottom(ColumnFamilyHandle family) {
        List<org.rocksdb.LevelMetaData> levels = db.getColumnFamilyMetaData(family).levels();
        int bottom = -1;
        for (org.rocksdb.LevelMetaData level : levels) {
            if (level.level() > 0 && level.size() > 0) {
                bottom = level.level();
            }
        }
        long above = 0;
        for (org.rocksdb.LevelMetaData level : levels) {
            if (level.level() != bottom) {
                above += level.size();
            }
        }
        return above;
    }

    /** Bytes of {@code family}'s table files in all. */
    long tableBytes(ColumnFamilyHandle family) {
        return db.getColumnFamilyMetaData(family).size();
    }

    /**
     * Compacts {@code family} into its bottom level with {@code options} (which the caller may
     * cancel from another thread); true if it completed, false if it was canceled.
     */
    boolean compactIntoBottom(ColumnFamilyHandle family, org.rocksdb.CompactRangeOptions options) {
        try {
            db.compactRange(family, null, null, options);
            return true;
        } catch (RocksDBException e) {
            if (options.canceled()) {
                return false;
            }
            throw StorageException.of("compacting " + familyName(family), e);
        }
    }

    /** Every column family handle, in {@link Family} order (the default, meta, one first). */
    List<ColumnFamilyHandle> families() {
        return List.of(handles);
    }

    @Override
    public void close() {
        StorageException failure = closeAll(families(), db, lock, lockChannel);
        if (failure != null) {
            throw failure;
        }
    }

    /** Frees what a failed open had created, attaching any failure to free to {@code cause}. */
    private RuntimeException abandon(RuntimeException cause, List<ColumnFamilyHandle> handles, RocksDB opened,
            FileLock fileLock, FileChannel channel) {
        StorageException failure = closeAll(handles, opened, fileLock, channel);
        if (failure != null) {
            cause.addSuppressed(failure);
        }
        if (!lockExisted && channel != null) {
            try {
                Files.deleteIfExists(directory.resolve(LOCK_FILE));
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        return cause;
    }

    /** Frees handles, the database, the native options (in reverse order of creation) and the lock. */
    private StorageException closeAll(List<ColumnFamilyHandle> handles, RocksDB opened, FileLock fileLock, FileChannel channel) {
        StorageException failure = null;
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        if (opened != null) {
            opened.close();
        }
        for (int i = natives.size() - 1; i >= 0; i--) {
            try {
                natives.get(i).close();
            } catch (Exception e) {
                failure = failure != null ? failure : new StorageException("freeing a RocksDB handle failed: " + e, e);
            }
        }
        natives.clear();
        try {
            if (fileLock != null && fileLock.isValid()) {
                fileLock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            failure = failure != null ? failure : new StorageException("releasing the lock on " + directory + " failed: " + e, e);
        }
        if (holdsThisJvmsClaim) {
            OPEN_HERE.remove(claimKey);
            holdsThisJvmsClaim = false;
        }
        return failure;
    }
}
