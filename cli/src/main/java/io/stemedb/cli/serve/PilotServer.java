package io.stemedb.cli.serve;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemedb.Replication;
import io.stemedb.kafka.KafkaReplication;
import io.stemedb.kafka.KafkaReplicationMetrics;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBMetrics;
import io.stemedb.cli.CliException;
import io.stemedb.cli.ClusterSecret;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.HttpSyncTransport;
import io.stemedb.merkle.SyncHttpHandler;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Hlc;
import io.stemedb.model.StemeException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pilot server of {@code stemedb serve}: one embedded database behind a small JSON API on
 * Jetty, with Prometheus metrics, optional Merkle sync with peers (continuous replication,
 * authenticated with a cluster secret), optional scheduled backups, and, with an API tokens file,
 * authenticated writes (and reads, beyond loopback). This class is the lifecycle: it opens the
 * database, starts and stops the HTTP listener ({@link HttpListener}), replication and backups
 * ({@link BackupSchedule}). The routes are {@link ApiRoutes}, their handlers {@link ReadHandlers},
 * {@link WriteHandlers} and {@link OpsHandlers}, the HTTP front (timeouts, body reading,
 * authentication) {@link JettyFront}; the contract is docs/openapi.json, served at
 * {@code GET /openapi.json}.
 *
 * <p>Every request body is bounded ({@link ServerConfig#maxRequestBytes()}, 413 beyond), strict UTF-8,
 * parsed strictly and validated whole before anything is written: an invalid element fails the
 * request with a 4xx and a JSON error, and stores nothing. Thread-safe; {@link #close()} stops it
 * gracefully. Sets no JVM-wide property.
 */
public final class PilotServer implements AutoCloseable {
    /** The most claims or retractions in one request. */
    public static final int MAX_BATCH = WriteHandlers.MAX_BATCH;

    private final ServerConfig config;
    private final StemeDB db;
    private final HttpListener http;
    private final JettyFront front;
    private final Routes routes;
    private final boolean syncMounted;
    private final PrometheusMeterRegistry registry;
    private final Failures failures;
    private final List<String> peerNames;
    private volatile Replication replication;
    private volatile KafkaReplication kafka;
    private BackupSchedule backups;
    private volatile boolean closing;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final PrintStream log;

    private PilotServer(ServerConfig config, StemeDB db, ClusterAuth clusterAuth, ApiAuth apiAuth, PrintStream log) {
        this.config = config;
        this.db = db;
        this.log = log;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<String> names = new ArrayList<>();
        config.peers().forEach(p -> names.add(syncEndpoint(p).toString()));
        this.peerNames = List.copyOf(names);
        this.failures = new Failures(log);
        this.routes = ApiRoutes.of(new ReadHandlers(db), new WriteHandlers(db),
                new OpsHandlers(db, registry, () -> replication, peerNames, this::readiness));
        SyncHttpHandler sync = clusterAuth == null ? null
                : new SyncHttpHandler(db.syncResponder(), clusterAuth, JettyFront.SYNC_MESSAGE_BYTES);
        this.syncMounted = sync != null;
        this.front = new JettyFront(routes, failures, apiAuth, !ServerConfig.isLoopback(config.bind()), sync, config.maxRequestBytes(),
                config.http(), registry, () -> closing);
        this.http = new HttpListener(config, front);
    }

    /**
     * Opens the database in {@code config.dataDir()}, starts serving, then starts replication with
     * the peers and the backup schedule, if configured.
     *
     * @throws CliException if the database cannot be opened, a secret or credential cannot be read or the port is taken
     */
    public static PilotServer start(ServerConfig config, PrintStream log) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(log, "log");
        ClusterAuth clusterAuth = config.clusterSecretFile() == null ? null : readSecret(config.clusterSecretFile(), log);
        ApiAuth apiAuth = config.apiTokensFile() == null ? null : ApiAuth.read(config.apiTokensFile(), log);
        StemeDB db;
        try {
            db = StemeDB.open(config.dataDir());
        } catch (StemeException e) {
            throw new CliException("cannot open the database in " + config.dataDir() + ": " + e.getMessage(), e);
        }
        PilotServer server = null;
        try {
            server = new PilotServer(config, db, clusterAuth, apiAuth, log);
            if (!config.peers().isEmpty()) {
                server.startReplication(clusterAuth);
            }
            if (config.kafka() != null) {
                server.kafka = KafkaReplication.start(db, config.kafka());
            }
            server.bindMetrics();
            server.http.start();
            if (config.backupDir() != null) {
                server.backups = new BackupSchedule(db, config.backupDir(), config.backupInterval(), config.backupKeep(), log);
            }
            return server;
        } catch (IOException e) {
            closeAfter(e, server, db);
            if (e.getCause() instanceof BindException || e instanceof BindException) {
                throw new CliException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage()
                        + "; is another server running there? pick another --port (0: any free port)", e);
            }
            throw new CliException("cannot start the server on " + config.bind() + ":" + config.port() + ": " + e, e);
        } catch (Exception e) {
            closeAfter(e, server, db);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new CliException("cannot start the server on " + config.bind() + ":" + config.port() + ": " + e, e);
        } catch (Error e) {
            closeAfter(e, server, db);
            throw e;
        }
    }

    /** Closes what a failed start opened; a failure to close is kept with {@code failure}, which is what the caller sees. */
    private static void closeAfter(Throwable failure, PilotServer server, StemeDB db) {
        try {
            if (server != null) {
                server.close();
            } else {
                db.close();
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Reads the cluster secret (see {@link ClusterSecret}), warning when the file is readable by others. */
    static ClusterAuth readSecret(Path file, PrintStream log) {
        byte[] secret = ClusterSecret.read(file);
        ClusterSecret.warnIfReadableByOthers(file, "cluster secret file", log);
        return ClusterAuth.withSecret(secret, Clock.systemUTC());
    }

    /** The sync endpoint of a peer's base URL: {@code /sync} appended unless the URL names it already. */
    static URI syncEndpoint(URI peer) {
        String s = peer.toString();
        if (s.endsWith("/sync")) {
            return peer;
        }
        return URI.create((s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + "/sync");
    }

    private void startReplication(ClusterAuth auth) {
        List<SyncTransport> transports = new ArrayList<>();
        for (URI peer : config.peers()) {
            transports.add(new HttpSyncTransport(syncEndpoint(peer), auth, Duration.ofSeconds(10), JettyFront.SYNC_MESSAGE_BYTES));
        }
        this.replication = db.replicate(transports, config.syncInterval());
    }

    private void bindMetrics() {
        StemeDBMetrics metrics = new StemeDBMetrics(db);
        if (replication != null) {
            metrics.replication(replication, peerNames);
        }
        metrics.bindTo(registry);
        if (kafka != null) {
            new KafkaReplicationMetrics(kafka).bindTo(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new DiskSpaceMetrics(config.dataDir().toFile()).bindTo(registry);
    }

    /** The port the server listens on: the one asked for, or the one the system picked for port 0. */
    public int port() {
        return http.port();
    }

    /** The server's base URL, for example {@code http://127.0.0.1:7070} ({@code https} with TLS). */
    public URI url() {
        String host;
        try {
            host = InetAddress.getByName(config.bind()).getHostAddress();
        } catch (UnknownHostException e) {
            host = config.bind();
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((config.tls() == null ? "http" : "https") + "://" + host + ":" + port());
    }

    /** Every operation served: each path with its methods (lower case), {@code /sync} included when mounted. */
    java.util.SortedMap<String, java.util.Set<String>> operations() {
        java.util.SortedMap<String, java.util.Set<String>> all = routes.operations();
        if (syncMounted) {
            all.put("/sync", java.util.Set.of("post"));
        }
        return all;
    }

    /** The database served. */
    public StemeDB db() {
        return db;
    }

    /** Replication with the peers, or empty without peers. */
    public Optional<Replication> replication() {
        return Optional.ofNullable(replication);
    }

    /** Replication through Kafka, or empty without --kafka-bootstrap. */
    public Optional<KafkaReplication> kafka() {
        return Optional.ofNullable(kafka);
    }

    /** The metrics registry behind GET /metrics. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** True when the database is open and, with peers, replication runs. */
    public boolean isReady() {
        return readiness() == null;
    }

    /** Why the server is not ready, or null when it is. */
    private String readiness() {
        if (closing) {
            return "the server is shutting down";
        }
        String full = failures.diskFull();
        if (full != null) {
            return "the disk is full, so writes are refused until there is room and the server is restarted "
                    + "(docs/operations.md, \"Disk full\"): " + full;
        }
        try {
            db.stats();
        } catch (StemeException e) {
            return "the database is not available: " + e.getMessage();
        }
        if (!config.peers().isEmpty()) {
            Replication r = replication;
            if (r == null) {
                return "replication with the peers has not started yet";
            }
            if (!r.isRunning()) {
                return "replication with the peers has stopped";
            }
        }
        return null;
    }

    /** One line for the start: the URL, the data directory, the node id and the peers. */
    public String startLine() {
        return "stemedb serve: listening on " + url() + " (data " + config.dataDir().toAbsolutePath() + ", node "
                + Hlc.nodeHex(db.nodeId()) + (config.peers().isEmpty() ? ", no peers"
                : ", " + config.peers().size() + " peer(s), sync every " + human(config.syncInterval())) + ")";
    }

    /** 250ms, 1s, 90s: how durations are written on the command line. */
    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Stops gracefully: new requests get 503 while those under way finish (up to 5 s), then the
     * server stops listening, replication and backups stop, and the database closes. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (front.inFlight() > 0 && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            http.stop(log);
            Replication r = replication;
            if (r != null) {
                r.close();
            }
            KafkaReplication k = kafka;
            if (k != null) {
                k.close();
            }
            if (backups != null) {
                backups.close();
            }
            registry.close();
        } finally {
            try {
                db.close();
            } catch (RuntimeException e) {
                // After a write error (a full disk) closing may fail too; every acknowledged write is
                // already durable, and the next open recovers.
                log.println(Instant.now() + " closing the database reported: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }
    }

    @Override
    public String toString() {
        return "PilotServer[" + url() + ", " + db + "]";
    }
}
