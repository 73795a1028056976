package io.stemedb.cli.serve;

import io.stemedb.cli.CliException;
import io.stemedb.kafka.KafkaReplicationSettings;
import io.stemedb.model.StemeException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine;

/**
 * {@code stemedb serve}: the pilot server ({@link PilotServer}) in this process, until SIGTERM or
 * Ctrl-C, which stop it gracefully (the server stops taking requests and finishes those under way,
 * replication and backups stop, the database closes). Prints one line on start:
 * {@code stemedb serve: listening on http://127.0.0.1:7070 (...)}.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serves a database over HTTP: a JSON API, Prometheus /metrics, health and readiness checks, and, with "
                    + "--peer and --cluster-secret-file, continuous replication with other servers.",
            "Stops gracefully on SIGTERM or Ctrl-C. See docs/operations.md, \"The pilot server\".",
        },
        footer = {
            "",
            "Limits: --threads, --queue, --max-connections, --idle-timeout, --header-timeout, --body-timeout, "
                    + "--max-request-bytes. Authentication: --api-tokens-file, --tls-*. See docs/operations.md.",
            "",
            "Endpoints: POST /v1/claims, POST /v1/retractions, GET /v1/resolve, /v1/entity, /v1/history, /v1/find, "
                    + "/v1/conflicts, /v1/subjects, /v1/sources, /v1/assertion, /v1/stats, /health, /ready, /metrics, "
                    + "/openapi.json (the contract: docs/openapi.json); POST /sync with a cluster secret.",
            "",
            "Example, three nodes (each with the other two as peers):",
            "  openssl rand -hex 32 > cluster.secret && chmod 600 cluster.secret",
            "  stemedb serve --data-dir n1 --port 7071 --cluster-secret-file cluster.secret \\",
            "      --peer http://127.0.0.1:7072 --peer http://127.0.0.1:7073",
        })
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "stemedb-data",
            description = "The database directory, created if missing (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only). Any other address "
                    + "needs --api-tokens-file: every write, and every read, then needs a credential.")
    String bind;

    @Option(names = "--api-tokens-file", paramLabel = "FILE",
            description = "The API credentials, one per line: 'token SECRET sources=hr,crm retract=yes' (sent as "
                    + "Authorization: Bearer SECRET) or 'cert SUBJECT sources=* retract=no' (with --tls-client-ca). "
                    + "Writes then need one that covers their sources; beyond loopback, reads need one too.")
    Path apiTokensFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with this key store (PKCS#12 or JKS); its password is in --tls-password-file.")
    Path tlsKeyStore;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
            description = "The file holding the password of --tls-keystore (and of --tls-client-ca).")
    Path tlsPasswordFile;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "Mutual TLS: clients must present a certificate issued by one in this trust store; the "
                    + "tokens file's 'cert' lines say what each subject may do.")
    Path tlsClientCa;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "4096",
            description = "The most connections open at once (default: ${DEFAULT-VALUE}); more wait to be accepted.")
    int maxConnections;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "256",
            description = "The most requests waiting for a thread (default: ${DEFAULT-VALUE}); beyond, connections are closed.")
    int queue;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Close a connection that sends nothing for this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Close a connection whose request headers take longer than this (default: ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(names = "--body-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Answer 408 to a request whose body takes longer than this (default: ${DEFAULT-VALUE}).")
    Duration bodyTimeout;

    @Option(names = "--port", defaultValue = "7070",
            description = "The port to listen on (default: ${DEFAULT-VALUE}); 0 picks a free one, printed on start.")
    int port;

    @Option(names = "--peer", paramLabel = "URL",
            description = "Another replica's base URL, for example http://10.0.0.2:7070 (repeat for each peer); "
                    + "needs --cluster-secret-file.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--cluster-secret-file", paramLabel = "FILE",
            description = "The cluster's shared secret (at least 16 bytes; openssl rand -hex 32). Enables POST /sync and "
                    + "authenticates replication with the peers.")
    Path clusterSecretFile;

    @Option(names = "--sync-interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "How often to run an anti-entropy sync session with each peer (default: ${DEFAULT-VALUE}); "
                    + "local writes are also pushed within about 20 ms. Forms: 250ms, 1s, 5m, 1h, or PT1S.")
    Duration syncInterval;

    @Option(names = "--max-request-bytes", paramLabel = "BYTES", defaultValue = "1048576",
            description = "The largest request body accepted, in bytes (default: ${DEFAULT-VALUE}, 1 MiB); larger ones get 413.")
    int maxRequestBytes;

    @Option(names = "--backup-dir", paramLabel = "DIR",
            description = "Take online, incremental backups into DIR: one at start, then every --backup-interval.")
    Path backupDir;

    @Option(names = "--backup-interval", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class,
            description = "How often to back up with --backup-dir (default: ${DEFAULT-VALUE}).")
    Duration backupInterval;

    @Option(names = "--backup-keep", paramLabel = "N", defaultValue = "24",
            description = "How many backups to keep in --backup-dir (default: ${DEFAULT-VALUE}).")
    int backupKeep;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "16",
            description = "Request handler threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
            description = "Replicate through Apache Kafka: publish this node's writes to --kafka-topic and merge what "
                    + "every node publishes (docs/operations.md, \"Enterprise cluster\").")
    String kafkaBootstrap;

    @Option(names = "--kafka-topic", paramLabel = "NAME", defaultValue = "stemedb",
            description = "The Kafka topic of the cluster (default: ${DEFAULT-VALUE}).")
    String kafkaTopic;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property, passed through (TLS: security.protocol=SSL, ssl.truststore.location=...; "
                    + "SASL: sasl.mechanism=..., sasl.jaas.config=...). Repeat for each.")
    java.util.Map<String, String> kafkaProperties = new java.util.LinkedHashMap<>();

    @Option(names = "--kafka-create-topic", paramLabel = "PARTITIONS",
            description = "Create the topic with this many partitions if it does not exist (default: it must exist).")
    Integer kafkaCreatePartitions;

    @Option(names = "--kafka-replication-factor", paramLabel = "N", defaultValue = "3",
            description = "The replication factor of a topic created by --kafka-create-topic (default: ${DEFAULT-VALUE}).")
    int kafkaReplicationFactor;

    @Option(names = "--kafka-topic-config", paramLabel = "KEY=VALUE",
            description = "A configuration of a topic created by --kafka-create-topic, e.g. min.insync.replicas=2 or "
                    + "retention.ms=604800000. Repeat for each.")
    java.util.Map<String, String> kafkaTopicConfig = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = config();
        PilotServer server;
        try {
            server = PilotServer.start(config, new PrintStream(System.err, true, java.nio.charset.StandardCharsets.UTF_8));
        } catch (CliException | StemeException e) {
            err.println("stemedb serve: " + e.getMessage());
            err.flush();
            return 1;
        }
        Thread hook = new Thread(() -> {
            server.close();
            System.err.println("stemedb serve: stopped; the database is closed");
        }, "stemedb-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println(server.startLine());
        out.flush();
        server.awaitStop();
        return 0;
    }

    private ServerConfig config() {
        if (!peers.isEmpty() && clusterSecretFile == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--peer needs --cluster-secret-file: replicas "
                    + "authenticate each other with the cluster's shared secret (create one with: openssl rand -hex 32 > cluster.secret)");
        }
        List<URI> peerUris = new ArrayList<>();
        for (String p : peers) {
            peerUris.add(peerUri(p));
        }
        try {
            if ((tlsKeyStore == null) != (tlsPasswordFile == null) || (tlsClientCa != null && tlsKeyStore == null)) {
                throw new CliException("HTTPS needs both --tls-keystore and --tls-password-file (and --tls-client-ca "
                        + "needs them too)");
            }
            ServerConfig.Tls tls = tlsKeyStore == null ? null : new ServerConfig.Tls(tlsKeyStore, tlsPasswordFile, tlsClientCa);
            HttpLimits http = new HttpLimits(threads, queue, maxConnections, idleTimeout, headerTimeout, bodyTimeout);
            return new ServerConfig(dataDir, bind, port, peerUris, clusterSecretFile, syncInterval, maxRequestBytes,
                    backupDir, backupInterval, backupKeep, http, apiTokensFile, tls, kafka());
        } catch (CliException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The Kafka replication the options ask for, or null; a bad combination throws IllegalArgumentException. */
    private KafkaReplicationSettings kafka() {
        if (kafkaBootstrap == null) {
            if (!kafkaProperties.isEmpty() || kafkaCreatePartitions != null || !kafkaTopicConfig.isEmpty()) {
                throw new IllegalArgumentException("--kafka-property, --kafka-create-topic and --kafka-topic-config need "
                        + "--kafka-bootstrap (the brokers to connect to)");
            }
            return null;
        }
        KafkaReplicationSettings.Builder b = KafkaReplicationSettings.builder().bootstrapServers(kafkaBootstrap)
                .topic(kafkaTopic).properties(kafkaProperties);
        if (kafkaCreatePartitions != null) {
            b.createTopic(kafkaCreatePartitions, kafkaReplicationFactor, kafkaTopicConfig);
        } else if (!kafkaTopicConfig.isEmpty()) {
            throw new IllegalArgumentException("--kafka-topic-config applies to a topic created by --kafka-create-topic");
        }
        return b.build();
    }

    private URI peerUri(String text) {
        try {
            URI uri = new URI(text.strip());
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new URISyntaxException(text, "give http://HOST:PORT");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--peer '" + text
                    + "' is not a peer URL; give the peer's base URL, for example http://10.0.0.2:7070");
        }
    }

    /** A duration: {@code 250ms}, {@code 1s}, {@code 5m}, {@code 1h}, {@code 2d}, or ISO-8601 ({@code PT1S}). */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

        @Override
        public Duration convert(String value) {
            return parse(value);
        }

        static Duration parse(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            Matcher m = SIMPLE.matcher(v);
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms":
                        d = Duration.ofMillis(n);
                        break;
                    case "s":
                        d = Duration.ofSeconds(n);
                        break;
                    case "m":
                        d = Duration.ofMinutes(n);
                        break;
                    case "h":
                        d = Duration.ofHours(n);
                        break;
                    default:
                        d = Duration.ofDays(n);
                        break;
                }
            } else {
                try {
                    d = Duration.parse(value.strip());
                } catch (DateTimeParseException e) {
                    throw new TypeConversionException("'" + value + "' is not a duration; write 250ms, 1s, 5m, 1h, 2d or PT1S");
                }
            }
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException("'" + value + "' must be a positive duration");
            }
            return d;
        }
    }
}
