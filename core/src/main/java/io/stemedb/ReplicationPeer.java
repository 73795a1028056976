package io.stemedb;

import static io.stemedb.Replication.NONE;

import io.stemedb.merkle.SyncReplica;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer of a {@link Replication}: its schedule and counters. Not thread-safe: every field is
 * guarded by the owning {@link Replication}'s {@code lock}, held by every caller.
 */
final class ReplicationPeer {
    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);

    final String name;
    final SyncTransport transport;
    long dueNanos;
    /** When the first local write not yet seen by a session that started after it happened, or NONE. */
    long pushPendingSince = NONE;
    /** When the oldest local write not yet covered by a successful session happened, or NONE. */
    long unreplicatedSince = NONE;
    boolean stopped;
    long sessions;
    int consecutiveFailures;
    private long failures;
    private @Nullable String lastError;
    private @Nullable Instant lastErrorAt;
    private long rounds;
    private long exchanges;
    private long bytesSent;
    private long bytesReceived;
    private long fetched;
    private long stored;
    private long pushed;
    private long peerStored;
    private long refused;
    private @Nullable Instant lastSuccess;
    private @Nullable Duration lastSessionTime;

    ReplicationPeer(String name, SyncTransport transport, long dueNanos) {
        this.name = name;
        this.transport = transport;
        this.dueNanos = dueNanos;
    }

    /** The peers of a replication, named by their position, each due at {@code now}. */
    static List<ReplicationPeer> of(List<SyncTransport> transports, long now) {
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("replicate needs at least one peer to replicate with, got none");
        }
        List<ReplicationPeer> peers = new ArrayList<>();
        for (int i = 0; i < transports.size(); i++) {
            SyncTransport t = transports.get(i);
            if (t == null) {
                throw new IllegalArgumentException("peer " + i + " is null; give a SyncTransport for every peer");
            }
            peers.add(new ReplicationPeer("peer " + i + " (" + t + ")", t, now));
        }
        return List.copyOf(peers);
    }

    /** Records a session that ran from {@code start} to {@code end} (nanoTime) and returned {@code report}. */
    void succeeded(SyncReport report, long start, long end, Instant now, long intervalNanos) {
        rounds += report.reconcileRounds();
        exchanges += report.exchanges();
        bytesSent += report.bytesSent();
        bytesReceived += report.bytesReceived();
        fetched += report.fetched();
        stored += report.stored();
        pushed += report.pushed();
        peerStored += report.peerStored();
        int refusedNow = report.refusedHere().size() + report.refusedByPeer().size();
        refused += refusedNow;
        if (refusedNow > 0) {
            SyncReplica.Refused first = report.refusedHere().isEmpty() ? report.refusedByPeer().get(0)
                    : report.refusedHere().get(0);
            LOG.warn("sync with {}: {} record(s) refused here and {} by the peer, for example {}: {}", name,
                    report.refusedHere().size(), report.refusedByPeer().size(), first.id(), first.reason());
        }
        if (consecutiveFailures > 0) {
            LOG.info("sync with {} works again after {} failure(s)", name, consecutiveFailures);
        }
        consecutiveFailures = 0;
        lastSuccess = now;
        lastSessionTime = Duration.ofNanos(end - start);
        // Every write before the start was seen and shipped; writes since are pending again.
        unreplicatedSince = pushPendingSince;
        dueNanos = end + intervalNanos;
    }

    /**
     * Records a session that failed with {@code failure} at {@code end}; the pushes pending at its
     * start ({@code pendingAtStart}) are pending again, and the next session is due after {@code backoff}.
     */
    void failed(Throwable failure, long pendingAtStart, long end, Instant now, long backoff) {
        failures++;
        consecutiveFailures++;
        lastError = failure.toString();
        lastErrorAt = now;
        if (pendingAtStart != NONE && (pushPendingSince == NONE || pendingAtStart - pushPendingSince < 0)) {
            pushPendingSince = pendingAtStart;
        }
        dueNanos = end + backoff;
        String retry = Duration.ofNanos(backoff).toMillis() + " ms";
        if (consecutiveFailures == 1) {
            LOG.warn("sync with {} failed; retrying in {}", name, retry, failure);
        } else {
            LOG.warn("sync with {} failed again ({} in a row), retrying in {}: {}", name, consecutiveFailures,
                    retry, failure.toString());
        }
    }

    /** The peer's figures at {@code now} (nanoTime). */
    Replication.PeerStats stats(long now) {
        Duration lag = unreplicatedSince == NONE ? Duration.ZERO : Duration.ofNanos(Math.max(0, now - unreplicatedSince));
        return new Replication.PeerStats(name, sessions, failures, consecutiveFailures, lastError, lastErrorAt,
                rounds, exchanges, bytesSent, bytesReceived, fetched, stored, pushed, peerStored,
                refused, lastSuccess, lastSessionTime, lag);
    }
}
