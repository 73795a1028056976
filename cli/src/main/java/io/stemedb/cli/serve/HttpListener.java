package io.stemedb.cli.serve;

import io.stemedb.cli.CliException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.ThreadFactory;
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
 * The Jetty server under the pilot server: a bounded thread pool and queue, one connector (plain
 * or TLS, optionally mutual) with the idle and header timeouts and a bound on connections, and
 * {@link JettyFront} as its handler. Configured per instance: nothing JVM-wide. Thread-safe.
 */
final class HttpListener {
    private final Server http;
    private final ServerConnector connector;

    HttpListener(ServerConfig config, JettyFront front) {
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

    private static SslContextFactory.Server tls(ServerConfig.Tls tls) {
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

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts listening. */
    void start() throws Exception {
        http.start();
    }

    /** The port listened on: the one asked for, or the one the system picked for port 0. */
    int port() {
        return connector.getLocalPort();
    }

    /** Stops listening; what stopping reports is logged, as the server is going away anyway. */
    void stop(PrintStream log) {
        try {
            http.stop();
        } catch (Exception e) {
            log.println(Instant.now() + " stopping the HTTP server reported: " + e);
        }
    }
}
