package io.stemedb.kafka;

import io.stemedb.BulkDraft;
import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

/**
 * Measures replication through Kafka (docs/benchmarks.md, "Replication through Kafka"); a
 * harness, not a test. All StemeDB nodes run in this JVM, each on its own RocksDB directory with
 * its own {@link KafkaReplication} (own producer and consumer); the brokers run in JVMs of their
 * own ({@link KafkaCluster}).
 *
 * <pre>
 * lag BROKERS NODES RATE SECONDS [WARMUP]
 *                                  RATE writes/s from 8 threads per node; replication lag (commit on one node -> visible on each other
 *                                  node, seen through its change feed polled every 5 ms) and publish lag (age of the
 *                                  oldest local write not yet acknowledged by Kafka, sampled every 10 ms), measured
 *                                  for SECONDS after WARMUP seconds (default 0: cold) of the same writes
 * rto BROKERS N                    consume-and-merge throughput of a node reading N assertions,
 *                                  then the RTO of a replacement node: restore that node's backup,
 *                                  open it and catch up on 10,000 writes made since
 * </pre>
 */
public final class KafkaReplicationHarness {
    /** Writer threads per node. */
    static final int WRITERS_PER_NODE = 8;

    private KafkaReplicationHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("stemedb-kafka-harness");
        System.out.println("load before: " + Files.readString(Path.of("/proc/loadavg")).strip() + ", cpus "
                + Runtime.getRuntime().availableProcessors());
        try (KafkaCluster kafka = KafkaCluster.start(dir.resolve("kafka"), Integer.parseInt(args[1]))) {
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
            if (args[0].equals("lag")) {
                lag(kafka, dir, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]), args.length > 5 ? Integer.parseInt(args[5]) : 0);
            } else {
                rto(kafka, dir, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            }
        }
        System.out.println("load after: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    static KafkaReplicationSettings settings(KafkaCluster kafka, String topic, int brokers) {
        return KafkaReplicationSettings.builder().bootstrapServers(kafka.bootstrapServers()).topic(topic)
                .publishBatch(10_000).createTopic(6, Math.min(3, brokers), Map.of("min.insync.replicas", brokers >= 3 ? "2" : "1"))
                .build();
    }

    static void lag(KafkaCluster kafka, Path dir, int brokers, int nodes, int rate, int seconds, int warmup) throws Exception {
        KafkaReplicationSettings settings = settings(kafka, "lag-" + nodes + "-" + rate, brokers);
        List<StemeDB> dbs = new ArrayList<>();
        List<KafkaReplication> reps = new ArrayList<>();
        Map<AssertionId, Long> committedAt = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> lags = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> publishLags = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicBoolean measuring = new AtomicBoolean(true);
        AtomicBoolean recording = new AtomicBoolean(warmup == 0);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                StemeDB db = StemeDB.builder().nodeId(0x100 + i).open(dir.resolve("lag-" + nodes + "-" + rate + "-" + i));
                dbs.add(db);
                reps.add(KafkaReplication.start(db, settings));
            }
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            for (int i = 0; i < nodes; i++) {
                StemeDB db = dbs.get(i);
                int node = i;
                // Several writers per node, as an application's request threads: their commits share fsyncs.
                for (int w = 0; w < WRITERS_PER_NODE; w++) {
                    int writer = w;
                    threads.add(new Thread(() -> {
                        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * nodes * WRITERS_PER_NODE / rate;
                        long next = System.nanoTime();
                        for (long n = 0; writing.get(); n++) {
                            AssertionId id = db.assertion("s" + node + "-" + writer + "-" + (n % 10_000), "p" + (n % 7), Value.integer(n))
                                    .source("n" + node).commit();
                            if (recording.get()) {
                                committedAt.put(id, System.nanoTime());
                                written.incrementAndGet();
                            }
                            next += intervalNanos;
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                LockSupportSleep.nanos(wait);
                            }
                        }
                    }, "writer-" + i + "-" + w));
                }
                threads.add(new Thread(() -> {
                    long after = 0;
                    long own = db.nodeId();
                    while (measuring.get()) {
                        List<Change> changes = db.changesSince(after, 10_000);
                        long now = System.nanoTime();
                        for (Change c : changes) {
                            if (c.assertion().hlc().node() != own) {
                                Long t = committedAt.get(c.assertion().id());
                                if (t != null) {
                                    lags.add(now - t);
                                }
                            }
                            after = c.sequence();
                        }
                        if (changes.isEmpty()) {
                            LockSupportSleep.nanos(5_000_000);
                        }
                    }
                }, "tail-" + i));
            }
            threads.add(new Thread(() -> {
                while (measuring.get()) {
                    if (!recording.get()) {
                        LockSupportSleep.nanos(10_000_000);
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    for (KafkaReplication r : reps) {
                        long oldest = r.counters().oldestUnacknowledgedMillis.get();
                        publishLags.add(oldest == 0 ? 0 : Math.max(0, now - oldest));
                    }
                    LockSupportSleep.nanos(10_000_000);
                }
            }, "publish-lag"));
            threads.forEach(Thread::start);
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            recording.set(true);
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            writing.set(false);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long total = written.get();
            long expectedSamples = total * (nodes - 1);
            // A sample is lost when another node saw a write before its writer noted the commit
            // time (the fastest deliveries): wait for all, or until no sample came for 3 s.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long quietSince = System.nanoTime();
            for (int last = -1; lags.size() < expectedSamples && System.nanoTime() < deadline
                    && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(3);) {
                if (lags.size() != last) {
                    last = lags.size();
                    quietSince = System.nanoTime();
                }
                Thread.sleep(100);
            }
            measuring.set(false);
            for (Thread t : threads) {
                t.join();
            }
            List<Long> sorted = new ArrayList<>(lags);
            Collections.sort(sorted);
            List<Long> pub = new ArrayList<>(publishLags);
            Collections.sort(pub);
            System.out.printf("| %d | %d | %d | %.0f | %d of %d | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f |%n", brokers, nodes, rate,
                    total / elapsed, sorted.size(), expectedSamples, ms(sorted, 0.5), ms(sorted, 0.99),
                    sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1) / 1e6, pct(pub, 0.5), pct(pub, 0.99),
                    pub.isEmpty() ? Double.NaN : (double) pub.get(pub.size() - 1));
        } finally {
            reps.forEach(KafkaReplication::close);
            dbs.forEach(StemeDB::close);
        }
    }

    private static double ms(List<Long> sortedNanos, double q) {
        return sortedNanos.isEmpty() ? Double.NaN : sortedNanos.get((int) Math.min(sortedNanos.size() - 1, q * sortedNanos.size())) / 1e6;
    }

    private static double pct(List<Long> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, q * sorted.size()));
    }

    static void rto(KafkaCluster kafka, Path dir, int brokers, int count) throws Exception {
        KafkaReplicationSettings settings = settings(kafka, "rto", brokers);
        try (StemeDB a = StemeDB.builder().nodeId(0xA).open(dir.resolve("rto-a"));
                KafkaReplication ra = KafkaReplication.start(a, settings)) {
            long t0 = System.nanoTime();
            a.bulkLoadDrafts(LongStream.range(0, count).mapToObj(i -> BulkDraft.claim("e" + (i % 100_000), "p" + (i / 100_000),
                    Value.integer(i)).source("loader")), (phase, done, total) -> { });
            System.out.printf("bulk load of %,d on the writer: %.1f s%n", count, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            await(() -> ra.counters().watermark.get() >= count, 600);
            System.out.printf("published %,d: %.1f s (%.0f assertions/s)%n", count, (System.nanoTime() - t0) / 1e9,
                    count / ((System.nanoTime() - t0) / 1e9));
            Path backups = dir.resolve("rto-backups");
            try (StemeDB b = StemeDB.builder().nodeId(0xB).open(dir.resolve("rto-b"))) {
                t0 = System.nanoTime();
                try (KafkaReplication rb = KafkaReplication.start(b, settings)) {
                    await(() -> rb.counters().merged.get() >= count, 600);
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("consume-and-merge of %,d on a fresh node: %.1f s (%.0f assertions/s)%n", count, s, count / s);
                }
                t0 = System.nanoTime();
                b.backup(backups, 1);
                System.out.printf("backup of the replica: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }
            for (int i = 0; i < 10_000; i++) {
                a.assertion("after-backup", "p" + (i % 10), Value.integer(i)).source("a").commit();
            }
            long expected = a.stats().assertions();
            await(() -> ra.counters().watermark.get() >= expected, 120);
            t0 = System.nanoTime();
            StemeDB.restoreBackup(backups, null, dir.resolve("rto-b2"));
            double restored = (System.nanoTime() - t0) / 1e9;
            try (StemeDB b2 = StemeDB.open(dir.resolve("rto-b2"))) {
                double opened = (System.nanoTime() - t0) / 1e9;
                try (KafkaReplication rb2 = KafkaReplication.start(b2, settings)) {
                    await(() -> b2.stats().assertions() >= expected, 600);
                    double caughtUp = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("RTO of a replacement node for %,d assertions: restore %.1f s, open %.1f s, catch up on "
                            + "10,000 writes %.1f s: %.1f s in all (consumed %d records after the restore)%n", expected, restored,
                            opened - restored, caughtUp - opened, caughtUp, rb2.counters().consumed.get());
                }
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not done within " + seconds + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Sleeps without InterruptedException: the harness's threads are stopped by flags. */
    private static final class LockSupportSleep {
        static void nanos(long nanos) {
            java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        }
    }
}
