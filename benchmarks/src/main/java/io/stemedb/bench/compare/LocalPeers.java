package io.stemedb.bench.compare;

/**
 * The main class of the peer JVMs that run from the benchmarks jar itself: the systems whose
 * libraries share its classpath (StemeDB, raw RocksDB, SQLite, H2). XTDB and Datomic have jars of
 * their own (benchmarks/peer-xtdb, benchmarks/peer-datomic).
 */
public final class LocalPeers {
    private LocalPeers() {}

    static Peer create(String system) {
        return switch (system) {
            case "stemedb" -> new StemePeer(StemePeer.Kind.ROCKSDB);
            case "stemedb-periodic" -> new StemePeer(StemePeer.Kind.ROCKSDB_PERIODIC);
            case "stemedb-memory" -> new StemePeer(StemePeer.Kind.MEMORY);
            case "raw-rocksdb" -> new RawPeer();
            case "sqlite" -> new SqlPeer(SqlPeer.Dialect.SQLITE);
            case "sqlite-indexed" -> new SqlPeer(SqlPeer.Dialect.SQLITE, true);
            case "h2" -> new SqlPeer(SqlPeer.Dialect.H2);
            default -> throw new IllegalArgumentException("the benchmarks jar runs no system called " + system);
        };
    }

    public static void main(String[] args) throws Exception {
        PeerRunner.main(args, LocalPeers::create);
    }
}
