package io.stemedb.cli.serve;

import io.stemedb.cli.CliException;
import io.stemedb.kafka.KafkaReplicationSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the pilot server serves and how ({@link PilotServer#start}): the options of
 * {@code stemedb serve}, each checked when the configuration is made, so that a bad one stops the
 * server before it opens anything. Immutable.
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
 * @param kafka replication through Kafka, or null for none
 */
public record ServerConfig(Path dataDir, String bind, int port, List<URI> peers, Path clusterSecretFile,
        Duration syncInterval, int maxRequestBytes, Path backupDir, Duration backupInterval, int backupKeep,
        HttpLimits http, Path apiTokensFile, ServerConfig.Tls tls, KafkaReplicationSettings kafka) {
    /** The default bound of a request body: 1 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

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

    public ServerConfig {
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
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, "127.0.0.1", 0, List.of(), null, Duration.ofSeconds(1), DEFAULT_MAX_REQUEST_BYTES,
                null, Duration.ofHours(1), 24, HttpLimits.DEFAULT, null, null, null);
    }

    public ServerConfig withPort(int newPort) {
        return edit(c -> c.port = newPort);
    }

    public ServerConfig withPeers(List<URI> newPeers, Path secretFile, Duration interval) {
        return edit(c -> {
            c.peers = newPeers;
            c.clusterSecretFile = secretFile;
            c.syncInterval = interval;
        });
    }

    public ServerConfig withMaxRequestBytes(int bytes) {
        return edit(c -> c.maxRequestBytes = bytes);
    }

    public ServerConfig withBackups(Path dir, Duration interval, int keep) {
        return edit(c -> {
            c.backupDir = dir;
            c.backupInterval = interval;
            c.backupKeep = keep;
        });
    }

    public ServerConfig withHttp(HttpLimits limits) {
        return edit(c -> c.http = limits);
    }

    /** Listening on {@code address} with the credentials of {@code tokensFile} (null: none) and {@code newTls} (null: plain HTTP). */
    public ServerConfig withListener(String address, Path tokensFile, Tls newTls) {
        return edit(c -> {
            c.bind = address;
            c.apiTokensFile = tokensFile;
            c.tls = newTls;
        });
    }

    /** Replicating through Kafka with {@code settings} (null: not). */
    public ServerConfig withKafka(KafkaReplicationSettings settings) {
        return edit(c -> c.kafka = settings);
    }

    /** This configuration with {@code change} made to a copy of its components, checked again as a whole. */
    private ServerConfig edit(Consumer<Components> change) {
        Components c = new Components(this);
        change.accept(c);
        return c.config();
    }

    /** The components of a configuration being edited: the one place a wither names them all. */
    private static final class Components {
        Path dataDir;
        String bind;
        int port;
        List<URI> peers;
        Path clusterSecretFile;
        Duration syncInterval;
        int maxRequestBytes;
        Path backupDir;
        Duration backupInterval;
        int backupKeep;
        HttpLimits http;
        Path apiTokensFile;
        Tls tls;
        KafkaReplicationSettings kafka;

        Components(ServerConfig from) {
            dataDir = from.dataDir;
            bind = from.bind;
            port = from.port;
            peers = from.peers;
            clusterSecretFile = from.clusterSecretFile;
            syncInterval = from.syncInterval;
            maxRequestBytes = from.maxRequestBytes;
            backupDir = from.backupDir;
            backupInterval = from.backupInterval;
            backupKeep = from.backupKeep;
            http = from.http;
            apiTokensFile = from.apiTokensFile;
            tls = from.tls;
            kafka = from.kafka;
        }

        ServerConfig config() {
            return new ServerConfig(dataDir, bind, port, peers, clusterSecretFile, syncInterval, maxRequestBytes, backupDir,
                    backupInterval, backupKeep, http, apiTokensFile, tls, kafka);
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
}
