package io.stemedb.cli.serve;

import io.stemedb.cli.CliException;
import java.time.Duration;
import java.util.Objects;

/**
 * What one client can cost the pilot server. A connection is closed when it sends nothing for
 * {@code idleTimeout}, when it takes longer than {@code headerTimeout} to send a request's
 * headers, or when a body takes longer than {@code bodyTimeout} to arrive (408); at most
 * {@code maxConnections} are open at once (beyond, new ones wait in the operating system's accept
 * queue); {@code threads} run requests, and at most {@code queue} requests wait for one (beyond,
 * the connection is closed). Bodies are read without holding a thread, so a slow client costs one
 * connection, never a request thread.
 */
public record HttpLimits(int threads, int queue, int maxConnections, Duration idleTimeout, Duration headerTimeout,
        Duration bodyTimeout) {
    /** 16 threads, a queue of 256, 4,096 connections, 30 s idle, 10 s for headers, 30 s for a body. */
    public static final HttpLimits DEFAULT = new HttpLimits(16, 256, 4096, Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofSeconds(30));

    public HttpLimits {
        if (threads < 1 || threads > 1024) {
            throw new CliException("--threads must be between 1 and 1024, got " + threads);
        }
        if (queue < 1 || queue > 1 << 20) {
            throw new CliException("--queue must be between 1 and 1048576, got " + queue);
        }
        if (maxConnections < 8 || maxConnections > 1 << 20) {
            throw new CliException("--max-connections must be between 8 and 1048576, got " + maxConnections);
        }
        for (Duration d : new Duration[] {idleTimeout, headerTimeout, bodyTimeout}) {
            Objects.requireNonNull(d, "timeout");
            if (d.toMillis() < 10) {
                throw new CliException("timeouts must be at least 10ms, got " + d);
            }
        }
    }

    public HttpLimits withThreads(int n) {
        return new HttpLimits(n, queue, maxConnections, idleTimeout, headerTimeout, bodyTimeout);
    }

    public HttpLimits withTimeouts(Duration idle, Duration header, Duration body) {
        return new HttpLimits(threads, queue, maxConnections, idle, header, body);
    }

    public HttpLimits withConnections(int max, int queued) {
        return new HttpLimits(threads, queued, max, idleTimeout, headerTimeout, bodyTimeout);
    }
}
