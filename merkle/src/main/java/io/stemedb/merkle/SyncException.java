package io.stemedb.merkle;

import io.stemedb.model.StemeException;

/** A sync session or message failed; the specific kinds are nested here. Nothing half-stored: merges are atomic. */
public class SyncException extends StemeException {
    private static final long serialVersionUID = 1L;

    public SyncException(String message) {
        super(message);
    }

    public SyncException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A message that does not parse, or breaks a limit; the message says where. */
    public static final class MalformedMessage extends SyncException {
        private static final long serialVersionUID = 1L;

        public MalformedMessage(String message, int offset) {
            super("malformed sync message" + (offset >= 0 ? " at byte " + offset : "") + ": " + message);
        }
    }

    /**
     * A session reached one of its bounds ({@link SyncLimits}): too many ranges, ids, rounds,
     * bytes or too much time. What it exchanged before is stored; a peer that is merely far behind
     * catches up over several sessions, a faulty or hostile one gets no further.
     */
    public static final class SessionLimit extends SyncException {
        private static final long serialVersionUID = 1L;

        public SessionLimit(String message) {
            super(message);
        }
    }

    /** A peer without valid credentials, or a reply that is not signed by the cluster. */
    public static final class Unauthorized extends SyncException {
        private static final long serialVersionUID = 1L;

        public Unauthorized(String message) {
            super(message);
        }
    }

    /** The peer could not be reached, timed out, or answered with an error. */
    public static final class PeerFailed extends SyncException {
        private static final long serialVersionUID = 1L;

        public PeerFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
