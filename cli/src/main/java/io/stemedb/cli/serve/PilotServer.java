package io.stemedb.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemedb.Batch;
import io.stemedb.Conflict;
import io.stemedb.Page;
import io.stemedb.Replication;
import io.stemedb.Stats;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBMetrics;
import io.stemedb.cli.CliException;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.HttpSyncTransport;
import io.stemedb.merkle.SyncHttpHandler;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.StemeException;
import io.stemedb.storage.RocksBackups;
import io.stemedb.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pilot server of {@code stemedb serve}: one embedded database behind a small JSON API on the
 * JDK's {@link HttpServer}, with Prometheus metrics, optional Merkle sync with peers (continuous
 * replication, authenticated with a cluster secret) and optional scheduled backups.
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
 * Every request body is bounded ({@link Config#maxRequestBytes()}, 413 beyond), parsed strictly and
 * validated whole before anything is written: an invalid element fails the request with a 4xx and
 * a JSON error, and stores nothing. Thread-safe; {@link #close()} stops it gracefully.
 */
public final class PilotServer implements AutoCloseable {
    /** The default bound of a request body: 1 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;
    /** The most claims or retractions in one request. */
    public static final int MAX_BATCH = 10_000;
    /** The most conflicts one page of GET /v1/conflicts returns. */
    static final int MAX_CONFLICT_PAGE = 1_000;
    /** How much of an oversized body is read and discarded so that the client can read the 413; beyond, the connection is closed. */
    private static final long DRAIN_LIMIT = 8L << 20;
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The sync frame limit plus room for framing, for the sync endpoint and the peers' transports. */
    private static final int SYNC_MESSAGE_BYTES = SyncLimits.DEFAULT.maxFrameBytes() + (64 << 10);

    static {
        // The JDK's HttpServer leaves Nagle's algorithm on unless told otherwise: a reply written as
        // headers then body then waits for the client's delayed ACK (40 ms on Linux), per exchange.
        // A sync session is several exchanges, so that alone would add a few hundred milliseconds
        // of replication lag. Read once, when the first HttpServer is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
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
     * @param threads the request handler threads
     */
    public record Config(Path dataDir, String bind, int port, List<URI> peers, Path clusterSecretFile,
            Duration syncInterval, int maxRequestBytes, Path backupDir, Duration backupInterval, int backupKeep,
            int threads) {
        public Config {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(bind, "bind");
            peers = List.copyOf(peers);
            Objects.requireNonNull(syncInterval, "syncInterval");
            Objects.requireNonNull(backupInterval, "backupInterval");
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
            if (threads < 1 || threads > 1024) {
                throw new CliException("--threads must be between 1 and 1024, got " + threads);
            }
        }

        /** A single node on loopback with defaults, for tests and embedding: port 0 picks a free port. */
        public static Config defaults(Path dataDir) {
            return new Config(dataDir, "127.0.0.1", 0, List.of(), null, Duration.ofSeconds(1), DEFAULT_MAX_REQUEST_BYTES,
                    null, Duration.ofHours(1), 24, 16);
        }

        public Config withPort(int newPort) {
            return new Config(dataDir, bind, newPort, peers, clusterSecretFile, syncInterval, maxRequestBytes, backupDir,
                    backupInterval, backupKeep, threads);
        }

        public Config withPeers(List<URI> newPeers, Path secretFile, Duration interval) {
            return new Config(dataDir, bind, port, newPeers, secretFile, interval, maxRequestBytes, backupDir,
                    backupInterval, backupKeep, threads);
        }

        public Config withMaxRequestBytes(int bytes) {
            return new Config(dataDir, bind, port, peers, clusterSecretFile, syncInterval, bytes, backupDir,
                    backupInterval, backupKeep, threads);
        }

        public Config withBackups(Path dir, Duration interval, int keep) {
            return new Config(dataDir, bind, port, peers, clusterSecretFile, syncInterval, maxRequestBytes, dir,
                    interval, keep, threads);
        }
    }

    /** One route's handler. */
    @FunctionalInterface
    private interface Handler {
        Reply handle(Request request) throws IOException;
    }

    /** A request as the handlers see it: the exchange, its query parameters, and the body read on demand. */
    private final class Request {
        final HttpExchange exchange;
        final Map<String, String> query;

        Request(HttpExchange exchange, Map<String, String> query) {
            this.exchange = exchange;
            this.query = query;
        }

        /** Refuses parameters the route does not know, so that a typo is an error rather than ignored. */
        void allow(String... names) {
            Set<String> known = Set.of(names);
            for (String name : query.keySet()) {
                if (!known.contains(name)) {
                    throw ApiException.badRequest("unknown_parameter", "unknown query parameter \"" + name + "\"; "
                            + (names.length == 0 ? "this endpoint takes none" : "this endpoint takes " + String.join(", ", names)));
                }
            }
        }

        String required(String name) {
            String v = query.get(name);
            if (v == null || v.isEmpty()) {
                throw ApiException.badRequest("missing_parameter", "the query parameter \"" + name + "\" is required");
            }
            return v;
        }

        /** The JSON body, at most {@link Config#maxRequestBytes()}. */
        JsonNode json() throws IOException {
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new ApiException(415, "unsupported_media_type", "the body must be JSON, sent with "
                        + "Content-Type: application/json; got " + type);
            }
            return JsonCodec.parse(body());
        }

        private byte[] body() throws IOException {
            int max = config.maxRequestBytes();
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest("invalid_header", "Content-Length is not a number: " + length);
                }
                if (declared > max) {
                    throw tooLarge(max);
                }
            }
            byte[] body = exchange.getRequestBody().readNBytes(max + 1);
            if (body.length > max) {
                throw tooLarge(max);
            }
            return body;
        }

        private ApiException tooLarge(int max) {
            return new ApiException(413, "body_too_large", "the request body is over the limit of " + max
                    + " bytes; send smaller batches (or start the server with a larger --max-request-bytes)");
        }
    }

    /** What a handler answers. */
    private record Reply(int status, String contentType, byte[] body) {
        static Reply json(int status, JsonNode node) {
            try {
                return new Reply(status, JSON_TYPE, JsonCodec.MAPPER.writeValueAsBytes(node));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree always serializes", e);
            }
        }
    }

    private final Config config;
    private final StemeDB db;
    private final HttpServer http;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final SyncHttpHandler sync;
    private final List<String> peerNames;
    private volatile Replication replication;
    private ScheduledExecutorService backups;
    private final Map<String, Map<String, Handler>> routes = new LinkedHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;
    /** Set when a write hit a full disk: RocksDB refuses writes from then on until reopened, so the node is not ready. */
    private volatile String diskFull;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final PrintStream log;

    private PilotServer(Config config, StemeDB db, ClusterAuth auth, PrintStream log) throws IOException {
        this.config = config;
        this.db = db;
        this.log = log;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.sync = auth == null ? null : new SyncHttpHandler(db.syncResponder(), auth, SYNC_MESSAGE_BYTES);
        List<String> names = new ArrayList<>();
        config.peers().forEach(p -> names.add(syncEndpoint(p).toString()));
        this.peerNames = List.copyOf(names);
        defineRoutes();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(config.bind()), config.port());
        this.http = HttpServer.create(address, 128);
        this.executor = Executors.newFixedThreadPool(config.threads(), daemonThreads("stemedb-http"));
        http.setExecutor(executor);
        http.createContext("/", this::dispatch);
    }

    /**
     * Opens the database in {@code config.dataDir()}, starts serving, then starts replication with
     * the peers and the backup schedule, if configured.
     *
     * @throws CliException if the database cannot be opened, the secret cannot be read or the port is taken
     */
    public static PilotServer start(Config config, PrintStream log) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(log, "log");
        ClusterAuth auth = config.clusterSecretFile() == null ? null : readSecret(config.clusterSecretFile(), log);
        StemeDB db;
        try {
            db = StemeDB.open(config.dataDir());
        } catch (StemeException e) {
            throw new CliException("cannot open the database in " + config.dataDir() + ": " + e.getMessage(), e);
        }
        PilotServer server = null;
        try {
            server = new PilotServer(config, db, auth, log);
            if (!config.peers().isEmpty()) {
                server.startReplication(auth);
            }
            server.bindMetrics();
            server.http.start();
            if (config.backupDir() != null) {
                server.startBackups();
            }
            return server;
        } catch (BindException e) {
            closeQuietly(server, db);
            throw new CliException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage()
                    + "; is another server running there? pick another --port (0: any free port)", e);
        } catch (IOException e) {
            closeQuietly(server, db);
            throw new CliException("cannot start the server on " + config.bind() + ":" + config.port() + ": " + e, e);
        } catch (RuntimeException | Error e) {
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

    /** Reads the cluster secret: the file's bytes without surrounding whitespace, at least 16 of them. */
    static ClusterAuth readSecret(Path file, PrintStream log) {
        byte[] secret;
        try {
            secret = Files.readString(file, StandardCharsets.ISO_8859_1).strip().getBytes(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new CliException("cannot read the cluster secret file " + file + ": " + e);
        }
        if (secret.length < ClusterAuth.MIN_SECRET_BYTES) {
            throw new CliException("the cluster secret in " + file + " is " + secret.length + " bytes; it must be at least "
                    + ClusterAuth.MIN_SECRET_BYTES + " (create one with: openssl rand -hex 32 > " + file + ")");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                log.println("stemedb serve: warning: the cluster secret file " + file
                        + " is readable by other users; chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
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
            transports.add(new HttpSyncTransport(syncEndpoint(peer), auth, Duration.ofSeconds(10), SYNC_MESSAGE_BYTES));
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
            RocksBackups.BackupInfo info = db.backup(config.backupDir(), config.backupKeep());
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
        return http.getAddress().getPort();
    }

    /** The server's base URL, for example {@code http://127.0.0.1:7070}. */
    public URI url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort());
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
        String full = diskFull;
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

    // ---------------------------------------------------------------- routing

    private void route(String path, String method, Handler handler) {
        routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, handler);
    }

    private void defineRoutes() {
        route("/v1/claims", "POST", this::postClaims);
        route("/v1/retractions", "POST", this::postRetractions);
        route("/v1/resolve", "GET", this::resolve);
        route("/v1/history", "GET", this::history);
        route("/v1/entity", "GET", this::entity);
        route("/v1/conflicts", "GET", this::conflicts);
        route("/v1/stats", "GET", this::stats);
        route("/health", "GET", this::health);
        route("/ready", "GET", this::ready);
        route("/metrics", "GET", this::metrics);
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        String route = "unmatched";
        int status = 500;
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("/sync".equals(path) && sync != null) {
                route = "/sync";
                status = handleSync(exchange);
                return;
            }
            Reply reply;
            Map<String, Handler> byMethod = routes.get(path);
            if (byMethod != null) {
                route = path;
            }
            try {
                if (closing) {
                    throw new ApiException(503, "shutting_down", "the server is shutting down; retry on another node or after restart");
                }
                if (byMethod == null) {
                    throw new ApiException(404, "not_found", "no endpoint " + path + "; the endpoints are "
                            + String.join(", ", routes.keySet()) + (sync == null ? "" : ", /sync"));
                }
                Handler handler = byMethod.get(method);
                if (handler == null) {
                    String allow = String.join(", ", byMethod.keySet());
                    throw new ApiException(405, "method_not_allowed", method + " is not allowed on " + path + "; use " + allow,
                            "Allow", allow);
                }
                reply = handler.handle(new Request(exchange, query(exchange.getRequestURI())));
            } catch (ApiException e) {
                reply = error(exchange, e.status(), e.code(), e.getMessage());
                String[] headers = e.headers();
                for (int i = 0; i + 1 < headers.length; i += 2) {
                    exchange.getResponseHeaders().set(headers[i], headers[i + 1]);
                }
            } catch (RuntimeException e) {
                reply = failure(exchange, e);
            }
            status = reply.status();
            send(exchange, reply);
        } finally {
            inFlight.decrementAndGet();
            Timer.builder("stemedb.http.requests").description("HTTP requests of the pilot server, by route, method and status")
                    .tag("route", route).tag("method", methodTag(exchange.getRequestMethod()))
                    .tag("status", Integer.toString(status)).register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** The sync endpoint; a merge that fails (a full disk, say) is answered with a plain error, not a dropped connection. */
    private int handleSync(HttpExchange exchange) throws IOException {
        try {
            sync.handle(exchange);
            return exchange.getResponseCode();
        } catch (RuntimeException e) {
            int status = 500;
            if (e instanceof StorageException.DiskFull) {
                markDiskFull(e);
                status = 507;
            } else {
                log.println(Instant.now() + " sync request failed: " + e);
            }
            if (exchange.getResponseCode() == -1) {
                byte[] body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            }
            return status;
        }
    }

    private void markDiskFull(RuntimeException e) {
        if (diskFull == null) {
            log.println(Instant.now() + " DISK FULL: writes are refused until there is room and the server is restarted: "
                    + e.getMessage());
        }
        diskFull = e.getMessage();
    }

    private static String methodTag(String method) {
        switch (method) {
            case "GET":
            case "POST":
            case "PUT":
            case "DELETE":
            case "HEAD":
            case "PATCH":
            case "OPTIONS":
                return method;
            default:
                return "other";
        }
    }

    /** Maps a library exception to its HTTP status. */
    private Reply failure(HttpExchange exchange, RuntimeException e) {
        if (e instanceof io.stemedb.model.Assertion.InvalidAssertionException) {
            return error(exchange, 400, "invalid_assertion", e.getMessage());
        }
        if (e instanceof StemeDB.UnknownTargetException) {
            return error(exchange, 422, "unknown_target", e.getMessage());
        }
        if (e instanceof StorageException.DiskFull) {
            markDiskFull(e);
            return error(exchange, 507, "disk_full", e.getMessage() + "; this node refuses writes until it has room "
                    + "and is restarted: write to another node meanwhile");
        }
        if (e instanceof StemeDB.ClosedException) {
            return error(exchange, 503, "unavailable", e.getMessage());
        }
        if (e instanceof StorageException) {
            log.println(Instant.now() + " storage error on " + exchange.getRequestMethod() + " "
                    + exchange.getRequestURI().getPath() + ": " + e.getMessage());
            return error(exchange, 500, "storage_error", e.getMessage());
        }
        log.println(Instant.now() + " internal error on " + exchange.getRequestMethod() + " "
                + exchange.getRequestURI().getPath() + ": " + e);
        e.printStackTrace(log);
        return error(exchange, 500, "internal_error", "internal error: " + e);
    }

    private Reply error(HttpExchange exchange, int status, String code, String message) {
        if (status == 413) {
            drain(exchange);
        }
        ObjectNode o = JsonCodec.object();
        ObjectNode err = o.putObject("error");
        err.put("status", status);
        err.put("code", code);
        err.put("message", message);
        return Reply.json(status, o);
    }

    /**
     * Reads and discards what is left of an oversized body (up to {@link #DRAIN_LIMIT}), so that a
     * client still sending it can read the 413 instead of seeing the connection reset.
     */
    private static void drain(HttpExchange exchange) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 << 10];
            long total = 0;
            int n;
            while (total < DRAIN_LIMIT && (n = in.read(buffer)) > 0) {
                total += n;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        if (reply.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }

    /** The query parameters, decoded; a parameter given twice is an error. */
    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_query", "the query string is not well-formed: " + e.getMessage());
            }
            if (params.put(name, value) != null) {
                throw ApiException.badRequest("duplicate_parameter", "the query parameter \"" + name + "\" is given twice");
            }
        }
        return params;
    }

    // ---------------------------------------------------------------- endpoints

    private Reply postClaims(Request request) throws IOException {
        request.allow();
        JsonNode body = request.json();
        List<JsonCodec.ClaimInput> claims = new ArrayList<>();
        long node = db.nodeId();
        for (Map.Entry<String, JsonNode> e : JsonCodec.elements(body, "claim", "claims", MAX_BATCH)) {
            JsonCodec.ClaimInput c = JsonCodec.claim(e.getKey(), e.getValue());
            c.check(e.getKey(), node);
            claims.add(c);
        }
        List<AssertionId> ids = db.write(batch -> claims.forEach(c -> add(batch, c)));
        return Reply.json(201, idsJson(ids));
    }

    private static void add(Batch batch, JsonCodec.ClaimInput c) {
        Batch.Draft d = batch.assertion(c.subject(), c.predicate(), c.value()).source(c.source())
                .validFrom(c.validFrom()).validTo(c.validTo());
        if (c.confidence() != null) {
            d.confidence(c.confidence());
        }
        c.metadata().forEach(d::metadata);
    }

    private Reply postRetractions(Request request) throws IOException {
        request.allow();
        JsonNode body = request.json();
        List<JsonCodec.RetractionInput> retractions = new ArrayList<>();
        long node = db.nodeId();
        for (Map.Entry<String, JsonNode> e : JsonCodec.elements(body, "retraction", "retractions", MAX_BATCH)) {
            JsonCodec.RetractionInput r = JsonCodec.retraction(e.getKey(), e.getValue());
            r.check(e.getKey(), node);
            Optional<Assertion> target = db.get(r.target());
            if (target.isEmpty()) {
                throw new ApiException(422, "unknown_target", e.getKey() + ".retracts: no claim with id " + r.target()
                        + " is stored here, so it cannot be retracted; check the id");
            }
            if (!(target.get() instanceof Claim)) {
                throw ApiException.badRequest("invalid_assertion", e.getKey() + ".retracts: " + r.target()
                        + " is a retraction; only claims can be retracted");
            }
            retractions.add(r);
        }
        List<AssertionId> ids = db.write(batch -> retractions.forEach(r -> batch.retract(r.target(), r.source(), r.metadata())));
        return Reply.json(201, idsJson(ids));
    }

    private static ObjectNode idsJson(List<AssertionId> ids) {
        ObjectNode o = JsonCodec.object();
        ArrayNode a = o.putArray("ids");
        ids.forEach(id -> a.add(id.toString()));
        o.put("count", ids.size());
        return o;
    }

    private Reply resolve(Request request) {
        request.allow("subject", "predicate", "lens");
        Lens lens = LensNames.parse(request.query.get("lens"));
        Resolution r = db.resolve(request.required("subject"), request.required("predicate"), lens);
        return Reply.json(200, JsonCodec.resolution(r));
    }

    private Reply history(Request request) {
        request.allow("subject", "predicate");
        return Reply.json(200, JsonCodec.history(db.history(request.required("subject"), request.required("predicate"))));
    }

    private Reply entity(Request request) {
        request.allow("subject", "lens");
        String subject = request.required("subject");
        Lens lens = LensNames.parse(request.query.get("lens"));
        SortedMap<String, Resolution> entity = db.entity(subject, lens);
        ObjectNode o = JsonCodec.object();
        o.put("subject", subject);
        o.put("lens", lens.name());
        ObjectNode predicates = o.putObject("predicates");
        entity.forEach((predicate, r) -> {
            ObjectNode p = predicates.putObject(predicate);
            p.set("values", JsonCodec.values(r.values()));
            if (r.values().size() == 1) {
                p.set("value", JsonCodec.value(r.values().first()));
            } else {
                p.putNull("value");
            }
            p.set("winners", JsonCodec.claims(r.winners()));
            p.put("explain", r.explain());
        });
        return Reply.json(200, o);
    }

    private Reply conflicts(Request request) {
        request.allow("subject", "after", "limit");
        ObjectNode o = JsonCodec.object();
        List<Conflict> found;
        String subject = request.query.get("subject");
        if (subject != null) {
            if (request.query.containsKey("after") || request.query.containsKey("limit")) {
                throw ApiException.badRequest("invalid_query", "give either subject, or after and limit to page through "
                        + "the whole database, not both");
            }
            if (subject.isEmpty()) {
                throw ApiException.badRequest("missing_parameter", "the query parameter \"subject\" is empty");
            }
            found = db.conflicts(subject);
            o.put("subject", subject);
        } else {
            int limit = 100;
            String l = request.query.get("limit");
            if (l != null) {
                try {
                    limit = Integer.parseInt(l);
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 1 || limit > MAX_CONFLICT_PAGE) {
                    throw ApiException.badRequest("invalid_parameter", "limit must be a whole number between 1 and "
                            + MAX_CONFLICT_PAGE + ", got " + l);
                }
            }
            String after = request.query.get("after");
            Page<Conflict> page = db.conflicts(after == null || after.isEmpty() ? null : after, limit);
            found = page.items();
            if (page.next() == null) {
                o.putNull("next");
            } else {
                o.put("next", page.next());
            }
        }
        ArrayNode list = o.putArray("conflicts");
        for (Conflict c : found) {
            ObjectNode j = list.addObject();
            j.put("subject", c.subject());
            j.put("predicate", c.predicate());
            j.set("values", JsonCodec.values(c.values()));
            j.set("claims", JsonCodec.claims(c.claims()));
        }
        return Reply.json(200, o);
    }

    private Reply stats(Request request) {
        request.allow();
        Stats s = db.stats();
        ObjectNode o = JsonCodec.object();
        o.put("nodeId", Hlc.nodeHex(s.nodeId()));
        o.put("engine", s.engine());
        o.put("assertions", s.assertions());
        o.put("claims", s.claims());
        o.put("retractions", s.retractions());
        o.put("lastSequence", s.lastSequence());
        ObjectNode props = o.putObject("engineProperties");
        new TreeMap<>(s.engineProperties()).forEach((k, v) -> {
            if (!k.equals("stats")) { // the multi-line statistics text: see the logs or stemedb stats
                props.put(k, v);
            }
        });
        Replication r = replication;
        if (r != null) {
            Replication.Stats rs = r.stats();
            ObjectNode rep = o.putObject("replication");
            rep.put("interval", r.interval().toString());
            rep.put("running", r.isRunning());
            if (rs.localDigest() != null) {
                rep.put("digest", HexFormat.of().formatHex(rs.localDigest().fingerprint()));
            }
            rep.put("maxLagSeconds", rs.maxLag().toNanos() / 1e9);
            ArrayNode peers = rep.putArray("peers");
            for (int i = 0; i < rs.peers().size(); i++) {
                Replication.PeerStats p = rs.peers().get(i);
                ObjectNode j = peers.addObject();
                j.put("peer", i < peerNames.size() ? peerNames.get(i) : p.peer());
                j.put("lagSeconds", p.lag().toNanos() / 1e9);
                j.put("sessions", p.sessions());
                j.put("failures", p.failures());
                j.put("consecutiveFailures", p.consecutiveFailures());
                j.put("fetched", p.fetched());
                j.put("pushed", p.pushed());
                j.put("refused", p.refused());
                j.put("rounds", p.rounds());
                j.put("exchanges", p.exchanges());
                j.put("bytesSent", p.bytesSent());
                j.put("bytesReceived", p.bytesReceived());
                if (p.lastSuccess() != null) {
                    j.put("lastSuccess", p.lastSuccess().toString());
                }
                if (p.lastSessionTime() != null) {
                    j.put("lastSessionMillis", p.lastSessionTime().toNanos() / 1e6);
                }
                if (p.lastError() != null) {
                    j.put("lastError", p.lastError());
                    j.put("lastErrorAt", String.valueOf(p.lastErrorAt()));
                }
            }
        }
        return Reply.json(200, o);
    }

    private Reply health(Request request) {
        request.allow();
        ObjectNode o = JsonCodec.object();
        o.put("status", "up");
        return Reply.json(200, o);
    }

    private Reply ready(Request request) {
        request.allow();
        String why = readiness();
        ObjectNode o = JsonCodec.object();
        o.put("status", why == null ? "ready" : "not_ready");
        if (why != null) {
            o.put("reason", why);
        }
        return Reply.json(why == null ? 200 : 503, o);
    }

    private Reply metrics(Request request) {
        request.allow();
        return new Reply(200, PROMETHEUS_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
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
            while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            http.stop(0);
            executor.shutdown();
            awaitQuietly(executor, 5);
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
