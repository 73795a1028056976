package io.stemedb.cli.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection that takes longer than the header timeout to send a request's headers.
 * Jetty's idle timeout alone does not bound that: a client that sends one byte of header every
 * few seconds is never idle, and would hold its connection (and, with enough of them, the
 * server's connection budget) for hours. A sweep a few times per timeout looks at every open
 * connection's byte and message counters: bytes received since its last request started or its
 * last reply was sent, with no new request started, are headers under way. Thread-safe.
 */
final class HeaderTimeout extends AbstractLifeCycle implements Connection.Listener {
    private final long timeoutNanos;
    private final Scheduler scheduler;
    private final Map<Connection, Progress> open = new ConcurrentHashMap<>();
    private volatile Scheduler.Task sweep;

    /** What a connection had done at the last sweep that saw it change. */
    private static final class Progress {
        long messagesIn;
        long messagesOut;
        long bytesAtRest;
        /** When bytes were first seen beyond {@link #bytesAtRest}, or -1. */
        long headersSince = -1;
    }

    HeaderTimeout(long timeoutMillis, Scheduler scheduler) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
        open.put(connection, new Progress());
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    @Override
    protected void doStart() {
        schedule();
    }

    @Override
    protected void doStop() {
        Scheduler.Task task = sweep;
        if (task != null) {
            task.cancel();
        }
    }

    private void schedule() {
        if (isRunning() || isStarting()) {
            sweep = scheduler.schedule(this::sweep, Math.max(5, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, p) -> {
            long in = connection.getMessagesIn();
            long out = connection.getMessagesOut();
            long bytes = connection.getBytesIn();
            if (in != p.messagesIn || out != p.messagesOut) {
                // a request started or a reply went out: what was received so far is accounted for
                p.messagesIn = in;
                p.messagesOut = out;
                p.bytesAtRest = bytes;
                p.headersSince = -1;
            } else if (in == out && bytes > p.bytesAtRest) {
                if (p.headersSince < 0) {
                    p.headersSince = now;
                } else if (now - p.headersSince > timeoutNanos) {
                    open.remove(connection);
                    connection.getEndPoint().close(); // the socket only: there is no request to answer
                }
            }
        });
        schedule();
    }
}
