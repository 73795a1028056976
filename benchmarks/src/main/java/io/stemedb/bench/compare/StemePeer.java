package io.stemedb.bench.compare;

import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.model.Claim;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * StemeDB through its public API: on RocksDB (fsync per commit, or every second) or in memory. Not
 * thread-safe, but for its {@link #reader}s, which share the one database (StemeDB is thread-safe).
 */
final class StemePeer implements Peer.Resolving, Peer.Concurrent {
    enum Kind { ROCKSDB, ROCKSDB_PERIODIC, MEMORY }

    private final Kind kind;
    private StemeDB db;
    private List<String> ranking;
    private Lens trust;

    StemePeer(Kind kind) {
        this.kind = kind;
    }

    @Override
    public String describe() {
        String storage = switch (kind) {
            case ROCKSDB -> "StemeDB.open(dir): RocksDB, default durability (fsync of the WAL on every commit)";
            case ROCKSDB_PERIODIC -> "StemeDB on RocksDB with Durability.syncEvery(1 s) (commits are not fsynced; a background fsync every second)";
            case MEMORY -> "StemeDB.inMemory() (Java heap, nothing durable)";
        };
        return storage + "; one db.write(batch) per batch; W2: db.resolve(s, p, Lenses.latest()); W3: db.history(s, p); "
                + "W4: db.resolve(s, p, Lenses.trust(ranking)) and db.resolve(s, p, Lenses.majority())";
    }

    @Override
    public boolean durable() {
        return kind != Kind.MEMORY;
    }

    @Override
    public void open(Path dir) {
        db = switch (kind) {
            case ROCKSDB -> StemeDB.open(dir);
            case ROCKSDB_PERIODIC -> StemeDB.builder().durability(Durability.syncEvery(Duration.ofSeconds(1))).open(dir);
            case MEMORY -> StemeDB.inMemory();
        };
    }

    @Override
    public void ingest(ClaimBatch batch) {
        db.write(b -> {
            for (int i = 0; i < batch.size(); i++) {
                b.assertion(batch.subject(i), batch.predicate(i), ClaimBatch.value(batch.value(i))).source(batch.source(i));
            }
        });
    }

    @Override
    public String current(String subject, String predicate) {
        return db.resolve(subject, predicate, Lenses.latest()).value().map(ClaimBatch::text).orElse(null);
    }

    @Override
    public Reader reader() {
        return this::current;
    }

    @Override
    public int history(String subject, String predicate) {
        int n = 0;
        for (Claim c : db.history(subject, predicate).claims()) {
            n += c.value() == null ? 0 : 1;
        }
        return n;
    }

    @Override
    public String trusted(String subject, String predicate, List<String> ranking) {
        if (!ranking.equals(this.ranking)) {
            this.ranking = List.copyOf(ranking);
            this.trust = Lenses.trust(ranking.toArray(String[]::new));
        }
        return db.resolve(subject, predicate, trust).value().map(ClaimBatch::text).orElse(null);
    }

    @Override
    public String majority(String subject, String predicate) {
        return db.resolve(subject, predicate, Lenses.majority()).value().map(ClaimBatch::text).orElse(null);
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
