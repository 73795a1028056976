package io.stemedb.bench.compare.xtdb;

import io.stemedb.bench.compare.ClaimBatch;
import io.stemedb.bench.compare.ClaimRows;
import io.stemedb.bench.compare.Peer;
import io.stemedb.bench.compare.PeerRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import xtdb.api.IXtdb;
import xtdb.api.TransactionInstant;
import xtdb.api.XtdbDocument;
import xtdb.api.tx.Transaction;

/**
 * XTDB 1.24 embedded, every store on RocksDB (XTDB's own rocksdbjni, which is why it runs in a
 * JVM of its own). A claim is a document {@code {:xt/id <index> :subject :predicate :value
 * :source :t}}; a batch is one transaction, awaited until indexed so that the next read sees it.
 * Reads are Datalog queries; W4's rules run in Java on the claims a query returns.
 * Not thread-safe (one per peer JVM).
 */
public final class Main implements Peer.RowQuery, Peer.Concurrent {
    private static final Duration AWAIT = Duration.ofMinutes(10);
    private static final String CURRENT = "{:find [v t] :in [s p] :where [[c :subject s] [c :predicate p] [c :value v] [c :t t]]"
            + " :order-by [[t :desc]] :limit 1}";
    private static final String CLAIMS = "{:find [v src t] :in [s p] :where [[c :subject s] [c :predicate p] [c :value v]"
            + " [c :source src] [c :t t]] :order-by [[t :asc]]}";

    private IXtdb node;

    public static void main(String[] args) throws Exception {
        PeerRunner.main(args, name -> {
            if (!name.equals("xtdb")) {
                throw new IllegalArgumentException("this peer jar runs xtdb only, not " + name);
            }
            return new Main();
        });
    }

    @Override
    public String describe() {
        return "XTDB 1.24.4 embedded (xtdb-rocksdb 1.24.3: tx-log, document store and index store on RocksDB, XTDB's defaults, no fsync "
                + "per transaction); a claim is a document {:xt/id index, :subject, :predicate, :value (text), :source, :t}; one "
                + "transaction per batch, awaited until indexed. W2: Datalog [[c :subject s] [c :predicate p] [c :value v] [c :t t]] "
                + ":order-by [[t :desc]] :limit 1; W3: the same clauses plus :source, :order-by t; W4: W3's query, then the rule in Java";
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void open(Path dir) {
        node = IXtdb.startNode(n -> n
                .with("xtdb/tx-log", m -> m.with("kv-store", kv -> kv.module("xtdb.rocksdb/->kv-store")
                        .set("db-dir", dir.resolve("tx-log").toFile())))
                .with("xtdb/document-store", m -> m.with("kv-store", kv -> kv.module("xtdb.rocksdb/->kv-store")
                        .set("db-dir", dir.resolve("documents").toFile())))
                .with("xtdb/index-store", m -> m.with("kv-store", kv -> kv.module("xtdb.rocksdb/->kv-store")
                        .set("db-dir", dir.resolve("indexes").toFile()))));
        node.sync(AWAIT);
    }

    @Override
    public void ingest(ClaimBatch batch) {
        Transaction tx = Transaction.buildTx(b -> {
            for (int k = 0; k < batch.size(); k++) {
                final int i = k;
                b.put(XtdbDocument.build(batch.time(i), d -> d
                        .put("subject", batch.subject(i))
                        .put("predicate", batch.predicate(i))
                        .put("value", String.valueOf(batch.value(i)))
                        .put("source", batch.source(i))
                        .put("t", batch.time(i))));
            }
        });
        TransactionInstant submitted = node.submitTx(tx);
        node.awaitTx(submitted, AWAIT);
    }

    /** Its queries run on an immutable database value, so threads share this peer. */
    @Override
    public Reader reader() {
        return this::current;
    }

    @Override
    public String current(String subject, String predicate) {
        Collection<List<?>> rows = node.db().query(CURRENT, subject, predicate);
        return rows.isEmpty() ? null : (String) rows.iterator().next().get(0);
    }

    @Override
    public List<ClaimRows.Row> claims(String subject, String predicate) {
        List<ClaimRows.Row> out = new ArrayList<>();
        for (List<?> r : node.db().query(CLAIMS, subject, predicate)) {
            out.add(new ClaimRows.Row((String) r.get(0), (String) r.get(1), ((Number) r.get(2)).longValue()));
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        if (node != null) {
            node.close();
            node = null;
        }
    }
}
