package io.stemedb;

import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Hlc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous replication of one database with its peers, started by
 * {@link StemeDB#replicate(List, Duration)}: each peer gets a daemon thread that runs a Merkle
 * sync session with it
 * <ul>
 *   <li>at once when replication starts,</li>
 *   <li>every {@code interval} after the previous session (anti-entropy: whatever was missed, by
 *       either side, is found and shipped), and</li>
 *   <li>{@value #DEBOUNCE_MILLIS} ms after a local write (push), so that a burst of writes makes
 *       one session; writes during a session make one more session right after it.</li>
 * </ul>
 * A session is bidirectional, so each one also brings this replica what the peer has. A failed
 * session (peer down, timeout, refused credentials, a malformed reply) is logged at WARN, counted
 * in {@link #stats()} (with the last error) and retried after an exponential backoff, starting at
 * the smaller of the interval and 250 ms and doubling up to the larger of the interval and 30 s;
 * pushes wait for the backoff too, so a dead peer is not hammered. One peer's failures never delay
 * the others, and nothing stops a peer's thread except {@link #close()} or the database closing.
 *
 * <p><b>Lag.</b> For each peer, {@link PeerStats#lag()} is zero when every local write has been
 * covered by a successful session with that peer that started after the write (the session then
 * saw it and shipped it); otherwise it is the age of the oldest local write not yet so covered.
 * Writes merged in from other replicas do not trigger pushes: they reach the other peers through
 * their own replication or the next anti-entropy session.
 *
 * <p>Thread-safe: {@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class Replication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
    /** How long after a local write its push session starts, gathering the writes of a burst. */
    public static final long DEBOUNCE_MILLIS = 20;
    static final long NONE = Long.MIN_VALUE;
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ReplicaNode db;
    private final Duration interval;
    private final ReplicationSchedule schedule;
    private final Clock wall = Clock.systemUTC();
    private final List<ReplicationPeer> peers;
    private final List<Thread> threads = new ArrayList<>();
    private final Runnable onCommit = this::localWrite;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /**
     * What replication to one peer has done: sessions run and failed (in all, and in a row now),
     * the last error and when it happened, reconciliation rounds, request/reply exchanges, bytes
     * sent and received, assertions fetched from the peer (and stored here) and pushed to it (and
     * stored there), records refused on either side, when the last successful session ended and
     * how long it took, and the current lag (see {@link Replication}).
     */
    public record PeerStats(String peer, long sessions, long failures, int consecutiveFailures, @Nullable String lastError,
            @Nullable Instant lastErrorAt, long rounds, long exchanges, long bytesSent, long bytesReceived, long fetched,
            long stored, long pushed, long peerStored, long refused, Instant lastSuccess, Duration lastSessionTime,
            Duration lag) {}

    /**
     * The replication figures of every peer, in the order the peers were given, with the digest of
     * this replica's whole id set when the snapshot was taken (null if the database is closed).
     * Replicas that hold the same assertions have equal digests: comparing
     * {@code localDigest().fingerprint()} across nodes is how to check that a cluster converged.
     */
    public record Stats(List<PeerStats> peers, @Nullable IdDigest localDigest) {
        public Stats {
            peers = List.copyOf(peers);
        }

        /** Sessions run, successful or not, over all peers. */
        public long sessions() {
            return peers.stream().mapToLong(PeerStats::sessions).sum();
        }

        /** Sessions that failed, over all peers. */
        public long failures() {
            return peers.stream().mapToLong(PeerStats::failures).sum();
        }

        public long rounds() {
            return peers.stream().mapToLong(PeerStats::rounds).sum();
        }

        public long bytesSent() {
            return peers.stream().mapToLong(PeerStats::bytesSent).sum();
        }

        public long bytesReceived() {
            return peers.stream().mapToLong(PeerStats::bytesReceived).sum();
        }

        public long fetched() {
            return peers.stream().mapToLong(PeerStats::fetched).sum();
        }

        public long pushed() {
            return peers.stream().mapToLong(PeerStats::pushed).sum();
        }

        /** The largest lag over all peers. */
        public Duration maxLag() {
            return peers.stream().map(PeerStats::lag).max(Duration::compareTo).orElse(Duration.ZERO);
        }
    }

    Replication(ReplicaNode db, List<SyncTransport> peers, Duration interval) {
        this.db = Objects.requireNonNull(db, "db");
        Objects.requireNonNull(interval, "interval");
        this.peers = ReplicationPeer.of(Objects.requireNonNull(peers, "peers"), System.nanoTime());
        this.schedule = ReplicationSchedule.of(interval);
        this.interval = interval;
        db.addCommitListener(onCommit);
        String node = Hlc.nodeHex(db.nodeId());
        for (int i = 0; i < this.peers.size(); i++) {
            ReplicationPeer p = this.peers.get(i);
            Thread t = new Thread(() -> run(p), "stemedb-replication-" + node + "-peer-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        LOG.info("replicating node {} with {} peer(s) every {}", node, peers.size(), interval);
    }

    /** The anti-entropy interval. */
    public Duration interval() {
        return interval;
    }

    /** Called by the database after each successful local write. */
    private void localWrite() {
        long now = System.nanoTime();
        lock.lock();
        try {
            for (ReplicationPeer p : peers) {
                if (p.pushPendingSince == NONE) {
                    p.pushPendingSince = now;
                }
                if (p.unreplicatedSince == NONE) {
                    p.unreplicatedSince = now;
                }
            }
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** One peer's thread: waits until a session is due, runs it, records the outcome. */
    private void run(ReplicationPeer p) {
        lock.lock();
        try {
            while (!closed && !p.stopped) {
                if (!databaseOpen()) {
                    p.stopped = true;
                    LOG.info("the database was closed: replication with {} stops", p.name);
                    break;
                }
                long now = System.nanoTime();
                long due = p.dueNanos;
                if (p.pushPendingSince != NONE && p.consecutiveFailures == 0) {
                    due = Math.min(due, p.pushPendingSince + TimeUnit.MILLISECONDS.toNanos(DEBOUNCE_MILLIS));
                }
                if (now - due < 0) {
                    // Wake at least once a second to notice a closed database, whatever the interval.
                    wake.awaitNanos(Math.min(due - now, MAX_WAIT_NANOS));
                    continue;
                }
                runSession(p, now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("replication with {} was interrupted and stops", p.name);
        } finally {
                lock.unlock();
        }
    }

    private boolean databaseOpen() {
        return db.isOpen();
    }

    /** Runs one session with {@code p}; called and returns with {@link #lock} held. */
    private void runSession(ReplicationPeer p, long start) {
        long pendingAtStart = p.pushPendingSince;
        p.pushPendingSince = NONE;
        SyncReport report = null;
        Throwable failure = null;
        boolean dbClosed = false;
        lock.unlock();
        try {
            report = db.syncWith(p.transport);
        } catch (StemeDB.ClosedException e) {
            dbClosed = true;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failure = e;
        } finally {
            lock.lock();
        }
        long end = System.nanoTime();
        p.sessions++;
        if (dbClosed) {
            p.stopped = true;
            LOG.info("the database was closed: replication with {} stops", p.name);
            return;
        }
        if (report != null) {
            p.succeeded(report, start, end, wall.instant(), schedule.intervalNanos());
        } else {
            p.failed(failure, pendingAtStart, end, wall.instant(), schedule.backoffNanos(p.consecutiveFailures + 1));
        }
    }

    /** A snapshot of what replication did, per peer. */
    public Stats stats() {
        IdDigest digest;
        try {
            digest = db.digest();
        } catch (StemeDB.ClosedException e) {
            digest = null;
        }
        long now = System.nanoTime();
        List<PeerStats> list = new ArrayList<>(peers.size());
        lock.lock();
        try {
            for (ReplicationPeer p : peers) {
                list.add(p.stats(now));
            }
        } finally {
            lock.unlock();
        }
        return new Stats(list, digest);
    }

    /** True until {@link #close()} is called or the database closes. */
    public boolean isRunning() {
        lock.lock();
        try {
            return !closed && peers.stream().anyMatch(p -> !p.stopped);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops replicating: no new session starts, a session under way finishes (bounded by the
     * transport's timeout), and this returns when every peer's thread has ended. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        db.removeCommitListener(onCommit);
        boolean interrupted = false;
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue;
            }
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Replication[" + peers.size() + " peer(s), every " + interval + (isRunning() ? "" : ", stopped") + "]";
    }
}
