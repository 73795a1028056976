package io.stemedb;

import io.stemedb.crdt.IdDigest;
import io.stemedb.merkle.SyncReplica;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Hlc;
import io.stemedb.storage.Engine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
    private static final long NONE = Long.MIN_VALUE;
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EngineDatabase db;
    private final Duration interval;
    private final long intervalNanos;
    private final long firstRetryNanos;
    private final long maxBackoffNanos;
    private final Clock wall = Clock.systemUTC();
    private final List<Peer> peers;
    private final List<Thread> threads = new ArrayList<>();
    private final Runnable onCommit = this::localWrite;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /** One peer's schedule and counters, all guarded by {@link #lock}. */
    private static final class Peer {
        final String name;
        final SyncTransport transport;
        long dueNanos;
        /** When the first local write not yet seen by a session that started after it happened, or NONE. */
        long pushPendingSince = NONE;
        /** When the oldest local write not yet covered by a successful session happened, or NONE. */
        long unreplicatedSince = NONE;
        boolean stopped;
        long sessions;
        long failures;
        int consecutiveFailures;
        String lastError;
        Instant lastErrorAt;
        long rounds;
        long exchanges;
        long bytesSent;
        long bytesReceived;
        long fetched;
        long stored;
        long pushed;
        long peerStored;
        long refused;
        Instant lastSuccess;
        Duration lastSessionTime;

        Peer(String name, SyncTransport transport, long dueNanos) {
            this.name = name;
            this.transport = transport;
            this.dueNanos = dueNanos;
        }
    }

    /**
     * What replication to one peer has done: sessions run and failed (in all, and in a row now),
     * the last error and when it happened, reconciliation rounds, request/reply exchanges, bytes
     * sent and received, assertions fetched from the peer (and stored here) and pushed to it (and
     * stored there), records refused on either side, when the last successful session ended and
     * how long it took, and the current lag (see {@link Replication}).
     */
    public record PeerStats(String peer, long sessions, long failures, int consecutiveFailures, String lastError,
            Instant lastErrorAt, long rounds, long exchanges, long bytesSent, long bytesReceived, long fetched,
            long stored, long pushed, long peerStored, long refused, Instant lastSuccess, Duration lastSessionTime,
            Duration lag) {}

    /**
     * The replication figures of every peer, in the order the peers were given, with the digest of
     * this replica's whole id set when the snapshot was taken (null if the database is closed).
     * Replicas that hold the same assertions have equal digests: comparing
     * {@code localDigest().fingerprint()} across nodes is how to check that a cluster converged.
     */
    public record Stats(List<PeerStats> peers, IdDigest localDigest) {
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

    Replication(EngineDatabase db, List<SyncTransport> peers, Duration interval) {
        this.db = Objects.requireNonNull(db, "db");
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(interval, "interval");
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("replicate needs at least one peer to replicate with, got none");
        }
        for (int i = 0; i < peers.size(); i++) {
            if (peers.get(i) == null) {
                throw new IllegalArgumentException("peer " + i + " is null; give a SyncTransport for every peer");
            }
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the replication interval must be positive, got " + interval);
        }
        this.interval = interval;
        this.intervalNanos = saturatedNanos(interval);
        this.firstRetryNanos = Math.min(intervalNanos, TimeUnit.MILLISECONDS.toNanos(250));
        this.maxBackoffNanos = Math.max(intervalNanos, TimeUnit.SECONDS.toNanos(30));
        long now = System.nanoTime();
        List<Peer> list = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            list.add(new Peer("peer " + i + " (" + peers.get(i) + ")", peers.get(i), now));
        }
        this.peers = List.copyOf(list);
        db.addCommitListener(onCommit);
        String node = Hlc.nodeHex(db.nodeId());
        for (int i = 0; i < this.peers.size(); i++) {
            Peer p = this.peers.get(i);
            Thread t = new Thread(() -> run(p), "stemedb-replication-" + node + "-peer-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        LOG.info("replicating node {} with {} peer(s) every {}", node, peers.size(), interval);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
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
            for (Peer p : peers) {
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
    private void run(Peer p) {
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
        try {
            db.checkOpen();
            return true;
        } catch (StemeDB.ClosedException e) {
            return false;
        }
    }

    /** Runs one session with {@code p}; called and returns with {@link #lock} held. */
    private void runSession(Peer p, long start) {
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
            p.rounds += report.reconcileRounds();
            p.exchanges += report.exchanges();
            p.bytesSent += report.bytesSent();
            p.bytesReceived += report.bytesReceived();
            p.fetched += report.fetched();
            p.stored += report.stored();
            p.pushed += report.pushed();
            p.peerStored += report.peerStored();
            int refused = report.refusedHere().size() + report.refusedByPeer().size();
            p.refused += refused;
            if (refused > 0) {
                SyncReplica.Refused first = report.refusedHere().isEmpty() ? report.refusedByPeer().get(0)
                        : report.refusedHere().get(0);
                LOG.warn("sync with {}: {} record(s) refused here and {} by the peer, for example {}: {}", p.name,
                        report.refusedHere().size(), report.refusedByPeer().size(), first.id(), first.reason());
            }
            if (p.consecutiveFailures > 0) {
                LOG.info("sync with {} works again after {} failure(s)", p.name, p.consecutiveFailures);
            }
            p.consecutiveFailures = 0;
            p.lastSuccess = wall.instant();
            p.lastSessionTime = Duration.ofNanos(end - start);
            // Every write before the start was seen and shipped; writes since are pending again.
            p.unreplicatedSince = p.pushPendingSince;
            p.dueNanos = end + intervalNanos;
        } else {
            p.failures++;
            p.consecutiveFailures++;
            p.lastError = failure.toString();
            p.lastErrorAt = wall.instant();
            if (pendingAtStart != NONE && (p.pushPendingSince == NONE || pendingAtStart - p.pushPendingSince < 0)) {
                p.pushPendingSince = pendingAtStart;
            }
            long backoff = backoffNanos(p.consecutiveFailures);
            p.dueNanos = end + backoff;
            String retry = Duration.ofNanos(backoff).toMillis() + " ms";
            if (p.consecutiveFailures == 1) {
                LOG.warn("sync with {} failed; retrying in {}", p.name, retry, failure);
            } else {
                LOG.warn("sync with {} failed again ({} in a row), retrying in {}: {}", p.name, p.consecutiveFailures,
                        retry, failure.toString());
            }
        }
    }

    private long backoffNanos(int failures) {
        long delay = firstRetryNanos;
        for (int i = 1; i < failures && delay < maxBackoffNanos; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxBackoffNanos);
    }

    /** A snapshot of what replication did, per peer. */
    public Stats stats() {
        IdDigest digest;
        try {
            digest = db.engine(Engine::digest);
        } catch (StemeDB.ClosedException e) {
            digest = null;
        }
        long now = System.nanoTime();
        List<PeerStats> list = new ArrayList<>(peers.size());
        lock.lock();
        try {
            for (Peer p : peers) {
                Duration lag = p.unreplicatedSince == NONE ? Duration.ZERO : Duration.ofNanos(Math.max(0, now - p.unreplicatedSince));
                list.add(new PeerStats(p.name, p.sessions, p.failures, p.consecutiveFailures, p.lastError, p.lastErrorAt,
                        p.rounds, p.exchanges, p.bytesSent, p.bytesReceived, p.fetched, p.stored, p.pushed, p.peerStored,
                        p.refused, p.lastSuccess, p.lastSessionTime, lag));
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
