package io.stemedb.merkle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Sync over HTTP with the JDK's {@link HttpClient}: each request is a signed POST of one message to
 * the peer's sync endpoint (for example {@code http://10.0.0.2:7070/sync}, as mounted by
 * {@link SyncHttpHandler}), and each reply must be signed by the cluster too. Thread-safe.
 */
public final class HttpSyncTransport implements SyncTransport {
    private final URI endpoint;
    private final ClusterAuth auth;
    private final Duration timeout;
    private final int maxReplyBytes;
    private final HttpClient client;

    /**
     * A transport to {@code endpoint}, signing with {@code auth}; each exchange must finish within
     * {@code timeout}, and a reply larger than {@code maxReplyBytes} is refused.
     */
    public HttpSyncTransport(URI endpoint, ClusterAuth auth, Duration timeout, int maxReplyBytes) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.auth = Objects.requireNonNull(auth, "auth");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (maxReplyBytes < 1 || maxReplyBytes == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxReplyBytes must be between 1 and " + (Integer.MAX_VALUE - 1)
                    + " (at least the responder's frame limit, SyncLimits.maxFrameBytes()), got " + maxReplyBytes);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.maxReplyBytes = maxReplyBytes;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public byte[] exchange(byte[] request) {
        String time = auth.now();
        HttpRequest http = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", SyncHttpHandler.CONTENT_TYPE)
                .header(ClusterAuth.TIME_HEADER, time)
                .header(ClusterAuth.SIGNATURE_HEADER, auth.sign(false, time, request))
                .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                .build();
        HttpResponse<java.io.InputStream> response;
        byte[] body;
        try {
            response = client.send(http, HttpResponse.BodyHandlers.ofInputStream());
            // Read at most one byte over the limit, so that an oversized reply costs no more memory than the limit.
            try (java.io.InputStream in = response.body()) {
                body = in.readNBytes(maxReplyBytes + 1);
            }
        } catch (IOException e) {
            throw new SyncException.PeerFailed("cannot reach the peer at " + endpoint + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException.PeerFailed("interrupted while waiting for the peer at " + endpoint, e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new SyncException.Unauthorized("the peer at " + endpoint + " refused our credentials: "
                    + new String(body, java.nio.charset.StandardCharsets.UTF_8).trim()
                    + "; check that both replicas have the same cluster secret and clocks within "
                    + ClusterAuth.MAX_SKEW.toMinutes() + " minutes");
        }
        if (response.statusCode() != 200) {
            throw new SyncException.PeerFailed("the peer at " + endpoint + " answered HTTP " + response.statusCode()
                    + ": " + new String(body, java.nio.charset.StandardCharsets.UTF_8).trim(), null);
        }
        if (body.length > maxReplyBytes) {
            throw new SyncException.PeerFailed("the peer at " + endpoint + " sent a reply of more than "
                    + maxReplyBytes + " bytes, over the limit", null);
        }
        auth.verify(true, response.headers().firstValue(ClusterAuth.TIME_HEADER).orElse(null),
                response.headers().firstValue(ClusterAuth.SIGNATURE_HEADER).orElse(null), body);
        return body;
    }

    @Override
    public String toString() {
        return "HttpSyncTransport[" + endpoint + "]";
    }
}
