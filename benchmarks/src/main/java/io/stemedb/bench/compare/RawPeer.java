package io.stemedb.bench.compare;

import io.stemedb.bench.RawRocks;
import io.stemedb.bench.StoreShape;
import io.stemedb.bench.Workload;
import java.nio.file.Path;
import java.util.List;

/**
 * The ceiling: RocksDB written directly with StemeDB's options and the same entries per claim,
 * key and value sizes as StemeDB's engine ({@link RawRocks} in {@link RawRocks.Mode#SAME_KEYS},
 * sizes measured by {@link StoreShape} when the peer opens), fsync on every write like StemeDB's
 * default. Its reads are a point get of the pair's fact key, reading its entries and answering with their count,
 * so its answers are not compared. It has no values, hence no lens: W4 does not apply.
 * Not thread-safe.
 */
final class RawPeer implements Peer {
    private static final long CALIBRATION_N = 20_000;

    private StoreShape shape;
    private Path dir;
    private RawRocks raw;

    @Override
    public String describe() {
        return "raw RocksDB (rocksdbjni, StemeDB's RocksDB options), per claim the same entries with the same key and value sizes in the "
                + "same column families as StemeDB's engine (measured), precomputed bytes, no hashing, encoding or logic; WriteOptions.sync "
                + "= true (fsync per batch, like StemeDB's default); W2 and W3: new iterator, seek to the (subject, predicate) prefix in "
                + "'facts', read every entry's value";
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public boolean answersValues() {
        return false;
    }

    @Override
    public String whyNotResolving() {
        return "raw RocksDB stores bytes without values or sources, so it has no trust or majority rule to run; "
                + "its W3 point get of a fact's value is the ceiling for reading a pair's claims";
    }

    @Override
    public void open(Path dir) throws Exception {
        if (shape == null) {
            shape = StoreShape.calibrate(new Workload(CALIBRATION_N, 42), dir.resolveSibling(dir.getFileName() + "-calibration"));
        }
        this.dir = dir;
        if (raw != null) {
            raw.open();
        }
    }

    @Override
    public void ingest(ClaimBatch batch) throws Exception {
        if (raw == null) {
            if (batch.workload() == null) {
                throw new IllegalStateException("the raw RocksDB baseline writes only the W1/W5 workload; W4's conflict set does not apply");
            }
            raw = new RawRocks(dir, RawRocks.Mode.SAME_KEYS, true, shape, batch.workload());
            raw.open();
        }
        raw.ingest(batch.from(), batch.to());
    }

    /** The pair number of a subject {@code entity-%08d} and predicate, as {@link Workload} numbers them. */
    private static long pair(String subject, String predicate) {
        long s = Long.parseLong(subject.substring(subject.indexOf('-') + 1));
        return s * Workload.PREDICATES.length + List.of(Workload.PREDICATES).indexOf(predicate);
    }

    @Override
    public String current(String subject, String predicate) throws Exception {
        int entries = raw.read(pair(subject, predicate), 0);
        return entries == 0 ? null : Integer.toString(entries);
    }

    @Override
    public int history(String subject, String predicate) throws Exception {
        return raw.read(pair(subject, predicate), 0);
    }

    @Override
    public void close() throws Exception {
        if (raw != null) {
            raw.close();
        }
    }
}
