package io.stemedb.merkle;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The sync endpoint over HTTP: checks the request's signature, size and method, then lets a
 * {@link SyncResponder} answer and signs the reply. {@link #handle(String, String, String, InputStream)}
 * is the server-neutral core that any HTTP server can call; this class also mounts directly on the
 * JDK's {@code com.sun.net.httpserver.HttpServer}. A request without valid credentials gets 401
 * and changes nothing; an oversized one 413; a malformed one a signed error reply. Thread-safe.
 */
public final class SyncHttpHandler implements HttpHandler {
    /** The media type of sync messages. */
    public static final String CONTENT_TYPE = "application/x-stemedb-sync";

    private final SyncResponder responder;
    private final ClusterAuth auth;
    private final int maxRequestBytes;

    /** What to send back: a status, the reply body, and the signature headers (null when unsigned). */
    public record Reply(int status, byte[] body, @Nullable String time, @Nullable String signature) {}

    public SyncHttpHandler(SyncResponder responder, ClusterAuth auth, int maxRequestBytes) {
        this.responder = Objects.requireNonNull(responder, "responder");
        this.auth = Objects.requireNonNull(auth, "auth");
        if (maxRequestBytes < 1 || maxRequestBytes == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxRequestBytes must be between 1 and " + (Integer.MAX_VALUE - 1)
                    + " (at least the peers' frame limit, SyncLimits.maxFrameBytes()), got " + maxRequestBytes);
        }
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * Answers one request given its method, signature headers and body. Reads at most
     * {@code maxRequestBytes + 1} bytes of the body.
     */
    public Reply handle(String method, String time, String signature, InputStream body) throws IOException {
        if (!"POST".equals(method)) {
            return plain(405, "sync requests are POSTs");
        }
        byte[] request = body.readNBytes(maxRequestBytes + 1);
        if (request.length > maxRequestBytes) {
            return plain(413, "the request is over the limit of " + maxRequestBytes + " bytes");
        }
        try {
            auth.verify(false, time, signature, request);
        } catch (SyncException.Unauthorized e) {
            return plain(401, e.getMessage());
        }
        byte[] reply = responder.respond(request);
        String replyTime = auth.now();
        return new Reply(200, reply, replyTime, auth.sign(true, replyTime, reply));
    }

    private static Reply plain(int status, String message) {
        return new Reply(status, (message + "\n").getBytes(StandardCharsets.UTF_8), null, null);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Reply reply = handle(exchange.getRequestMethod(),
                    exchange.getRequestHeaders().getFirst(ClusterAuth.TIME_HEADER),
                    exchange.getRequestHeaders().getFirst(ClusterAuth.SIGNATURE_HEADER),
                    exchange.getRequestBody());
            if (reply.signature() != null) {
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                exchange.getResponseHeaders().set(ClusterAuth.TIME_HEADER, reply.time());
                exchange.getResponseHeaders().set(ClusterAuth.SIGNATURE_HEADER, reply.signature());
            } else {
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            }
            exchange.sendResponseHeaders(reply.status(), reply.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }
}
