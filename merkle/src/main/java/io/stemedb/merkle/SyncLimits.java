package io.stemedb.merkle;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of a sync session and the bounds of the work either side does for the other.
 *
 * <p>{@code maxFrameBytes} bounds every message either side sends, so a large difference streams
 * in many bounded frames; {@code idListThreshold} is the range size below which peers swap id
 * lists instead of splitting the range further.
 *
 * <p>The rest bound what a faulty or hostile peer can cost. A responder refuses, with an ERROR
 * reply, a request of more than {@code maxItemsPerRequest} ranges or ids (and ranges that are not
 * in id order, each after the last, so that the digests one request asks for cover the id space
 * at most once). A session ({@link SyncSession}) keeps at most {@code maxOpenRanges} ranges under
 * reconciliation, collects at most {@code maxSessionIds} ids to fetch and push, and runs at most
 * {@code maxRounds} reconciliation rounds: past one of these it stops reconciling, exchanges what
 * it found (the ranges first in id order, so the next session goes on where this one stopped),
 * and ends with {@link SyncException.SessionLimit}. Past {@code maxSessionBytes} (sent and received)
 * or {@code maxSessionTime} it ends at once with the same exception; what it merged so far stays.
 */
public record SyncLimits(int maxFrameBytes, int idListThreshold, int maxItemsPerRequest, int maxOpenRanges,
        int maxSessionIds, int maxRounds, long maxSessionBytes, Duration maxSessionTime) {
    /** The default bound of ranges or ids in one request. */
    public static final int DEFAULT_MAX_ITEMS_PER_REQUEST = 32_768;
    /** The default bound of ranges under reconciliation at once (about 0.5 KiB of heap each, at most). */
    public static final int DEFAULT_MAX_OPEN_RANGES = 65_536;
    /** The default bound of ids a session collects to fetch and to push (about 110 bytes of heap each). */
    public static final int DEFAULT_MAX_SESSION_IDS = 2_000_000;
    /** The default bound of reconciliation rounds: a session needs a handful, more when replies are cut. */
    public static final int DEFAULT_MAX_ROUNDS = 1_000;
    /** The default bound of the bytes a session sends and receives: 1 GiB. */
    public static final long DEFAULT_MAX_SESSION_BYTES = 1L << 30;
    /** The default bound of a session's time. */
    public static final Duration DEFAULT_MAX_SESSION_TIME = Duration.ofMinutes(30);

    /** 4 MiB frames; id lists for ranges of at most 16 ids; the default bounds. */
    public static final SyncLimits DEFAULT = new SyncLimits(4 << 20, 16);

    public SyncLimits {
        if (maxFrameBytes < (64 << 10) || maxFrameBytes > (256 << 20)) {
            throw new IllegalArgumentException(String.format(
                    "maxFrameBytes must be between 64 KiB and 256 MiB, got %,d", maxFrameBytes));
        }
        if (idListThreshold < 1 || idListThreshold > 4096) {
            throw new IllegalArgumentException("idListThreshold must be between 1 and 4096, got " + idListThreshold);
        }
        if (maxItemsPerRequest < 16) {
            throw new IllegalArgumentException("maxItemsPerRequest must be at least 16, got " + maxItemsPerRequest);
        }
        if (maxOpenRanges < 16) {
            throw new IllegalArgumentException("maxOpenRanges must be at least 16, got " + maxOpenRanges);
        }
        if (maxSessionIds < 1 || maxRounds < 1 || maxSessionBytes < 1) {
            throw new IllegalArgumentException("maxSessionIds, maxRounds and maxSessionBytes must be positive, got "
                    + maxSessionIds + ", " + maxRounds + ", " + maxSessionBytes);
        }
        Objects.requireNonNull(maxSessionTime, "maxSessionTime");
        if (maxSessionTime.isNegative() || maxSessionTime.isZero()) {
            throw new IllegalArgumentException("maxSessionTime must be positive, got " + maxSessionTime);
        }
    }

    /** Frames and threshold as given, every bound at its default. */
    public SyncLimits(int maxFrameBytes, int idListThreshold) {
        this(maxFrameBytes, idListThreshold, DEFAULT_MAX_ITEMS_PER_REQUEST, DEFAULT_MAX_OPEN_RANGES,
                DEFAULT_MAX_SESSION_IDS, DEFAULT_MAX_ROUNDS, DEFAULT_MAX_SESSION_BYTES, DEFAULT_MAX_SESSION_TIME);
    }

    /** These limits with other session bounds (the client's side; a responder reads only the frame and item bounds). */
    public SyncLimits withSessionBounds(int openRanges, int sessionIds, int rounds, long sessionBytes, Duration sessionTime) {
        return new SyncLimits(maxFrameBytes, idListThreshold, maxItemsPerRequest, openRanges, sessionIds, rounds,
                sessionBytes, sessionTime);
    }

    /** These limits with another bound of ranges or ids per request. */
    public SyncLimits withMaxItemsPerRequest(int items) {
        return new SyncLimits(maxFrameBytes, idListThreshold, items, maxOpenRanges, maxSessionIds, maxRounds,
                maxSessionBytes, maxSessionTime);
    }

    /** How many ids fit in one frame, with room for the framing. */
    int idsPerFrame() {
        return (maxFrameBytes - 1024) / 32;
    }

    /**
     * The most ids one item of a reconciliation message lists: a sixteenth of a frame, less a
     * little, so that the up to 16 answers to one range described by its children always fit a
     * reply together.
     */
    int idsPerItem() {
        return idsPerFrame() / 16 - 4;
    }
}
