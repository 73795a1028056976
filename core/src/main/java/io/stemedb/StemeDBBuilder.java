package io.stemedb;

import io.stemedb.merkle.SyncLimits;
import io.stemedb.model.Assertion;
import io.stemedb.model.Hlc;
import io.stemedb.storage.Engine;
import io.stemedb.storage.Engines;
import io.stemedb.storage.RocksSettings;
import io.stemedb.storage.StorageException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings for a {@link StemeDB}. Every setter checks its argument at once and fails with a
 * message that names the setting; unset settings take the defaults stated on each setter. Not
 * thread-safe; a builder may build several databases.
 */
public final class StemeDBBuilder {
    /** The default value size limit: 1 MiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;

    private Long nodeId;
    private Clock clock = Clock.systemUTC();
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private Durability durability = Durability.syncEachCommit();
    private long blockCacheBytes = RocksSettings.DEFAULT.blockCacheBytes();
    private long memtableBytes = RocksSettings.DEFAULT.memtableBytes();
    private long factCacheBytes = RocksSettings.DEFAULT.factCacheBytes();
    private boolean salvageDamagedLog;
    private Duration maxClockDrift = Duration.ofHours(1);
    private ErasurePolicy erasurePolicy = ErasurePolicy.ACCEPT_ALL;
    private byte[] rootKey;
    private SyncLimits syncLimits = SyncLimits.DEFAULT;

    StemeDBBuilder() {}

    /**
     * The replica's node id, carried by every HLC timestamp it makes. Default: random for a new
     * database, the stored one for an existing database (setting a different one fails). Two
     * replicas that merge with each other must have different node ids.
     */
    public StemeDBBuilder nodeId(long nodeId) {
        this.nodeId = nodeId;
        return this;
    }

    /** The wall clock the HLC reads. Default: the system UTC clock. Tests pass a fixed or stepping clock. */
    public StemeDBBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The largest value, in encoded bytes, that a write or a merge accepts. Default 1 MiB; at most
     * {@link Assertion#MAX_VALUE_BYTES} (16 MiB).
     */
    public StemeDBBuilder maxValueBytes(int maxValueBytes) {
        if (maxValueBytes < 1 || maxValueBytes > Assertion.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(String.format(
                    "maxValueBytes must be between 1 and %,d (16 MiB), got %,d", Assertion.MAX_VALUE_BYTES, maxValueBytes));
        }
        this.maxValueBytes = maxValueBytes;
        return this;
    }

    /**
     * The root key of this database's key registry: the raw 32-byte Ed25519 public key
     * ({@link io.stemedb.model.SigningKey#readPublic}) whose signature every key registry entry
     * needs, on every path (local, merge, sync, archive, bulk load). A database keeps the root key
     * it was first opened with; opening it with another fails. Without one, it refuses every
     * registry entry, so no claim is proven. Replicas of one database share its root key.
     */
    public StemeDBBuilder rootKey(byte[] publicKey) {
        if (publicKey.length != io.stemedb.model.SigningKey.KEY_BYTES) {
            throw new io.stemedb.model.SigningKey.InvalidKeyException("a root key is a " + io.stemedb.model.SigningKey.KEY_BYTES
                    + "-byte Ed25519 public key, got " + publicKey.length + " bytes; read it with SigningKey.readPublic");
        }
        this.rootKey = publicKey.clone();
        return this;
    }

    /**
     * Which erasures this database accepts from elsewhere (merge, sync, archive import, bulk
     * load); refused ones are reported as rejected and erase nothing. Local erasures
     * ({@link StemeDB#erase}) are always accepted. Default {@link ErasurePolicy#ACCEPT_ALL}.
     */
    public StemeDBBuilder erasurePolicy(ErasurePolicy policy) {
        this.erasurePolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * How far ahead of this replica's wall clock a merged assertion's timestamp may be. Merging
     * advances the clock past every timestamp received, so one record from a peer with a wildly
     * wrong clock would drag every later local write into the future; such records are refused
     * and reported instead. Default one hour; between one second and 365 days.
     */
    public StemeDBBuilder maxClockDrift(Duration drift) {
        Objects.requireNonNull(drift, "drift");
        if (drift.compareTo(Duration.ofSeconds(1)) < 0 || drift.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("maxClockDrift must be between 1 second and 365 days, got " + drift);
        }
        this.maxClockDrift = drift;
        return this;
    }

    /**
     * The frames and bounds of the sync sessions this database runs ({@code syncWith},
     * {@code replicate}) and answers ({@code syncResponder}). Default {@link SyncLimits#DEFAULT};
     * the frame is raised, if need be, to hold the largest value {@link #maxValueBytes} accepts.
     */
    public StemeDBBuilder syncLimits(SyncLimits limits) {
        this.syncLimits = Objects.requireNonNull(limits, "limits");
        return this;
    }

    /** When commits reach the disk. Default: {@link Durability#syncEachCommit()}. */
    public StemeDBBuilder durability(Durability durability) {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    /**
     * The native memory budget of an on-disk database: RocksDB's block cache, which also holds
     * index and filter blocks and is charged for the memtables. Default: a sixteenth of the memory of
     * the machine, or of the container the JVM runs in, at least 64 MiB and at most 1 GiB
     * ({@link RocksSettings#defaultBlockCacheBytes}); it fills only with the blocks read, so a small
     * database uses little of it. At least 8 MiB.
     */
    public StemeDBBuilder blockCacheBytes(long bytes) {
        if (bytes < (8L << 20)) {
            throw new IllegalArgumentException(String.format("blockCacheBytes must be at least 8 MiB (8,388,608), got %,d", bytes));
        }
        this.blockCacheBytes = bytes;
        return this;
    }

    /**
     * How much of the block cache budget the memtables (recent writes not yet in table files) may
     * use. Default 32 MiB; at least 4 MiB and at most the block cache size. Memtables holding a
     * quarter of it or more are written to table files once writes stop for about a second, so
     * that their share of the cache serves reads.
     */
    public StemeDBBuilder memtableBytes(long bytes) {
        if (bytes < (4L << 20)) {
            throw new IllegalArgumentException(String.format("memtableBytes must be at least 4 MiB (4,194,304), got %,d", bytes));
        }
        this.memtableBytes = bytes;
        return this;
    }

    /**
     * The Java heap, about, that an on-disk database may use to keep the evidence of recently read
     * facts (a subject and predicate: its claims and their retractions), so that reading them
     * again needs no RocksDB seek. Commits invalidate what they change. Default a sixteenth of the
     * JVM's maximum heap, at least 64 MiB and at most 1 GiB ({@link RocksSettings#defaultFactCacheBytes});
     * it fills only with facts read. 0 turns the cache off. The figure is an estimate of the retained heap (about 400 bytes per assertion
     * plus its encoded size, plus about 600 per fact); an in-memory database has no such cache.
     */
    public StemeDBBuilder factCacheBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(String.format("factCacheBytes must be 0 (off) or more, got %,d", bytes));
        }
        this.factCacheBytes = bytes;
        return this;
    }

    /**
     * Opens a database whose write-ahead log is damaged by keeping what precedes the damage and
     * dropping every commit after it, instead of refusing with
     * {@link StorageException.DamagedLog}. Use it only when no backup holds those commits: the
     * loss is permanent once the database is opened. What was dropped is logged, and reported in
     * {@code stats().engineProperties()} under {@code salvaged-log}. Default: off.
     */
    public StemeDBBuilder salvageDamagedLog() {
        this.salvageDamagedLog = true;
        return this;
    }

    private DatabaseLimits limits() {
        return new DatabaseLimits(clock, maxValueBytes, maxClockDrift, syncLimits, erasurePolicy, rootKey);
    }

    /** A database on the Java heap: no files, no native code. */
    public StemeDB inMemory() {
        long node = nodeId != null ? nodeId : new SecureRandom().nextLong();
        return new EngineDatabase(Engines.inMemory(node), "in-memory", limits(), false);
    }

    /**
     * Opens the database in {@code directory}, creating the directory and the database if they do
     * not exist. Only one process may have a database open for writing.
     *
     * @throws StorageException.Locked if another process (or another open in this one) has it
     * @throws StorageException.Incompatible if the path is a file, a directory of other files, or a
     *     database of a newer format
     * @throws StorageException.OlderFormat if the database is of an older storage format: the
     *     message names the command that upgrades it
     * @throws StorageException.DamagedLog if its write-ahead log is damaged where commits were
     *     fully written (restore it, or see {@link #salvageDamagedLog()})
     * @throws StorageException.DamagedDatabase if the files that list its other files are damaged
     */
    public StemeDB open(Path directory) {
        return open(directory, false);
    }

    /**
     * Opens an existing database for reading only; writes fail with
     * {@link StorageException.ReadOnly}. It sees the database as it was when opened, takes no
     * lock, and may be opened while another process writes.
     */
    public StemeDB openReadOnly(Path directory) {
        return open(directory, true);
    }

    private StemeDB open(Path directory, boolean readOnly) {
        Objects.requireNonNull(directory, "directory");
        if (memtableBytes > blockCacheBytes) {
            throw new IllegalArgumentException(String.format(
                    "memtableBytes (%,d) must not exceed blockCacheBytes (%,d); the memtables are charged to the cache",
                    memtableBytes, blockCacheBytes));
        }
        RocksSettings settings = new RocksSettings(readOnly, durability.syncsEachCommit(),
                durability.interval(), blockCacheBytes, memtableBytes, factCacheBytes, salvageDamagedLog);
        long proposed = nodeId != null ? nodeId : new SecureRandom().nextLong();
        Engine engine = Engines.rocksDb(directory, settings, proposed);
        long stored = engine.nodeId();
        if (nodeId != null && stored != nodeId) {
            engine.close();
            throw new StorageException.Incompatible("the database at " + directory + " belongs to node "
                    + Hlc.nodeHex(stored) + ", not " + Hlc.nodeHex(nodeId)
                    + "; leave nodeId unset to reopen it, or give a new directory for a new replica");
        }
        return new EngineDatabase(engine, "rocksdb " + directory.toAbsolutePath(), limits(), readOnly);
    }
}
