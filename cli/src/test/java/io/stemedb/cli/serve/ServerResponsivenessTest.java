package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pilot server stays responsive under clients that hold connections: 1,000 idle connections,
 * then 200 slow clients (100 sending their headers a byte at a time, 100 their bodies), do not
 * stop {@code GET /health} from answering within 1 s. Real sockets to a real server on loopback.
 * This is the one wall-clock bound of the test suite, the issue's own: generous for a loaded
 * 2-core machine (the figures measured are in docs/operations.md, "Limits"). The timeouts that
 * make a slow client cost one connection for a bounded time are checked with short settings.
 */
class ServerResponsivenessTest {
    /** The responsiveness bound the issue asks for. */
    static final Duration BOUND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private PilotServer server;
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a socket the server already closed: nothing to do
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private PilotServer start(HttpLimits limits) {
        server = PilotServer.start(ServerConfig.defaults(dir.resolve("db")).withHttp(limits),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return server;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        return s;
    }

    /** One GET /health on a new connection: how long until the whole reply arrived. */
    private long healthNanos() throws IOException {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.1 200") && reply.contains("\"up\""), reply);
        }
        return System.nanoTime() - start;
    }

    /** Probes /health {@code n} times, a little apart; returns the latencies in milliseconds, sorted. */
    private List<Double> probe(int n) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            millis.add(healthNanos() / 1e6);
            Thread.sleep(50);
        }
        Collections.sort(millis);
        return millis;
    }

    private static void assertWithinBound(List<Double> millis, String under) {
        double max = millis.get(millis.size() - 1);
        System.out.printf("/health under %s: median %.1f ms, max %.1f ms over %d probes%n", under,
                millis.get(millis.size() / 2), max, millis.size());
        assertTrue(max < BOUND.toMillis(), "/health took " + max + " ms under " + under + ": " + millis);
    }

    @Test
    void healthAnswersWithinASecondWithAThousandIdleConnectionsAndTwoHundredSlowClients() throws Exception {
        start(HttpLimits.DEFAULT);
        for (int i = 0; i < 1_000; i++) {
            connect(); // and send nothing
        }
        Thread.sleep(300); // let the server accept them all
        assertWithinBound(probe(20), "1,000 idle connections");

        ScheduledExecutorService trickle = Executors.newScheduledThreadPool(2);
        try {
            List<Socket> slowHeaders = new ArrayList<>();
            List<Socket> slowBodies = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Socket h = connect();
                h.getOutputStream().write("POST /v1/claims HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                slowHeaders.add(h);
                Socket b = connect();
                b.getOutputStream().write(("POST /v1/claims HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
                slowBodies.add(b);
            }
            // a byte of header and a byte of body, to each of them, every 100 ms
            trickle.scheduleAtFixedRate(() -> {
                for (Socket s : slowHeaders) {
                    send(s, "X");
                }
                for (Socket s : slowBodies) {
                    send(s, " ");
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
            Thread.sleep(500);
            assertWithinBound(probe(40), "1,000 idle connections and 200 slow clients");
        } finally {
            trickle.shutdownNow();
        }
    }

    private static void send(Socket s, String text) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the server closed it (a timeout): that client is done
        }
    }

    /** Reads until the server closes the connection or {@code wait} passes; returns what it sent, or null if it did not close. */
    private static String readUntilClosed(Socket s, Duration wait) throws IOException {
        s.setSoTimeout((int) wait.toMillis());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        try {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                got.write(buffer, 0, n);
            }
            return got.toString(StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return got.toString(StandardCharsets.UTF_8); // reset by the server: closed too
        }
    }

    @Test
    void theTimeoutsCloseIdleSlowHeaderAndSlowBodyConnections() throws Exception {
        start(HttpLimits.DEFAULT.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(3)));
        Socket idle = connect();
        Socket slowHeader = connect();
        slowHeader.getOutputStream().write("GET /health HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
        Socket slowBody = connect();
        slowBody.getOutputStream().write(("POST /v1/claims HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            // never idle: a byte every 300 ms, so only the header and body timeouts can end them
            trickle.scheduleAtFixedRate(() -> {
                send(slowHeader, "s");
                send(slowBody, " ");
            }, 300, 300, TimeUnit.MILLISECONDS);
            assertEquals("", readUntilClosed(slowHeader, Duration.ofSeconds(10)), "the slow header is cut off, unanswered");
            double headerSeconds = (System.nanoTime() - start) / 1e9;
            assertTrue(headerSeconds < 5, "closed after " + headerSeconds + " s");
            String reply = readUntilClosed(slowBody, Duration.ofSeconds(10));
            double bodySeconds = (System.nanoTime() - start) / 1e9;
            assertTrue(reply != null && reply.startsWith("HTTP/1.1 408") && reply.contains("body_timeout"), reply);
            assertTrue(bodySeconds >= 2.5 && bodySeconds < 8, "the slow body got its 408 after " + bodySeconds
                    + " s: the body timeout (3 s), not the header timeout, applies once the headers are in");
            assertEquals("", readUntilClosed(idle, Duration.ofSeconds(10)), "the idle connection is closed");
        } finally {
            trickle.shutdownNow();
        }
        // and the server serves on
        assertTrue(healthNanos() < BOUND.toNanos());
    }

    @Test
    void connectionsBeyondTheLimitWaitAndAreServedWhenOthersClose() throws Exception {
        start(HttpLimits.DEFAULT.withConnections(20, 256));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            held.add(connect());
        }
        Thread.sleep(300);
        // the 21st is not accepted while 20 are open: a /health on it gets no answer yet
        Socket waiting = connect();
        waiting.getOutputStream().write("GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(null, readUntilClosed(waiting, Duration.ofMillis(800)), "answered beyond the connection limit");
        held.get(0).close();
        String reply = readUntilClosed(waiting, Duration.ofSeconds(10));
        assertTrue(reply != null && reply.startsWith("HTTP/1.1 200"), "served once a connection closed: " + reply);
    }
}
