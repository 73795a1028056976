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
