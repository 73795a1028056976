package io.stemedb.cli.serve;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemedb.Replication;
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
import io.stemedb.BackupInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The pilot server of {@code stemedb serve}: one embedded database behind a small JSON API on
 * Jetty, with Prometheus metrics, optional Merkle sync with peers (continuous replication,
 * authenticated with a cluster secret), optional scheduled backups, and, with an API tokens file,
 * authenticated writes (and reads, beyond loopback). This class is the lifecycle: it opens the
 * database, starts and stops the HTTP server, replication and backups. The routes and their
 * handlers are {@link ApiHandlers}, the HTTP front (timeouts, body reading, authentication) is
 * {@link JettyFront}.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>POST /v1/claims</td><td>one claim (a JSON object) or a batch (an array), stored atomically: 201 {"ids": [...]}</td></tr>
 *   <tr><td>POST /v1/retractions</td><td>one retraction or a batch: 201 {"ids": [...]}</td></tr>
 *   <tr><td>GET /v1/resolve?subject=&amp;predicate=&amp;lens=</td><td>the resolution with its evidence</td></tr>
 *   <tr><td>GET /v1/history?subject=&amp;predicate=</td><td>every claim and retraction</td></tr>
 *   <tr><td>GET /v1/entity?subject=&amp;lens=</td><td>every predicate of a subject, resolved</td></tr>
 *   <tr><td>GET /v1/conflicts[?subject=] or [?after=&amp;limit=]</td><td>disagreeing live claims</td></tr>
 *   <tr><td>GET /v1/stats</td><td>counts, engine figures, replication per peer</td></tr>
 *   <tr><td>GET /health</td><td>liveness: 200 while the process serves</td></tr>
 *   <tr><td>GET /ready</td><td>200 when the database is open and replication (if configured) runs; else 503</td></tr>
 *   <tr><td>GET /metrics</td><td>Prometheus text</td></tr>
 *   <tr><td>POST /sync</td><td>the Merkle sync endpoint, only with a cluster secret</td></tr>
 * </table>
 *
 * Every request body is bounded ({@link Config#maxRequestBytes()}, 413 beyond), strict UTF-8,
 * parsed strictly and validated whole before anything is written: an invalid element fails the
 * request with a 4xx and a JSON error, and stores nothing. Thread-safe; {@link #close()} stops it
 * gracefully. Sets no JVM-wide property.
 */
public final class PilotServer implements AutoCloseable {
    /** The default bound of a request body: 1 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;
    /** The most claims or retractions in one request. */
    public static final int MAX_BATCH = ApiHandlers.MAX_BATCH;

    /**
     * TLS for the server: its key store (PKCS#12 or JKS) and the file holding the store's
     * password; with {@code clientCaStore}, mutual TLS: clients must present a certificate issued
     * by one of its certificates, and the API tokens file's {@code cert} lines say what each may do.
     */
    public record Tls(Path keyStore, Path passwordFile, Path clientCaStore) {
        public Tls {
            Objects.requireNonNull(keyStore, "keyStore");
            Objects.requireNonNull(passwordFile, "passwordFile");
        }
    }

    /**
     * What to serve and how.
     *
     * @param dataDir the database directory, created if missing
     * @param bind the address to listen on (loopback unless told otherwise)
     * @param port the port, 0 for an ephemeral one (see {@link PilotServer#port()})
     * @param peers the base URLs of the other replicas ({@code http://host:port}; {@code /sync} is appended)
     * @param clusterSecretFile the file holding the cluster's shared secret, or null: no sync endpoint, no peers
     * @param syncInterval the anti-entropy interval of replication
     * @param maxRequestBytes the bound of a request body
     * @param backupDir where to take scheduled backups, or null for none
     * @param backupInterval how often to take them (the first one at start)
     * @param backupKeep how many to keep
     * @param http the bounds of what clients can cost: threads, queue, connections, timeouts
     * @param apiTokensFile the API credentials, or null: no authentication, which only a loopback bind allows
     * @param tls HTTPS (and mutual TLS), or null for plain HTTP
     */
    public record Config(Path dataDir, String bind, int port, List<URI> peers, Path clusterSecretFile,
            Duration syncInterval, int maxRequestBytes, Path backupDir, Duration backupInterval, int backupKeep,
            HttpLimits http, Path apiTokensFile, Tls tls) {
        public Config {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(bind, "bind");
            peers = List.copyOf(peers);
            Objects.requireNonNull(syncInterval, "syncInterval");
            Objects.requireNonNull(backupInterval, "backupInterval");
            Objects.requireNonNull(http, "http");
            if (port < 0 || port > 65535) {
                throw new CliException("--port must be between 0 (any free port) and 65535, got " + port);
            }
            if (!peers.isEmpty() && clusterSecretFile == null) {
                throw new CliException("--peer needs --cluster-secret-file: replicas authenticate each other with "
                        + "the cluster's shared secret (create one with: openssl rand -hex 32 > cluster.secret)");
            }
            if (syncInterval.isNegative() || syncInterval.isZero()) {
                throw new CliException("--sync-interval must be positive, got " + syncInterval);
            }
            if (maxRequestBytes < 1024 || maxRequestBytes > (64 << 20)) {
                throw new CliException("--max-request-bytes must be between 1024 and 67108864 (64 MiB), got " + maxRequestBytes);
            }
            if (backupInterval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new CliException("--backup-interval must be at least 1s, got " + backupInterval);
            }
            if (backupKeep < 1) {
                throw new CliException("--backup-keep must be at least 1, got " + backupKeep);
            }
            if (tls != null && tls.clientCaStore() != null && apiTokensFile == null) {
                throw new CliException("mutual TLS (--tls-client-ca) needs --api-tokens-file: its 'cert' lines say what each "
                        + "client certificate may write");
            }
            if (apiTokensFile == null && !isLoopback(bind)) {
                throw new CliException("listening on " + bind + ", beyond this machine, needs --api-tokens-file: the API "
                        + "would otherwise let anyone who reaches the port write under any source (docs/operations.md, "
                        + "\"API authentication\"); or listen on 127.0.0.1 behind an authenticating proxy");
            }
        }

        /** A single node on loopback with defaults, for tests and embedding: port 0 picks a free port. */
        public static Config defaults(Path dataDir) {
            return new Config(dataDir, "127.0.0.1", 0, List.of(), null, Duration.ofSeconds(1), DEFAULT_MAX_REQUEST_BYTES,
                    null, Duration.ofHours(1), 24, HttpLimits.DEFAULT, null, null);
        }

        public Config withPort(int newPort) {
            return new Config(dataDir, bind, newPort, peers, clusterSecretFile, syncInterval, maxRequestBytes, backupDir,
                    backupInterval, backupKeep, http, apiTokensFile, tls);
        }

        public Config withPeers(List<URI> newPeers, Path secretFile, Duration interval) {
            return new Config(dataDir, bind, port, newPeers, secretFile, interval, maxRequestBytes, backupDir,
                    backupInterval, backupKeep, http, apiTokensFile, tls);
        }

        public Config withMaxRequestBytes(int bytes) {
            return new Config(dataDir, bind, port, peers, clusterSecretFile, syncInterval, bytes, backupDir,
                    backupInterval, backupKeep, http, apiTokensFile, tls);
        }

        public Config withBackups(Path dir, Duration interval, int keep) {
            return new Config(dataDir, bind, port, peers, clusterSecretFile, syncInterval, maxRequestBytes, dir,
                    interval, keep, http, apiTokensFile, tls);
        }

        public Config withHttp(HttpLimits limits) {
            return new Config(dataDir, bind, port, peers, clusterSecretFile, syncInterval, maxRequestBytes, backupDir,
                    backupInterval, backupKeep, limits, apiTokensFile, tls);
        }

        /** Listening on {@code address} with the credentials of {@code tokensFile} (null: none) and {@code newTls} (null: plain HTTP). */
        public Config withListener(String address, Path tokensFile, Tls newTls) {
            return new Config(dataDir, address, port, peers, clusterSecretFile, syncInterval, maxRequestBytes, backupDir,
                    backupInterval, backupKeep, http, tokensFile, newTls);
        }
    }

    /** True when {@code address} is this machine only. */
    static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private final Config config;
    private final StemeDB db;
    private final Server http;
    private final ServerConnector connector;
    private final JettyFront front;
    private final PrometheusMeterRegistry registry;
    private final ApiHandlers api;
    private final List<String> peerNames;
    private volatile Replication replication;
    private ScheduledExecutorService backups;
    private volatile boolean closing;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final PrintStream log;

    private PilotServer(Config config, StemeDB db, ClusterAuth clusterAuth, ApiAuth apiAuth, PrintStream log) {
        this.config = config;
        this.db = db;
        this.log = log;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<String> names = new ArrayList<>();
        config.peers().forEach(p -> names.add(syncEndpoint(p).toString()));
        this.peerNames = List.copyOf(names);
        this.api = new ApiHandlers(db, registry, () -> replication, peerNames, this::readiness, log);
        Routes routes = new Routes();
        api.register(routes);
        SyncHttpHandler sync = clusterAuth == null ? null
                : new SyncHttpHandler(db.syncResponder(), clusterAuth, JettyFront.SYNC_MESSAGE_BYTES);
        this.front = new JettyFront(routes, api, apiAuth, !isLoopback(config.bind()), sync, config.maxRequestBytes(),
                config.http(), registry, () -> closing);
        HttpLimits limits = config.http();
        // Jetty's own threads (an acceptor, a selector, a few reserved) come on top of the request threads.
        QueuedThreadPool pool = new QueuedThreadPool(limits.threads() + 4, Math.min(4, limits.threads() + 4),
                60_000, -1, new BlockingArrayQueue<>(limits.queue(), 0, limits.queue()), null,
                daemonThreads("stemedb-http"));
        pool.setName("stemedb-http");
        this.http = new Server(pool);
        HttpConfiguration httpConfig = new HttpConfiguration();
        httpConfig.setSendServerVersion(false);
        httpConfig.setSendXPoweredBy(false);
        httpConfig.setIdleTimeout(limits.idleTimeout().toMillis());
        HttpConnectionFactory h1 = new HttpConnectionFactory(httpConfig);
        if (config.tls() == null) {
            this.connector = new ServerConnector(http, 1, 1, h1);
        } else {
            httpConfig.addCustomizer(new SecureRequestCustomizer(false));
            this.connector = new ServerConnector(http, 1, 1, new SslConnectionFactory(tls(config.tls()), "http/1.1"), h1);
        }
        connector.setHost(config.bind());
        connector.setPort(config.port());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(512);
        connector.addBean(new HeaderTimeout(limits.headerTimeout().toMillis(), connector.getScheduler()));
        http.addConnector(connector);
        http.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        http.setHandler(front);
        http.setErrorHandler(JettyFront::jettyError);
    }

    private static SslContextFactory.Server tls(Tls tls) {
        String password;
        try {
            password = Files.readString(tls.passwordFile()).strip();
        } catch (IOException e) {
            throw new CliException("cannot read the TLS password file " + tls.passwordFile() + ": " + e);
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keyStore().toAbsolutePath().toString());
        ssl.setKeyStorePassword(password);
        if (tls.clientCaStore() != null) {
            ssl.setTrustStorePath(tls.clientCaStore().toAbsolutePath().toString());
            ssl.setTrustStorePassword(password);
            ssl.setNeedClientAuth(true);
        }
        return ssl;
    }

    /**
     * Opens the database in {@code config.dataDir()}, starts serving, then starts replication with
     * the peers and the backup schedule, if configured.
     *
     * @throws CliException if the database cannot be opened, a secret or credential cannot be read or the port is taken
     */
    public static PilotServer start(Config config, PrintStream log) {
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
            server.bindMetrics();
            server.http.start();
            if (config.backupDir() != null) {
                server.startBackups();
            }
            return server;
        } catch (IOException e) {
            closeQuietly(server, db);
            if (e.getCause() instanceof BindException || e instanceof BindException) {
                throw new CliException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage()
                        + "; is another server running there? pick another --port (0: any free port)", e);
            }
            throw new CliException("cannot start the server on " + config.bind() + ":" + config.port() + ": " + e, e);
        } catch (Exception e) {
            closeQuietly(server, db);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new CliException("cannot start the server on " + config.bind() + ":" + config.port() + ": " + e, e);
        } catch (Error e) {
            closeQuietly(server, db);
            throw e;
        }
    }

    private static void closeQuietly(PilotServer server, StemeDB db) {
        try {
            if (server != null) {
                server.close();
            } else {
                db.close();
            }
        } catch (RuntimeException suppressed) {
            // the original failure is what matters
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
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new DiskSpaceMetrics(config.dataDir().toFile()).bindTo(registry);
    }

    private void startBackups() {
        backups = Executors.newSingleThreadScheduledExecutor(daemonThreads("stemedb-backup"));
        long every = config.backupInterval().toMillis();
        backups.scheduleWithFixedDelay(this::backupNow, 0, every, TimeUnit.MILLISECONDS);
    }

    private void backupNow() {
        try {
            BackupInfo info = db.backup(config.backupDir(), config.backupKeep());
            log.println(Instant.now() + " backup " + info.id() + " taken in " + config.backupDir() + " ("
                    + info.sizeBytes() + " bytes, " + info.files() + " files)");
        } catch (RuntimeException e) {
            log.println(Instant.now() + " backup into " + config.backupDir() + " FAILED: " + e.getMessage());
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The port the server listens on: the one asked for, or the one the system picked for port 0. */
    public int port() {
        return connector.getLocalPort();
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

    /** The database served. */
    public StemeDB db() {
        return db;
    }

    /** Replication with the peers, or empty without peers. */
    public Optional<Replication> replication() {
        return Optional.ofNullable(replication);
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
        String full = api.diskFull();
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
            stopHttp();
            Replication r = replication;
            if (r != null) {
                r.close();
            }
            if (backups != null) {
                backups.shutdown();
                awaitQuietly(backups, 60);
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

    private void stopHttp() {
        try {
            http.stop();
        } catch (Exception e) {
            log.println(Instant.now() + " stopping the HTTP server reported: " + e);
        }
    }

    private static void awaitQuietly(ExecutorService executor, int seconds) {
        try {
            if (!executor.awaitTermination(seconds, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PilotServer[" + url() + ", " + db + "]";
    }
}
