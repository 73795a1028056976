package io.stemedb.cli.serve;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.SyncHttpHandler;
import io.stemedb.model.TextInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The pilot server's HTTP front on Jetty: routes a request, authenticates it before reading its
 * body, reads the body without holding a thread (so a client that sends slowly costs a
 * connection, not a request thread) within the size limit and the body timeout, then runs the
 * route on the server's bounded thread pool and writes the reply without blocking either. The
 * sync endpoint is mounted here too, with its own HMAC authentication. Thread-safe.
 */
final class JettyFront extends Handler.Abstract {
    /** The sync frame limit plus room for framing, for the sync endpoint and the peers' transports. */
    static final int SYNC_MESSAGE_BYTES = io.stemedb.merkle.SyncLimits.DEFAULT.maxFrameBytes() + (64 << 10);

    private final Routes routes;
    private final Failures failures;
    private final ApiAuth auth;
    private final boolean readsNeedAuth;
    private final SyncHttpHandler sync;
    private final int maxRequestBytes;
    private final long bodyTimeoutMillis;
    private final MeterRegistry registry;
    private final BooleanSupplier closing;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Executor executor;

    /**
     * @param auth the credentials, or null: authentication off (only on loopback)
     * @param readsNeedAuth whether reads need a credential too (a server bound beyond loopback)
     * @param sync the sync endpoint, or null without a cluster secret
     */
    JettyFront(Routes routes, Failures failures, ApiAuth auth, boolean readsNeedAuth, SyncHttpHandler sync,
            int maxRequestBytes, HttpLimits limits, MeterRegistry registry, BooleanSupplier closing) {
        super(InvocationType.BLOCKING);
        this.routes = routes;
        this.failures = failures;
        this.auth = auth;
        this.readsNeedAuth = readsNeedAuth;
        this.sync = sync;
        this.maxRequestBytes = maxRequestBytes;
        this.bodyTimeoutMillis = limits.bodyTimeout().toMillis();
        this.registry = registry;
        this.closing = closing;
    }

    /** Requests being handled now. */
    int inFlight() {
        return inFlight.get();
    }

    @Override
    protected void doStart() throws Exception {
        executor = getServer().getThreadPool();
        super.doStart();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        String label = routes.knows(path) || (sync != null && "/sync".equals(path)) ? path : "unmatched";
        Callback done = Callback.from(callback, inFlight::decrementAndGet);
        try {
            if (sync != null && "/sync".equals(path)) {
                readBody(request, SYNC_MESSAGE_BYTES).whenComplete((body, failure) -> run(() -> {
                    Reply reply = failure != null ? bodyFailure(request, failure, SYNC_MESSAGE_BYTES, true) : sync(request, method, body);
                    send(response, done, reply, label, method, start);
                }, done));
                return true;
            }
            if (closing.getAsBoolean()) {
                throw new ApiException(503, "shutting_down", "the server is shutting down; retry on another node or after restart");
            }
            Routes.Route route = routes.find(path, method, sync == null ? "" : ", /sync");
            ApiAuth.Principal principal = authenticate(request, route.access());
            java.util.Map<String, String> query = ApiRequest.query(request.getHttpURI().getQuery());
            if (!route.hasBody()) {
                send(response, done, call(route, new ApiRequest(query, new byte[0], principal), method, path), label, method, start);
                return true;
            }
            checkBodyHeaders(request);
            readBody(request, maxRequestBytes).whenComplete((body, failure) -> run(() -> {
                Reply reply = failure != null ? bodyFailure(request, failure, maxRequestBytes, false)
                        : call(route, new ApiRequest(query, body, principal), method, path);
                send(response, done, reply, label, method, start);
            }, done));
        } catch (ApiException e) {
            send(response, done, Reply.error(e), label, method, start);
        }
        return true;
    }

    /** Runs a continuation on the server's pool, not on whichever thread completed the body read. */
    private void run(Runnable task, Callback done) {
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            // the bounded queue is full: the connection is closed, which is all a client this late can be told
            done.failed(e);
        }
    }

    private Reply call(Routes.Route route, ApiRequest request, String method, String path) {
        try {
            return route.handler().handle(request);
        } catch (ApiException e) {
            return Reply.error(e);
        } catch (IOException e) {
            return failures.failure(method, path, new java.io.UncheckedIOException(e));
        } catch (RuntimeException e) {
            return failures.failure(method, path, e);
        }
    }

    /**
     * The caller of a route that needs one: open routes need none; with authentication off there
     * is none to check (the server then listens on loopback only); writes always need one, reads
     * only beyond loopback.
     */
    private ApiAuth.Principal authenticate(Request request, Routes.Access access) {
        if (access == Routes.Access.OPEN || auth == null) {
            return null;
        }
        ApiAuth.Principal principal = auth.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION),
                certificateSubject(request));
        if (principal == null && (access == Routes.Access.WRITE || readsNeedAuth)) {
            throw ApiAuth.unauthorized(access == Routes.Access.WRITE ? "writes need a credential"
                    : "this server listens beyond loopback, so reads need a credential too");
        }
        return principal;
    }

    private static String certificateSubject(Request request) {
        if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData ssl) {
            X509Certificate[] chain = ssl.peerCertificates();
            if (chain != null && chain.length > 0) {
                return chain[0].getSubjectX500Principal().getName();
            }
        }
        return null;
    }

    private void checkBodyHeaders(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "the body must be JSON, sent with "
                    + "Content-Type: application/json; got " + TextInput.excerpt(type));
        }
        if (request.getLength() > maxRequestBytes) {
            throw tooLarge(maxRequestBytes);
        }
    }

    /** Reads the whole body without holding a thread: at most {@code max} bytes, within the body timeout. */
    private CompletableFuture<byte[]> readBody(Request request, int max) {
        if (request.getLength() > max) {
            return CompletableFuture.failedFuture(new BodyTooLarge());
        }
        return Content.Source.asByteArrayAsync(request, max).orTimeout(bodyTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** A body declared larger than the limit. */
    private static final class BodyTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge() {
            super(null, null, false, false);
        }
    }

    private Reply bodyFailure(Request request, Throwable failure, int max, boolean plain) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        ApiException e;
        if (cause instanceof TimeoutException) {
            e = new ApiException(408, "body_timeout", "the request body did not arrive within "
                    + bodyTimeoutMillis + " ms; send it at once", "Connection", "close");
        } else if (cause instanceof BodyTooLarge || Request.getContentBytesRead(request) > max) {
            e = tooLarge(max);
        } else {
            e = new ApiException(400, "invalid_body", "the request body could not be read: " + TextInput.excerpt(
                    String.valueOf(cause.getMessage())), "Connection", "close");
        }
        return plain ? new Reply(e.status(), Reply.TEXT_TYPE, (e.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                e.headers()) : Reply.error(e);
    }

    private static ApiException tooLarge(int max) {
        return new ApiException(413, "body_too_large", "the request body is over the limit of " + max
                + " bytes; send smaller batches (or start the server with a larger --max-request-bytes)", "Connection", "close");
    }

    private Reply sync(Request request, String method, byte[] body) {
        try {
            SyncHttpHandler.Reply r = sync.handle(method, request.getHeaders().get(ClusterAuth.TIME_HEADER),
                    request.getHeaders().get(ClusterAuth.SIGNATURE_HEADER), new ByteArrayInputStream(body));
            if (r.signature() == null) {
                return new Reply(r.status(), Reply.TEXT_TYPE, r.body());
            }
            return new Reply(r.status(), SyncHttpHandler.CONTENT_TYPE, r.body(), ClusterAuth.TIME_HEADER, r.time(),
                    ClusterAuth.SIGNATURE_HEADER, r.signature());
        } catch (IOException e) {
            return failures.syncFailure(new java.io.UncheckedIOException(e));
        } catch (RuntimeException e) {
            return failures.syncFailure(e);
        }
    }

    private void send(Response response, Callback done, Reply reply, String label, String method, long start) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        String[] headers = reply.headers();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            response.getHeaders().put(headers[i], headers[i + 1]);
        }
        Timer.builder("stemedb.http.requests").description("HTTP requests of the pilot server, by route, method and status")
                .tag("route", label).tag("method", methodTag(method)).tag("status", Integer.toString(reply.status()))
                .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        response.write(true, ByteBuffer.wrap(reply.body()), done);
    }

    /**
     * The reply to what Jetty refuses before a route sees it (a request line or headers over its
     * bounds, a malformed request): the API's JSON error, without Jetty's page and exception names.
     */
    static boolean jettyError(Request request, Response response, Callback callback) {
        int status = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_STATUS) instanceof Integer s
                ? s : response.getStatus();
        String reason = org.eclipse.jetty.http.HttpStatus.getMessage(status);
        Reply reply = Reply.error(new ApiException(status, "http_error", reason + " (refused by the HTTP server before any "
                + "route: see docs/operations.md, \"Limits\")"));
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
        return true;
    }

    private static String methodTag(String method) {
        return switch (method) {
            case "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS" -> method;
            default -> "other";
        };
    }
}
