package io.stemedb.acceptance.cluster;

import com.sun.net.httpserver.HttpServer;
import io.stemedb.Replication;
import io.stemedb.StemeDB;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.HttpSyncTransport;
import io.stemedb.merkle.SyncHttpHandler;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One replica of a loopback cluster, set up the way docs/operations.md ("From one node to three")
 * tells an application to: a database on disk, its sync responder behind {@link SyncHttpHandler}
 * at {@code /sync} on a JDK {@link HttpServer}, and {@link StemeDB#replicate} to the other nodes
 * over {@link HttpSyncTransport}, all with one shared cluster secret.
 */
final class ClusterNode implements AutoCloseable {
    static final int FRAME = SyncLimits.DEFAULT.maxFrameBytes();

    static {
        // The JDK HttpServer leaves Nagle's algorithm on unless told otherwise; with the client's
        // delayed ACKs that stalls every reply ~40 ms (docs/operations.md). Read once, when the
        // first HttpServer is created in this JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    final String name;
    final long nodeId;
    final Path directory;
    final ClusterAuth auth;
    StemeDB db;
    HttpServer server;
    ExecutorService executor;
    Replication replication;

    ClusterNode(String name, long nodeId, Path directory, ClusterAuth auth) {
        this.name = name;
        this.nodeId = nodeId;
        this.directory = directory;
        this.auth = auth;
    }

    /** Opens the database and starts serving sync on {@code port} of the loopback interface (0: any free port). */
    ClusterNode start(int port) throws IOException {
        db = StemeDB.builder().nodeId(nodeId).open(directory);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            db.close();
            throw e;
        }
        server.createContext("/sync", new SyncHttpHandler(db.syncResponder(), auth, FRAME));
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "sync-http-" + name);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port() + "/sync");
    }

    /** A transport from another node to this one. */
    SyncTransport transport(ClusterAuth clientAuth) {
        return new HttpSyncTransport(endpoint(), clientAuth, Duration.ofSeconds(5), FRAME);
    }

    /** Starts replicating with {@code peers} (their current endpoints). */
    void replicateWith(List<ClusterNode> peers, Duration interval) {
        if (replication != null) {
            replication.close();
        }
        replication = db.replicate(peers.stream().map(p -> p.transport(auth)).toList(), interval);
    }

    Set<AssertionId> ids() {
        Set<AssertionId> ids = new LinkedHashSet<>();
        long after = 0;
        while (true) {
            List<Change> page = db.changesSince(after, 10_000);
            if (page.isEmpty()) {
                return ids;
            }
            page.forEach(c -> ids.add(c.assertion().id()));
            after = page.get(page.size() - 1).sequence();
        }
    }

    /** Really stops the node: replication, then the HTTP server, then the database. */
    void stop() {
        if (replication != null) {
            replication.close();
            replication = null;
        }
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
        if (db != null) {
            db.close();
            db = null;
        }
    }

    boolean running() {
        return db != null;
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return name + (server != null ? "@" + port() : " (stopped)");
    }
}
