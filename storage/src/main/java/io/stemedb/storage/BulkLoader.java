package io.stemedb.storage;

import io.stemedb.crdt.IdDigest;
import io.stemedb.internal.DurableFiles;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.ByteSource;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.StemeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;
import org.rocksdb.SstFileWriter;

/**
 * The staging half of a bulk load ({@link RocksEngine#bulkLoad}): turns a stream of claims into
 * sorted table files, one set per <em>run</em>, in a staging directory inside the database
 * directory, and writes the journal that names them.
 *
 * <p><b>Design.</b> A bulk load must give the same sequences, entries and digests as ordinary
 * commits of the same claims, without a write batch per claim. Claims are numbered as they are
 * read (the next sequence after the database's last), exactly as commits would number them, and
 * encoded on the calling thread into a run held in memory: at most {@link #RUN_CLAIMS} claims or
 * {@link #RUN_BYTES} of record bytes, about 250 bytes of heap per claim beyond its record. A full
 * run is sorted and written by a background thread while the caller fills the next, so at most
 * two runs are in memory; its families are written side by side when that thread is what the
 * load waits for ({@code flushRun}). Each run becomes one table file per family: fact entries as
 * <em>merge operands</em> (one per fact per run, its entries in sequence order), so that a fact
 * the database holds already, or that several runs touch, gets appended to exactly as commits
 * append; ids; log entries (in sequence order by construction); and the indexer's families (by
 * source, subjects, by value), so that nothing is left to index. The bucket digests are summed in
 * memory over the whole load and written last, with their absolute values.
 *
 * <p>RocksDB 10.10 ingests several files of one family whose key ranges overlap in one call,
 * applying them in the order given (checked before this was built: puts of a later file win,
 * merge operands of every file append in order after what the database held), so runs are not
 * merged before ingestion.
 *
 * <p><b>Duplicates.</b> A claim stamped no later than the newest timestamp stored may be stored
 * already: those are looked up in the ids family, a window of {@link #WINDOW} at a time. Within
 * the load (unless its claims are freshly stamped, which rules duplicates out), the ids of the
 * current run are kept exactly, and those of each finished run in a
 * bloom filter (3 bytes per claim, about 0.001% false positives each); a claim one of them may
 * have seen is <em>deferred</em>: stored after the ingestion by an ordinary commit, which
 * decides exactly. So is every retraction, so that it is placed with its target by the commit
 * path and numbered after the load's claims.
 *
 * <p><b>Atomicity.</b> Nothing in the database changes while staging. The commit point is the
 * synced journal record ({@link Journal}) written once every file is durable; before it, a
 * failure deletes the staging directory and leaves the database as it was; after it, the load is
 * finished by this process or, after a crash, by the next open. Fact operands must never be
 * applied twice, so the facts files carry a marker key holding the load's id, removed in the
 * batch that completes the ingestion: a marker found on recovery means the facts were ingested.
 * Every other file holds puts of absolute values, which a second ingestion rewrites harmlessly.
 *
 * <p>Not thread-safe: one loader per load, driven by the committing thread.
 */
final class BulkLoader implements AutoCloseable {
    /** The staging directory's name inside the database directory. */
    static final String STAGING = "bulk-staging";
    /** Claims per run at most, unless the system property {@code stemedb.bulk.runClaims} says fewer (tests use small runs). */
    static final int RUN_CLAIMS = 1 << 20;
    /** Record bytes per run at most. */
    static final long RUN_BYTES = 64L << 20;
    /** Claims looked up in the ids family at once, when they may be stored already. */
    static final int WINDOW = 4096;
    /** A fact with at least this many entries in one load is sealed after it (as {@link RocksEngine#SEAL_AFTER}). */
    static final int SEAL_ENTRIES = RocksEngine.SEAL_AFTER;
    /** The largest chunk a fact sealed after a load gets (a chunk holds at least one entry). */
    static final int CHUNK_BYTES = 1 << 20;
    /** Entries per run below which a fact is not counted towards sealing: bounds the map of counts. */
    private static final int COUNT_FROM = 4;
    /** Bits per claim of a finished run's bloom filter, and its probes. */
    private static final int BLOOM_BITS_PER_CLAIM = 24;
    private static final int BLOOM_PROBES = 16;
    static final String DEFERRED_FILE = "deferred.records";
    static final String SEALS_FILE = "seal.keys";
    private static final Family[] RUN_FAMILIES = {Family.FACTS, Family.IDS, Family.LOG, Family.SOURCES, Family.VALUES};

    /** The facts marker key: 17 bytes, a length no head (16) or chunk (20) key has. */
    static final byte[] FACTS_MARKER;

    static {
        FACTS_MARKER = new byte[Keys.FACT_KEY_BYTES + 1];
        Arrays.fill(FACTS_MARKER, 0, Keys.FACT_KEY_BYTES, (byte) 0xff);
    }

    private final RocksStore store;
    private final Path staging;
    private final long loadId;
    private final Hlc storedMax;
    private final ExecutorService writer;
    /** Writes a run's families' files side by side, for the writer thread: a run's five files share no data. */
    private final ExecutorService familyWriters;
    private Future<?> writing;
    /** Whether a run was ever full before the previous one was written: the writer is what the load waits for. */
    private boolean writerBehind;
    /**
     * Files written so far, in order, with their family. Guarded by its own monitor while the
     * writer thread adds a run's files; the loading thread adds its own only after
     * {@link #awaitWriter()}.
     */
    private final List<Journal.Staged> files = new ArrayList<>();
    private final List<Bloom> finished = new ArrayList<>();
    private final List<Path> idFiles = new ArrayList<>();
    private Run run;
    /**
     * A written run whose arrays the next run reuses (at most one: a run is handed to the writer
     * only after the previous one is written). A run's arrays are a few hundred megabytes, most of
     * them humongous objects to G1; allocated afresh for each run, they started a concurrent
     * collection cycle per run (12-15 in a load of 10,000,000 claims, none with reuse).
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Run> spare = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final List<Claim> window = new ArrayList<>(WINDOW);
    /** What the ordinary commit path stores after the ingestion, in input order. */
    private final List<Assertion> deferred = new ArrayList<>();
    private long seq;
    private long claims;
    private Hlc maxHlc;
    private long read;
    private long duplicates;
    private final IdDigest[] buckets;
    private final IdDigest totalBefore;
    /** The sums (32 bytes each, big-endian, mod 2^256) and counts of the load's ids per bucket; written by the writer thread only. */
    private final byte[] loadSums = new byte[Engine.BUCKETS * 32];
    private final long[] loadCounts = new long[Engine.BUCKETS];
    /** Facts with many entries in this load: entries and bytes, summed over the runs. */
    private final Map<FactCache.Fact, long[]> factCounts = new HashMap<>();
    /** Facts this process has appended to since it last sealed them: their operands in this load count too. */
    private final Set<FactCache.Fact> recentlyAppended;
    private final Map<FactCache.Fact, Integer> operandsOfRecent = new HashMap<>();
    private final BulkLoading.BulkInput input;
    /** The input's claims are freshly stamped ({@link BulkLoading.BulkInput#freshlyStamped}): no duplicate is possible. */
    private final boolean unique;
    private int runsHanded;
    /** Whether an id is a claim stored before the load. */
    private final java.util.function.Predicate<AssertionId> storedClaim;
    private final int runClaims = Math.max(1, Math.min(RUN_CLAIMS, Integer.getInteger("stemedb.bulk.runClaims", RUN_CLAIMS)));

    BulkLoader(RocksStore store, RocksEngine.State before, IdDigest total, IdDigest[] buckets,
            Set<FactCache.Fact> recentlyAppended, java.util.function.Predicate<AssertionId> storedClaim, BulkLoading.BulkInput input) {
        this.storedClaim = storedClaim;
        this.store = store;
        this.staging = store.directory().resolve(STAGING);
        this.loadId = System.nanoTime() ^ Double.doubleToLongBits(Math.random());
        this.storedMax = before.maxHlc();
        this.seq = before.lastSequence();
        this.claims = before.claims();
        this.maxHlc = before.maxHlc();
        this.totalBefore = total;
        this.buckets = buckets;
        this.recentlyAppended = recentlyAppended;
        this.input = input;
        this.unique = input.freshlyStamped();
        deleteStaging(store.directory());
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new StorageException("cannot create the bulk load's staging directory " + staging + ": " + e.getMessage()
                    + "; check the disk and the directory's permissions (nothing was loaded)", e);
        }
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stemedb-bulk-writer");
            t.setDaemon(true);
            return t;
        });
        int threads = Math.min(RUN_FAMILIES.length, Runtime.getRuntime().availableProcessors());
        java.util.concurrent.atomic.AtomicInteger numbered = new java.util.concurrent.atomic.AtomicInteger();
        this.familyWriters = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "stemedb-bulk-writer-" + numbered.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes one assertion of the input. */
    void add(Assertion a) {
        read++;
        if (a instanceof Claim c) {
            window.add(c);
            if (window.size() >= WINDOW) {
                drainWindow();
            }
        } else {
            drainWindow();
            deferred.add(a);
        }
        if (read % 65_536 == 0) {
            input.progress("bulk load: reading", read, -1);
        }
    }

    /**
     * Takes one claim of the input that must not be ingested (an erasure covers it, or its id is
     * marked erased): the deferred commit that ends the load refuses it as any commit does, and
     * counts it.
     */
    void addRefused(Claim c) {
        read++;
        drainWindow();
        deferred.add(c);
    }

    /** Numbers the claims of the window that are new, in order, and adds them to the run. */
    private void drainWindow() {
        if (window.isEmpty()) {
            return;
        }
        List<byte[]> keys = new ArrayList<>();
        List<Integer> older = new ArrayList<>();
        for (int i = 0; i < window.size(); i++) {
            if (storedMax != null && !window.get(i).hlc().isAfter(storedMax)) {
                older.add(i);
                keys.add(window.get(i).id().toBytes());
            }
        }
        boolean[] stored = new boolean[window.size()];
        List<byte[]> found = store.multiGet(store.handle(Family.IDS), keys);
        for (int k = 0; k < older.size(); k++) {
            stored[older.get(k)] = found.get(k) != null;
        }
        for (int i = 0; i < window.size(); i++) {
            Claim c = window.get(i);
            if (stored[i]) {
                duplicates++;
                continue;
            }
            if (run == null) {
                Run reused = spare.poll();
                run = reused == null ? new Run(seq + 1) : reused.reset(seq + 1);
            }
            if (!unique && isRepeated(c)) {
                // a duplicate, or (rarely) another id that shares its 64 bits or a filter's bits:
                // the commit path after the ingestion decides exactly
                deferred.add(c);
                continue;
            }
            seq++;
            claims++;
            if (maxHlc == null || c.hlc().isAfter(maxHlc)) {
                maxHlc = c.hlc();
            }
            run.add(c, seq);
            if (run.size() >= runClaims || run.recordBytes >= RUN_BYTES) {
                flushRun(false);
            }
        }
        window.clear();
    }

    /** Whether {@code c} may have been read before in this load; its id is then remembered. */
    private boolean isRepeated(Claim c) {
        long key = Bloom.key(c.id());
        return !run.ids.add(key) || mayHaveSeen(key);
    }

    private boolean mayHaveSeen(long key) {
        for (Bloom b : finished) {
            if (b.mayContain(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands the full run to the writer thread, after the previous one is written. The run's
     * families are written side by side when the writer is what the load waits for: the last run
     * (nothing else is left to do), and every run once a previous run was still being written when
     * the next one was full. Otherwise one family after another, leaving the other cores to whatever feeds the
     * load: measured on two cores, `stemedb import` of 10,000,000 JSON Lines claims (its parsing
     * on a thread of its own) took 68-93 s with every run written side by side against 58-72 s
     * one family at a time, while the bulk API (no parsing) went from 45.3 s to 39.9-40.2 s.
     */
    private void flushRun(boolean last) {
        Run full = run;
        run = null;
        runsHanded++;
        if (!unique) {
            finished.add(full.ids.toBloom());
        }
        int number = runsHanded;
        writerBehind |= writing != null && !writing.isDone();
        boolean sideBySide = last || writerBehind;
        awaitWriter();
        writing = writer.submit(() -> {
            full.write(number, sideBySide);
            spare.offer(full);
            return null;
        });
    }

    private void awaitWriter() {
        if (writing == null) {
            return;
        }
        try {
            writing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("the bulk load was interrupted; nothing was loaded", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StemeException se) {
                throw se;
            }
            throw new StorageException("writing a run of the bulk load failed: " + cause + "; nothing was loaded", cause);
        } finally {
            writing = null;
        }
    }

    /** How many claims will be ingested: when none, there is nothing to stage. */
    long claimsStaged() {
        return seq;
    }

    /**
     * Ends the input: writes the last run and the digests. Then {@code late} assertions are taken
     * from the input (which may refuse the load by throwing), and the deferred ones are written.
     *
     * @return the journal to commit, or null when no claim is to be ingested (all deferred)
     */
    Journal stage(long fromSequence) {
        drainWindow();
        if (run != null && run.size() > 0) {
            flushRun(true);
        }
        run = null;
        awaitWriter();
        input.progress("bulk load: reading", read, read);
        List<Assertion> late = input.late(this::isClaimHereOrStaged);
        deferred.addAll(late);
        if (seq == fromSequence) {
            return null;
        }
        writeDigests();
        writeFactsMarker();
        writeRecords(staging.resolve(DEFERRED_FILE), deferred);
        writeSeals();
        try {
            DurableFiles.syncDirectory(staging);
        } catch (IOException e) {
            throw new StorageException("cannot sync the staging directory " + staging + ": " + e.getMessage()
                    + "; check the disk (nothing was loaded)", e);
        }
        State after = new State(seq, claims, maxHlc);
        byte[] indexed = new ByteSink(48).u64(seq).raw(total().toBytes()).toByteArray();
        return new Journal(Journal.STAGED, loadId, fromSequence, after, indexed, files);
    }

    /** Assertions the ordinary commit path stores after the ingestion. */
    List<Assertion> deferred() {
        return deferred;
    }

    long read() {
        return read;
    }

    long duplicates() {
        return duplicates;
    }

    int runs() {
        return runsHanded;
    }

    /** Whether {@code id} is a claim stored or staged by this load (a late retraction's target check). */
    private boolean isClaimHereOrStaged(AssertionId id) {
        if (storedClaim.test(id)) {
            return true;
        }
        byte[] key = id.toBytes();
        for (Assertion a : deferred) {
            if (a instanceof Claim && a.id().equals(id)) {
                return true;
            }
        }
        try (Options options = store.sstOptions(Family.IDS); ReadOptions ro = new ReadOptions()) {
            for (Path file : idFiles) {
                try (SstFileReader reader = new SstFileReader(options)) {
                    reader.open(file.toString());
                    try (SstFileReaderIterator it = reader.newIterator(ro)) {
                        it.seek(key);
                        if (it.isValid() && Arrays.equals(it.key(), key)) {
                            return true;
                        }
                    }
                }
            }
        } catch (RocksDBException e) {
            throw StorageException.of("reading the staged ids of the bulk load", e);
        }
        return false;
    }

    /** The digest of the load's ids in {@code bucket}. */
    private IdDigest loadDigest(int bucket) {
        return IdDigest.fromBytes(new ByteSink(IdDigest.ENCODED_LENGTH).raw(loadSums, bucket * 32, 32).u64(loadCounts[bucket])
                .toByteArray());
    }

    /** The digest of every id up to the load's last sequence: the database's before it, plus the load's. */
    private IdDigest total() {
        IdDigest t = totalBefore;
        for (int b = 0; b < Engine.BUCKETS; b++) {
            if (loadCounts[b] > 0) {
                t = t.plus(loadDigest(b));
            }
        }
        return t;
    }

    private void writeDigests() {
        Path file = staging.resolve("digests.sst");
        try (Options options = store.sstOptions(Family.DIGESTS); EnvOptions env = new EnvOptions();
                SstFileWriter w = new SstFileWriter(env, options)) {
            w.open(file.toString());
            for (int b = 0; b < Engine.BUCKETS; b++) {
                if (loadCounts[b] > 0) {
                    w.put(Keys.bucketKey(b), buckets[b].plus(loadDigest(b)).toBytes());
                }
            }
            w.finish();
        } catch (RocksDBException e) {
            throw StorageException.of("writing the bulk load's digests", e);
        }
        files.add(new Journal.Staged(Family.DIGESTS, file.getFileName().toString()));
    }

    private void writeFactsMarker() {
        Path file = staging.resolve("facts-marker.sst");
        try (Options options = store.sstOptions(Family.FACTS); EnvOptions env = new EnvOptions();
                SstFileWriter w = new SstFileWriter(env, options)) {
            w.open(file.toString());
            w.put(FACTS_MARKER, new ByteSink(8).u64(loadId).toByteArray());
            w.finish();
        } catch (RocksDBException e) {
            throw StorageException.of("writing the bulk load's facts marker", e);
        }
        files.add(new Journal.Staged(Family.FACTS, file.getFileName().toString()));
    }

    /** The facts to seal after the ingestion: many entries or bytes in this load, or a long operand chain already. */
    private void writeSeals() {
        ByteSink keys = new ByteSink(1024);
        factCounts.forEach((fact, counts) -> {
            if (counts[0] >= SEAL_ENTRIES || counts[1] >= RocksEngine.SEAL_BYTES) {
                keys.u64(fact.high()).u64(fact.low());
            }
        });
        operandsOfRecent.forEach((fact, operands) -> keys.u64(fact.high()).u64(fact.low()));
        writeFile(staging.resolve(SEALS_FILE), keys.toByteArray());
    }

    /** Reads the fact keys {@link #writeSeals} wrote. */
    static List<byte[]> readSeals(Path staging) {
        byte[] all = readFile(staging.resolve(SEALS_FILE));
        List<byte[]> keys = new ArrayList<>();
        for (int at = 0; at + Keys.FACT_KEY_BYTES <= all.length; at += Keys.FACT_KEY_BYTES) {
            keys.add(Arrays.copyOfRange(all, at, at + Keys.FACT_KEY_BYTES));
        }
        return keys;
    }

    /** Operands this load appends to facts that this process appended to recently, for the seal count. */
    Map<FactCache.Fact, Integer> operandsOfRecent() {
        return operandsOfRecent;
    }

    /** Writes canonical records, each as u32 length + bytes, and syncs the file. */
    static void writeRecords(Path file, List<Assertion> records) {
        ByteSink out = new ByteSink(1024);
        for (Assertion a : records) {
            byte[] bytes = a.canonicalBytes();
            out.u32(bytes.length).raw(bytes);
        }
        writeFile(file, out.toByteArray());
    }

    /** Reads what {@link #writeRecords} wrote, re-hashing every record. */
    static List<Assertion> readRecords(Path file) {
        byte[] all = readFile(file);
        ByteSource in = new ByteSource(all, (message, at) -> new StorageException.Corruption("the bulk load's file " + file
                + " is damaged at byte " + at + " (" + message + "); restore the database from a backup", null));
        List<Assertion> records = new ArrayList<>();
        while (in.remaining() > 0) {
            int length = in.u32("record length");
            int at = in.position();
            in.skip(length, "record");
            try {
                records.add(CanonicalCodec.decode(Arrays.copyOfRange(all, at, at + length)));
            } catch (StemeException e) {
                throw new StorageException.Corruption("a record in the bulk load's file " + file + " does not decode: "
                        + e.getMessage() + "; restore the database from a backup", e);
            }
        }
        return records;
    }

    private static void writeFile(Path file, byte[] bytes) {
        try {
            DurableFiles.write(file, bytes);
        } catch (IOException e) {
            throw new StorageException("cannot write " + file + ": " + e.getMessage() + "; check the disk (nothing was loaded)", e);
        }
    }

    private static byte[] readFile(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StorageException("cannot read the bulk load's file " + file + ": " + e.getMessage()
                    + "; the database cannot finish the interrupted bulk load without it: restore it from a backup", e);
        }
    }

    /** Deletes a staging directory left by a load that never reached its commit point, or one that finished. */
    static void deleteStaging(Path databaseDirectory) {
        RocksStore.deleteScratchDirectory(databaseDirectory.resolve(STAGING), "the bulk load staging directory");
    }

    /** Stops the writer thread and waits for it; the staging directory is left to the caller. */
    @Override
    public void close() {
        writer.shutdownNow();
        familyWriters.shutdownNow();
        try {
            if (!writer.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES)
                    || !familyWriters.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new StorageException("the bulk load's writer thread did not stop; restart the process");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while stopping the bulk load's writer thread", e);
        }
    }

    /** The counters a load leaves once its claims are ingested (its deferred assertions then go through commits). */
    record State(long lastSequence, long claims, Hlc maxHlc) {}

    /** One run: claims numbered consecutively, encoded, waiting to be sorted and written. */
    private final class Run {
        long firstSeq;
        final IdKeys ids = unique ? null : new IdKeys();
        private int n;
        private long[] factHigh = new long[1 << 14];
        private long[] factLow = new long[1 << 14];
        private int[] entryEnd = new int[1 << 14];
        private final Arena entries = new Arena();
        private byte[] idBytes = new byte[(1 << 14) * 32];
        private final KeyArena sourceKeys = new KeyArena();
        private final KeyArena subjectKeys = new KeyArena();
        private final KeyArena valueKeys = new KeyArena();
        long recordBytes;

        Run(long firstSeq) {
            this.firstSeq = firstSeq;
        }

        /** This written run, emptied to be filled again from {@code firstSeq}, its arrays kept. */
        Run reset(long firstSeq) {
            this.firstSeq = firstSeq;
            n = 0;
            recordBytes = 0;
            entries.size = 0;
            sourceKeys.clear();
            subjectKeys.clear();
            valueKeys.clear();
            if (ids != null) {
                ids.clear();
            }
            return this;
        }

        int size() {
            return n;
        }

        void add(Claim c, long sequence) {
            if (n == factHigh.length) {
                int cap = n * 2;
                factHigh = Arrays.copyOf(factHigh, cap);
                factLow = Arrays.copyOf(factLow, cap);
                entryEnd = Arrays.copyOf(entryEnd, cap);
                idBytes = Arrays.copyOf(idBytes, cap * 32);
            }
            byte[] subject = Keys.name(c.subject());
            byte[] predicate = Keys.name(c.predicate());
            byte[] subjectKey = Keys.subjectKey(subject, predicate);
            byte[] factKey = Keys.factKeyOf(subjectKey);
            factHigh[n] = Keys.getLong(factKey, 0);
            factLow[n] = Keys.getLong(factKey, 8);
            byte[] record = c.canonicalBytes();
            entries.claimEntry(sequence, record);
            entryEnd[n] = entries.size;
            c.id().copyTo(idBytes, n * 32);
            sourceKeys.add(Keys.sourceKey(Keys.name(c.source()), c.hlc(), sequence));
            subjectKeys.add(subjectKey);
            valueKeys.add(Keys.valueKey(predicate, c.value(), subject));
            recordBytes += record.length;
            n++;
        }

        /**
         * Sorts each family and writes its table file, numbered {@code number}, the families side
         * by side ({@link #familyWriters}) or one after another; the files are recorded in family
         * order once all are written. Measured, 2,000,000 claims into an empty database on two
         * cores, one family after another: the loading thread waited for the writer 9 s of 16.
         */
        void write(int number, boolean sideBySide) throws RocksDBException {
            List<Path> paths = new ArrayList<>();
            if (sideBySide) {
                List<java.util.concurrent.Callable<Path>> tasks = new ArrayList<>();
                for (Family family : RUN_FAMILIES) {
                    tasks.add(() -> writeFamily(family, number));
                }
                try {
                    for (Future<Path> f : familyWriters.invokeAll(tasks)) {
                        paths.add(f.get());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("the bulk load was interrupted; nothing was loaded", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RocksDBException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new StorageException("writing a run of the bulk load failed: " + e.getCause() + "; nothing was loaded", e.getCause());
                }
            } else {
                for (Family family : RUN_FAMILIES) {
                    paths.add(writeFamily(family, number));
                }
            }
            for (int i = 0; i < RUN_FAMILIES.length; i++) {
                if (RUN_FAMILIES[i] == Family.IDS) {
                    idFiles.add(paths.get(i));
                }
                synchronized (files) {
                    files.add(new Journal.Staged(RUN_FAMILIES[i], paths.get(i).getFileName().toString()));
                }
            }
        }

        /** Sorts {@code family}'s keys of this run and writes them to its table file numbered {@code number}. */
        private Path writeFamily(Family family, int number) throws RocksDBException {
            Path file = staging.resolve(family.familyName() + "-" + number + ".sst");
            try (Options options = store.sstOptions(family); EnvOptions env = new EnvOptions();
                    SstFileWriter w = new SstFileWriter(env, options)) {
                w.open(file.toString());
                switch (family) {
                    case FACTS -> writeFacts(w);
                    case IDS -> writeIds(w);
                    case LOG -> writeLog(w);
                    case SOURCES -> {
                        writeSorted(w, sourceKeys);
                        writeSorted(w, subjectKeys);
                    }
                    case VALUES -> writeSorted(w, valueKeys);
                    default -> throw new IllegalStateException(family.name());
                }
                w.finish();
            }
            return file;
        }

        private void writeFacts(SstFileWriter w) throws RocksDBException {
            long[] order = sortedByPrefix(factHigh, n, (a, b) -> {
                int c = Long.compareUnsigned(factHigh[a], factHigh[b]);
                return c != 0 ? c : Long.compareUnsigned(factLow[a], factLow[b]);
            });
            byte[] key = new byte[Keys.FACT_KEY_BYTES];
            int i = 0;
            while (i < n) {
                int first = index(order[i]);
                int j = i + 1;
                while (j < n && factHigh[index(order[j])] == factHigh[first] && factLow[index(order[j])] == factLow[first]) {
                    j++;
                }
                byte[] value;
                if (j == i + 1) {
                    value = Arrays.copyOfRange(entries.bytes, first == 0 ? 0 : entryEnd[first - 1], entryEnd[first]);
                } else {
                    ByteSink group = new ByteSink(256);
                    for (int k = i; k < j; k++) {
                        int e = index(order[k]);
                        int start = e == 0 ? 0 : entryEnd[e - 1];
                        group.raw(entries.bytes, start, entryEnd[e] - start);
                    }
                    value = group.toByteArray();
                }
                Keys.putLong(key, 0, factHigh[first]);
                Keys.putLong(key, 8, factLow[first]);
                w.merge(key, value);
                countForSealing(factHigh[first], factLow[first], j - i, value.length);
                i = j;
            }
        }

        private void writeIds(SstFileWriter w) throws RocksDBException {
            long[] firstWords = new long[n];
            for (int i = 0; i < n; i++) {
                firstWords[i] = Keys.getLong(idBytes, i * 32);
            }
            long[] order = sortedByPrefix(firstWords, n, (a, b) -> Arrays.compareUnsigned(idBytes, a * 32, a * 32 + 32,
                    idBytes, b * 32, b * 32 + 32));
            byte[] key = new byte[32];
            for (long o : order) {
                int i = index(o);
                System.arraycopy(idBytes, i * 32, key, 0, 32);
                w.put(key, Keys.sequenceValue(firstSeq + i));
                int bucket = (key[0] & 0xff) << 8 | (key[1] & 0xff);
                addInto(loadSums, bucket * 32, key);
                loadCounts[bucket]++;
            }
        }

        private void writeLog(SstFileWriter w) throws RocksDBException {
            for (int i = 0; i < n; i++) {
                byte[] where = new byte[1 + Keys.FACT_KEY_BYTES];
                where[0] = Keys.AT_FACT_CLAIM;
                Keys.putLong(where, 1, factHigh[i]);
                Keys.putLong(where, 9, factLow[i]);
                w.put(Keys.sequenceKey(firstSeq + i), where);
            }
        }

        /** Writes the distinct keys of {@code keys}, in order, with empty values. */
        private void writeSorted(SstFileWriter w, KeyArena keys) throws RocksDBException {
            int[] order = keys.sorted();
            byte[] empty = new byte[0];
            int previous = -1;
            for (int i : order) {
                if (previous < 0 || keys.compare(previous, i) != 0) {
                    w.put(keys.key(i), empty);
                }
                previous = i;
            }
        }

    }

    /** Adds the 32-byte big-endian {@code id} into the sum at {@code at}, mod 2^256 (as {@link IdDigest} does). */
    private static void addInto(byte[] sums, int at, byte[] id) {
        int carry = 0;
        for (int i = 31; i >= 0; i--) {
            int v = (sums[at + i] & 0xff) + (id[i] & 0xff) + carry;
            sums[at + i] = (byte) v;
            carry = v >>> 8;
        }
    }

    private void countForSealing(long high, long low, int entries, int bytes) {
        if (entries < COUNT_FROM && bytes < RocksEngine.SEAL_BYTES && factCounts.isEmpty() && recentlyAppended.isEmpty()) {
            return;
        }
        FactCache.Fact fact = new FactCache.Fact(high, low);
        if (entries >= COUNT_FROM || bytes >= RocksEngine.SEAL_BYTES || factCounts.containsKey(fact)) {
            long[] c = factCounts.computeIfAbsent(fact, f -> new long[2]);
            c[0] += entries;
            c[1] += bytes;
        }
        if (recentlyAppended.contains(fact)) {
            operandsOfRecent.merge(fact, 1, Integer::sum);
        }
    }

    /**
     * The indexes 0..n-1 sorted by {@code prefix} (unsigned) and then, among equal prefixes, by
     * {@code full}, each packed as (top 40 bits of the prefix, 24-bit index) with the sign bit
     * flipped so that a primitive sort orders them: one sort of longs instead of objects. Equal
     * 40-bit prefixes keep index (arrival) order unless {@code full} tells them apart.
     */
    private static long[] sortedByPrefix(long[] prefix, int n, Comparator<Integer> full) {
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            packed[i] = (((prefix[i] >>> 24) << 24) | i) ^ Long.MIN_VALUE;
        }
        Arrays.sort(packed);
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && (packed[j] >>> 24) == (packed[i] >>> 24)) {
                j++;
            }
            if (j - i > 1) {
                Integer[] group = new Integer[j - i];
                for (int k = i; k < j; k++) {
                    group[k - i] = index(packed[k]);
                }
                Arrays.sort(group, full.thenComparing(Comparator.naturalOrder()));
                for (int k = i; k < j; k++) {
                    packed[k] = (packed[k] & ~0xFFFFFFL) | group[k - i];
                }
            }
            i = j;
        }
        return packed;
    }

    private static int index(long packed) {
        return (int) (packed & 0xFFFFFF);
    }

    /**
     * Keys of one family of a run, end to end in one array with their end offsets: a million keys
     * are two arrays instead of a million objects, which the garbage collector would copy at
     * every young collection while the run fills.
     */
    static final class KeyArena {
        private byte[] bytes = new byte[1 << 16];
        private int size;
        private int[] ends = new int[1 << 12];
        private int count;

        void add(byte[] key) {
            if (size + key.length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + key.length));
            }
            if (count == ends.length) {
                ends = Arrays.copyOf(ends, count * 2);
            }
            System.arraycopy(key, 0, bytes, size, key.length);
            size += key.length;
            ends[count++] = size;
        }

        private int start(int i) {
            return i == 0 ? 0 : ends[i - 1];
        }

        byte[] key(int i) {
            return Arrays.copyOfRange(bytes, start(i), ends[i]);
        }

        int compare(int a, int b) {
            return Arrays.compareUnsigned(bytes, start(a), ends[a], bytes, start(b), ends[b]);
        }

        void clear() {
            size = 0;
            count = 0;
        }

        /**
         * The indexes of the keys in unsigned byte order (a shorter key before a longer one it
         * begins). Keys are sorted five bytes at a time, as a most-significant-digit radix sort
         * with a primitive sort per digit: each pass copies the next five bytes of every key
         * still tied into a long beside its position and sorts those longs, so the keys' bytes,
         * scattered in the arena, are read once per pass instead of once per comparison (a
         * comparison sort on the arena spent most of a bulk load's time waiting on memory).
         */
        int[] sorted() {
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            sortFrom(order, 0, count, 0);
            return order;
        }

        private static final int DIGIT = 5;
        private static final int SMALL = 24;

        /** Sorts {@code order[from, to)}, whose keys agree on their first {@code depth} bytes. */
        private void sortFrom(int[] order, int from, int to, int depth) {
            int n = to - from;
            if (n <= 1) {
                return;
            }
            if (n <= SMALL) {
                insertionSort(order, from, to);
                return;
            }
            int[] group = Arrays.copyOfRange(order, from, to);
            long[] packed = new long[n];
            for (int k = 0; k < n; k++) {
                packed[k] = ((digit(group[k], depth) << 24) | k) ^ Long.MIN_VALUE;
            }
            Arrays.sort(packed);
            for (int k = 0; k < n; k++) {
                order[from + k] = group[(int) (packed[k] & 0xFFFFFF)];
            }
            int i = 0;
            while (i < n) {
                int j = i + 1;
                while (j < n && (packed[j] >>> 24) == (packed[i] >>> 24)) {
                    j++;
                }
                if (j - i > 1) {
                    // tied on this digit: keys that end within it come first, shorter first; the rest go on
                    int a = from + i;
                    int b = from + j;
                    int longer = a;
                    for (int k = a; k < b; k++) {
                        if (length(order[k]) <= depth + DIGIT) {
                            int ended = order[k];
                            order[k] = order[longer];
                            order[longer++] = ended;
                        }
                    }
                    insertionSort(order, a, longer);
                    sortFrom(order, longer, b, depth + DIGIT);
                }
                i = j;
            }
        }

        private void insertionSort(int[] a, int low, int high) {
            for (int i = low + 1; i < high; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= low && compare(a[j], v) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
        }

        private int length(int i) {
            return ends[i] - start(i);
        }

        /** Bytes {@code depth} to {@code depth + 4} of key {@code i} as a 40-bit number, zeros past its end. */
        private long digit(int i, int depth) {
            int from = start(i) + depth;
            int end = ends[i];
            long d = 0;
            for (int k = 0; k < DIGIT; k++) {
                d = (d << 8) | (from + k < end ? bytes[from + k] & 0xff : 0);
            }
            return d;
        }
    }

    /** A growable byte array of fact entries. */
    private static final class Arena {
        byte[] bytes = new byte[1 << 20];
        int size;

        void claimEntry(long sequence, byte[] record) {
            ensure(1 + 10 + 5 + record.length);
            bytes[size++] = FactEntries.CLAIM;
            size = varlong(sequence, size);
            size = varlong(record.length, size);
            System.arraycopy(record, 0, bytes, size, record.length);
            size += record.length;
        }

        private int varlong(long v, int at) {
            while ((v & ~0x7FL) != 0) {
                bytes[at++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            bytes[at++] = (byte) v;
            return at;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    /**
     * A bloom filter of the ids of one finished run. Each probe's bit comes from its own
     * SplitMix64 step seeded by the id (plain double hashing modulo a power of two gave 4,000
     * times the false positives its size promises, measured).
     */
    private static final class Bloom {
        private final long[] bits;
        private final long mask;

        Bloom(int claims) {
            long wanted = Math.max(64, (long) claims * BLOOM_BITS_PER_CLAIM);
            long size = Long.highestOneBit(wanted - 1) << 1;
            bits = new long[(int) (size >>> 6)];
            mask = size - 1;
        }

        void add(long key) {
            long x = key;
            for (int k = 0; k < BLOOM_PROBES; k++) {
                x += GOLDEN;
                long bit = mix(x) & mask;
                bits[(int) (bit >>> 6)] |= 1L << (bit & 63);
            }
        }

        boolean mayContain(long key) {
            long x = key;
            for (int k = 0; k < BLOOM_PROBES; k++) {
                x += GOLDEN;
                long bit = mix(x) & mask;
                if ((bits[(int) (bit >>> 6)] & (1L << (bit & 63))) == 0) {
                    return false;
                }
            }
            return true;
        }

        private static final long GOLDEN = 0x9E3779B97F4A7C15L;

        /** 64 bits of an id (ids are uniform hashes), never 0: what the filters and {@link IdKeys} hold. */
        static long key(AssertionId id) {
            byte[] b = id.toBytes();
            long k = Keys.getLong(b, 8);
            return k == 0 ? 1 : k;
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    /** The 64-bit keys ({@link Bloom#key}) of the current run's ids: an open-addressing set, 16 bytes per id. */
    private static final class IdKeys {
        private long[] table = new long[1 << 12];
        private int size;

        /** Adds {@code key}; false when it was there. */
        boolean add(long key) {
            if (size * 2 >= table.length) {
                long[] old = table;
                table = new long[old.length * 2];
                size = 0;
                for (long k : old) {
                    if (k != 0) {
                        add(k);
                    }
                }
            }
            int mask = table.length - 1;
            for (int i = (int) Bloom.mix(key) & mask; ; i = (i + 1) & mask) {
                if (table[i] == 0) {
                    table[i] = key;
                    size++;
                    return true;
                }
                if (table[i] == key) {
                    return false;
                }
            }
        }

        void clear() {
            Arrays.fill(table, 0);
            size = 0;
        }

        Bloom toBloom() {
            Bloom bloom = new Bloom(size);
            for (long k : table) {
                if (k != 0) {
                    bloom.add(k);
                }
            }
            return bloom;
        }
    }

    /**
     * The journal of a bulk load, the {@code "bulk"} meta record: its commit point. Written
     * (synced) once every staged file is durable, it names them and the counters the load leaves;
     * rewritten in the batch that completes the ingestion ({@link #INGESTED}); deleted in the
     * batch that stores the deferred assertions.
     */
    record Journal(int phase, long loadId, long fromSequence, State after, byte[] indexed, List<Staged> files) {
        static final byte[] KEY = "bulk".getBytes(StandardCharsets.US_ASCII);
        /** The files are staged and may be partly ingested. */
        static final int STAGED = 1;
        /** Every file is ingested, the counters and the watermark written; the deferred assertions remain. */
        static final int INGESTED = 2;

        /** A staged file of one family. */
        record Staged(Family family, String name) {}

        Journal withPhase(int newPhase) {
            return new Journal(newPhase, loadId, fromSequence, after, indexed, files);
        }

        byte[] encode() {
            ByteSink b = new ByteSink(256).u8(phase).u64(loadId).u64(fromSequence).u64(after.lastSequence()).u64(after.claims());
            if (after.maxHlc() == null) {
                b.u8(0);
            } else {
                b.u8(1).hlc(after.maxHlc());
            }
            b.raw(indexed).u32(files.size());
            for (Staged s : files) {
                b.u8(s.family().ordinal()).shortString(s.name());
            }
            return b.toByteArray();
        }

        static Journal decode(byte[] bytes) {
            ByteSource in = new ByteSource(bytes, (message, at) -> new StorageException.Corruption(
                    "the bulk load journal is damaged at byte " + at + " (" + message + "); restore the database from a backup", null));
            int phase = in.u8("phase");
            long loadId = in.u64("load id");
            long from = in.u64("first sequence");
            long last = in.u64("last sequence");
            long claims = in.u64("claims");
            Hlc max = in.u8("has hlc") == 0 ? null : Hlc.of(in.u64("hlc"), in.u32("hlc"), in.u64("hlc"));
            byte[] indexed = in.raw(48, "indexed");
            int count = in.u32("files");
            List<Staged> files = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int family = in.u8("family");
                if (family >= Family.values().length) {
                    throw new StorageException.Corruption("the bulk load journal names an unknown column family "
                            + family + "; restore the database from a backup", null);
                }
                int length = in.u8("name length") << 8 | in.u8("name length");
                files.add(new Staged(Family.values()[family], new String(in.raw(length, "file name"), StandardCharsets.UTF_8)));
            }
            return new Journal(phase, loadId, from, new State(last, claims, max), indexed, files);
        }
    }
}
