package io.stemedb;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters for a {@link StemeDB}: bind it to any registry (Prometheus, JMX, ...).
 *
 * <pre>{@code
 * new StemeDBMetrics(db).bindTo(registry);
 * new StemeDBMetrics(db, Tags.of("db", "orders")).replication(replication, List.of("node-b", "node-c")).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (Prometheus names in parentheses)</caption>
 *   <tr><th>meter</th><th>type</th><th>what</th></tr>
 *   <tr><td>stemedb.writes ({@code stemedb_writes_total})</td><td>counter</td><td>assertions (claims and retractions) stored by local writes</td></tr>
 *   <tr><td>stemedb.write.errors ({@code stemedb_write_errors_total})</td><td>counter</td><td>write calls refused or failed; they stored nothing</td></tr>
 *   <tr><td>stemedb.write.duration ({@code stemedb_write_duration_seconds_count/_sum})</td><td>function timer</td><td>successful write calls (one claim, one batch or one retraction) and their total time, fsync included</td></tr>
 *   <tr><td>stemedb.reads ({@code stemedb_reads_total})</td><td>counter</td><td>reads: one per (subject, predicate) history loaded (a resolve or history is one, an entity one per predicate), get by id, or bySource</td></tr>
 *   <tr><td>stemedb.read.duration</td><td>function timer</td><td>the same reads and their total time, estimated from one read in 16 timed at random</td></tr>
 *   <tr><td>stemedb.merged ({@code stemedb_merged_total})</td><td>counter</td><td>assertions added by merges (sync, archive import)</td></tr>
 *   <tr><td>stemedb.merge.duration</td><td>function timer</td><td>merge calls and their total time</td></tr>
 *   <tr><td>stemedb.assertions, .claims, .retractions</td><td>gauge</td><td>what the database holds</td></tr>
 *   <tr><td>stemedb.last.sequence</td><td>gauge</td><td>the newest arrival sequence number</td></tr>
 *   <tr><td>stemedb.disk.size ({@code stemedb_disk_size_bytes})</td><td>gauge</td><td>RocksDB {@code total-sst-files-size}: the table files on disk</td></tr>
 *   <tr><td>stemedb.memtable.size ({@code stemedb_memtable_size_bytes})</td><td>gauge</td><td>RocksDB {@code cur-size-all-mem-tables}: recent writes not yet in table files</td></tr>
 *   <tr><td>stemedb.fact.cache.size ({@code stemedb_fact_cache_size_bytes})</td><td>gauge</td><td>estimated heap held by the fact cache (see {@link StemeDBBuilder#factCacheBytes}); NaN in memory or with the cache off</td></tr>
 *   <tr><td>stemedb.fact.cache.hits, .misses</td><td>gauge</td><td>fact reads served by the fact cache, and not, since the database opened</td></tr>
 *   <tr><td>stemedb.backup.age ({@code stemedb_backup_age_seconds})</td><td>gauge</td><td>seconds since this instance's last successful backup; NaN before the first</td></tr>
 *   <tr><td>stemedb.backup.last.success ({@code stemedb_backup_last_success_seconds})</td><td>gauge</td><td>epoch seconds of that backup, 0 before the first</td></tr>
 *   <tr><td>stemedb.backup.errors ({@code stemedb_backup_errors_total})</td><td>counter</td><td>failed backups</td></tr>
 * </table>
 *
 * With {@link #replication}, per peer (tag {@code peer}): {@code stemedb.sync.lag} (seconds; the
 * age of the oldest local write the peer may not have yet, 0 when it has them all; see
 * {@link Replication}), {@code stemedb.sync.sessions}, {@code stemedb.sync.failures} (counters),
 * {@code stemedb.sync.consecutive.failures} (gauge: 0 when the peer is reachable),
 * {@code stemedb.sync.fetched} and {@code stemedb.sync.pushed} (assertions received from and sent
 * to the peer), {@code stemedb.sync.bytes.sent} and {@code .received}, and
 * {@code stemedb.sync.last.success} (epoch seconds, 0 before the first).
 *
 * <p><b>Cost.</b> The database keeps its counters in {@code LongAdder}s whatever happens here: a
 * write or merge pays one {@code System.nanoTime()} pair and a few increments, a read an
 * increment and, one time in 16, a nanoTime pair. The gauges
 * read {@link StemeDB#stats()} and {@link Replication#stats()} when scraped, at most once per
 * {@value #SNAPSHOT_MILLIS} ms however many gauges a scrape reads. A gauge of a closed database
 * reads NaN.
 */
public final class StemeDBMetrics implements MeterBinder {
    /** How long a stats snapshot serves the gauges of one scrape. */
    static final long SNAPSHOT_MILLIS = 200;

    private final StemeDB db;
    private final Iterable<Tag> tags;
    private final Cached<Stats> stats;
    private Replication replication;
    private List<String> peerNames;
    private Cached<Replication.Stats> replicationStats;

    /** Meters for {@code db}, without tags. */
    public StemeDBMetrics(StemeDB db) {
        this(db, Tags.empty());
    }

    /** Meters for {@code db}, each with {@code tags} (to tell several databases apart). */
    public StemeDBMetrics(StemeDB db, Iterable<Tag> tags) {
        this.db = Objects.requireNonNull(db, "db");
        this.tags = Objects.requireNonNull(tags, "tags");
        this.stats = new Cached<>(db::stats);
    }

    /**
     * Adds the meters of {@code replication}, one set per peer, tagged {@code peer} with the
     * peer's name from {@link Replication.PeerStats#peer()}.
     */
    public StemeDBMetrics replication(Replication replication) {
        return replication(replication, null);
    }

    /**
     * Adds the meters of {@code replication}, with {@code peerNames} (in the order the peers were
     * given to {@link StemeDB#replicate}) as the values of the {@code peer} tag, for example the
     * peers' URLs.
     */
    public StemeDBMetrics replication(Replication replication, List<String> peerNames) {
        this.replication = Objects.requireNonNull(replication, "replication");
        this.replicationStats = new Cached<>(replication::stats);
        if (peerNames != null) {
            int peers = replication.stats().peers().size();
            if (peerNames.size() != peers) {
                throw new IllegalArgumentException("replication has " + peers + " peer(s) but " + peerNames.size()
                        + " name(s) were given; give one name per peer, in order");
            }
            this.peerNames = List.copyOf(peerNames);
        }
        return this;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "stemedb.writes", "assertions (claims and retractions) stored by local writes", Counters::written);
        counter(registry, "stemedb.write.errors", "write calls refused or failed; they stored nothing", Counters::writeErrors);
        timer(registry, "stemedb.write.duration", "successful write calls (a claim, a batch, a retraction) and their time",
                Counters::writeCalls, Counters::writeNanos);
        counter(registry, "stemedb.reads", "reads: (subject, predicate) histories loaded, gets by id, bySource", Counters::reads);
        timer(registry, "stemedb.read.duration", "reads and their time (estimated from one read in " + Meters.READ_SAMPLE + ")",
                Counters::reads, Counters::readNanos);
        counter(registry, "stemedb.merged", "assertions added by merges (sync, archive import)", Counters::merged);
        timer(registry, "stemedb.merge.duration", "merge calls and their time", Counters::merges, Counters::mergeNanos);
        counter(registry, "stemedb.backup.errors", "failed backups", Counters::backupErrors);
        counter(registry, "stemedb.signatures.refused", "attestations and key registry entries refused on arrival",
                Counters::signaturesRefused);
        Gauge.builder("stemedb.backup.age", db, d -> {
            long last = d.counters().lastBackupMillis();
            return last == 0 ? Double.NaN : Math.max(0, System.currentTimeMillis() - last) / 1000.0;
        }).description("seconds since this instance's last successful backup (NaN before the first)")
                .baseUnit("seconds").tags(tags).register(registry);
        Gauge.builder("stemedb.backup.last.success", db, d -> d.counters().lastBackupMillis() / 1000.0)
                .description("epoch seconds of this instance's last successful backup (0 before the first)")
                .baseUnit("seconds").tags(tags).register(registry);
        statsGauge(registry, "stemedb.assertions", "assertions held (claims plus retractions)", null, s -> s.assertions());
        statsGauge(registry, "stemedb.claims", "claims held", null, s -> s.claims());
        statsGauge(registry, "stemedb.retractions", "retractions held", null, s -> s.retractions());
        statsGauge(registry, "stemedb.last.sequence", "the newest arrival sequence number", null, s -> s.lastSequence());
        statsGauge(registry, "stemedb.disk.size", "table files on disk (RocksDB total-sst-files-size)", "bytes",
                s -> property(s.engineProperties(), "total-sst-files-size"));
        statsGauge(registry, "stemedb.memtable.size", "recent writes in memory, not yet in table files "
                + "(RocksDB cur-size-all-mem-tables)", "bytes", s -> property(s.engineProperties(), "cur-size-all-mem-tables"));
        statsGauge(registry, "stemedb.fact.cache.size", "estimated heap held by the cache of recently read facts", "bytes",
                s -> property(s.engineProperties(), "fact-cache-bytes"));
        statsGauge(registry, "stemedb.fact.cache.hits", "fact reads served by the fact cache since the database opened", null,
                s -> property(s.engineProperties(), "fact-cache-hits"));
        statsGauge(registry, "stemedb.fact.cache.misses", "fact reads not served by the fact cache since the database opened", null,
                s -> property(s.engineProperties(), "fact-cache-misses"));
        if (replication != null) {
            bindReplication(registry);
        }
    }

    private void bindReplication(MeterRegistry registry) {
        List<Replication.PeerStats> initial = replication.stats().peers();
        for (int i = 0; i < initial.size(); i++) {
            int index = i;
            String name = peerNames != null ? peerNames.get(i) : initial.get(i).peer();
            Tags peerTags = Tags.concat(tags, "peer", name);
            Cached<Replication.Stats> cached = replicationStats;
            peerGauge(registry, peerTags, "stemedb.sync.lag", "age of the oldest local write this peer may not have yet (0: it has them all)",
                    "seconds", cached, index, p -> p.lag().toNanos() / 1e9);
            peerGauge(registry, peerTags, "stemedb.sync.consecutive.failures", "sync sessions with this peer failed in a row now",
                    null, cached, index, p -> p.consecutiveFailures());
            peerGauge(registry, peerTags, "stemedb.sync.last.success", "epoch seconds of the last successful session (0 before the first)",
                    "seconds", cached, index, p -> p.lastSuccess() == null ? 0 : p.lastSuccess().toEpochMilli() / 1000.0);
            peerCounter(registry, peerTags, replication, "stemedb.sync.sessions", "sync sessions with this peer, successful or not",
                    cached, index, p -> p.sessions());
            peerCounter(registry, peerTags, replication, "stemedb.sync.failures", "failed sync sessions with this peer", cached, index,
                    p -> p.failures());
            peerCounter(registry, peerTags, replication, "stemedb.sync.fetched", "assertions received from this peer", cached, index,
                    p -> p.fetched());
            peerCounter(registry, peerTags, replication, "stemedb.sync.pushed", "assertions sent to this peer", cached, index,
                    p -> p.pushed());
            peerCounter(registry, peerTags, replication, "stemedb.sync.bytes.sent", "bytes sent to this peer", cached, index,
                    p -> p.bytesSent());
            peerCounter(registry, peerTags, replication, "stemedb.sync.bytes.received", "bytes received from this peer", cached, index,
                    p -> p.bytesReceived());
        }
    }

    /**
     * A counter over one of {@link StemeDB#counters()}. Micrometer holds a function meter's object
     * weakly, so the object is the database, which the application holds, never this binder, which
     * may be dropped after binding.
     */
    private void counter(MeterRegistry registry, String name, String description, ToLongFunction<Counters> count) {
        FunctionCounter.builder(name, db, d -> count.applyAsLong(d.counters())).description(description).tags(tags).register(registry);
    }

    /** A timer over two of {@link StemeDB#counters()}, held as {@link #counter} is. */
    private void timer(MeterRegistry registry, String name, String description, ToLongFunction<Counters> count,
            ToDoubleFunction<Counters> nanos) {
        FunctionTimer.builder(name, db, d -> count.applyAsLong(d.counters()), d -> nanos.applyAsDouble(d.counters()),
                TimeUnit.NANOSECONDS).description(description).tags(tags).register(registry);
    }

    private void statsGauge(MeterRegistry registry, String name, String description, String unit, ToDoubleFunction<Stats> f) {
        Cached<Stats> cached = stats;
        Gauge.Builder<Cached<Stats>> b = Gauge.builder(name, cached, c -> {
            Stats s = c.get();
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }).description(description).tags(tags).strongReference(true);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    private static void peerGauge(MeterRegistry registry, Tags tags, String name, String description, String unit,
            Cached<Replication.Stats> cached, int index, ToDoubleFunction<Replication.PeerStats> f) {
        Gauge.Builder<Cached<Replication.Stats>> b = Gauge.builder(name, cached, c -> peer(c, index, f))
                .description(description).tags(tags).strongReference(true);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    /**
     * A counter of one peer's figure. Its weakly held object is the replication (alive while its
     * threads run); the figure comes from the snapshot the function holds.
     */
    private static void peerCounter(MeterRegistry registry, Tags tags, Replication replication, String name,
            String description, Cached<Replication.Stats> cached, int index, ToDoubleFunction<Replication.PeerStats> f) {
        FunctionCounter.builder(name, replication, r -> peer(cached, index, f)).description(description).tags(tags)
                .register(registry);
    }

    private static double peer(Cached<Replication.Stats> cached, int index, ToDoubleFunction<Replication.PeerStats> f) {
        Replication.Stats s = cached.get();
        return s == null || index >= s.peers().size() ? Double.NaN : f.applyAsDouble(s.peers().get(index));
    }

    private static double property(Map<String, String> properties, String key) {
        String v = properties.get(key);
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * A snapshot that serves every gauge of one scrape: taken at most once per
     * {@link #SNAPSHOT_MILLIS}; null when taking it fails (the database is closed, for example).
     */
    private static final class Cached<T> {
        private final Supplier<T> source;
        private volatile Snapshot<T> snapshot;

        private record Snapshot<T>(T value, long takenNanos) {}

        Cached(Supplier<T> source) {
            this.source = source;
        }

        T get() {
            Snapshot<T> s = snapshot;
            long now = System.nanoTime();
            if (s == null || now - s.takenNanos() > TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MILLIS)) {
                T value;
                try {
                    value = source.get();
                } catch (RuntimeException e) {
                    value = null;
                }
                s = new Snapshot<>(value, now);
                snapshot = s;
            }
            return s.value();
        }
    }

    @Override
    public String toString() {
        return "StemeDBMetrics[" + db + (replication == null ? "" : ", " + replication) + "]";
    }
}
