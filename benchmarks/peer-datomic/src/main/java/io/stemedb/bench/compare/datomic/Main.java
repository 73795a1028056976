package io.stemedb.bench.compare.datomic;

import datomic.Connection;
import datomic.Util;
import io.stemedb.bench.compare.ClaimBatch;
import io.stemedb.bench.compare.ClaimRows;
import io.stemedb.bench.compare.Peer;
import io.stemedb.bench.compare.PeerRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Datomic (peer library) on a {@code datomic:mem://} database: in memory, nothing on disk. A claim
 * is an entity with {@code :claim/subject} (indexed), {@code :claim/predicate}, {@code :claim/value}
 * (text), {@code :claim/source} and {@code :claim/t}; a batch is one transaction. Reads are Datalog
 * through {@code datomic.Peer.q}; the newest claim and W4's rules are picked in Java on the result.
 * Not thread-safe (one per peer JVM).
 */
public final class Main implements Peer.RowQuery, Peer.Concurrent {
    private static final String CLAIMS = "[:find ?v ?src ?t :in $ ?s ?p :where [?c :claim/subject ?s] [?c :claim/predicate ?p]"
            + " [?c :claim/value ?v] [?c :claim/source ?src] [?c :claim/t ?t]]";

    private String uri;
    private Connection conn;

    public static void main(String[] args) throws Exception {
        try {
            PeerRunner.main(args, name -> {
                if (!name.equals("datomic")) {
                    throw new IllegalArgumentException("this peer jar runs datomic only, not " + name);
                }
                return new Main();
            });
        } finally {
            // Datomic's peer keeps non-daemon threads alive after the work is done.
            datomic.Peer.shutdown(true);
        }
    }

    @Override
    public String describe() {
        return "Datomic peer 1.0.7277 on datomic:mem:// (in memory, nothing durable); a claim is an entity {:claim/subject (indexed), "
                + ":claim/predicate, :claim/value (text), :claim/source, :claim/t}; one transaction per batch. Every read is the Datalog "
                + "query [:find ?v ?src ?t :in $ ?s ?p :where [?c :claim/subject ?s] [?c :claim/predicate ?p] ...]; W2 picks the "
                + "newest in Java, W4 applies the rule in Java";
    }

    @Override
    public boolean durable() {
        return false;
    }

    private static Object attribute(String ident, String type, boolean indexed) {
        return Util.map(":db/ident", Util.read(ident), ":db/valueType", Util.read(type),
                ":db/cardinality", Util.read(":db.cardinality/one"), ":db/index", indexed);
    }

    @Override
    public void open(Path dir) throws Exception {
        uri = "datomic:mem://bench-" + UUID.randomUUID();
        datomic.Peer.createDatabase(uri);
        conn = datomic.Peer.connect(uri);
        conn.transact(Util.list(
                attribute(":claim/subject", ":db.type/string", true),
                attribute(":claim/predicate", ":db.type/string", false),
                attribute(":claim/value", ":db.type/string", false),
                attribute(":claim/source", ":db.type/string", false),
                attribute(":claim/t", ":db.type/long", false))).get();
    }

    @Override
    public void ingest(ClaimBatch batch) throws Exception {
        List<Object> tx = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            tx.add(Util.map(":claim/subject", batch.subject(i), ":claim/predicate", batch.predicate(i),
                    ":claim/value", String.valueOf(batch.value(i)), ":claim/source", batch.source(i), ":claim/t", batch.time(i)));
        }
        conn.transact(tx).get();
    }

    @Override
    public List<ClaimRows.Row> claims(String subject, String predicate) {
        List<ClaimRows.Row> out = new ArrayList<>();
        for (List<Object> r : datomic.Peer.q(CLAIMS, conn.db(), subject, predicate)) {
            out.add(new ClaimRows.Row((String) r.get(0), (String) r.get(1), ((Number) r.get(2)).longValue()));
        }
        return out;
    }

    /** Its queries run on an immutable database value, so threads share this peer. */
    @Override
    public Reader reader() {
        return this::current;
    }

    @Override
    public String current(String subject, String predicate) {
        return ClaimRows.latest(claims(subject, predicate));
    }

    @Override
    public void close() {
        if (conn != null) {
            conn.release();
            datomic.Peer.deleteDatabase(uri);
            conn = null;
        }
    }
}
