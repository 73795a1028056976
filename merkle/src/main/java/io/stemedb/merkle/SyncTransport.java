package io.stemedb.merkle;

/**
 * Carries one sync request to a peer and brings back its reply. Implementations: {@link #inProcess}
 * for two databases in one JVM, {@link HttpSyncTransport} over HTTP. Must be thread-safe if shared.
 */
@FunctionalInterface
public interface SyncTransport {

    /**
     * Sends {@code request} and returns the reply.
     *
     * @throws SyncException.PeerFailed if the peer cannot be reached or fails
     * @throws SyncException.Unauthorized if the peer refuses our credentials or its reply is not signed
     */
    byte[] exchange(byte[] request);

    /** A transport straight to a responder in this JVM. */
    static SyncTransport inProcess(SyncResponder responder) {
        return responder::respond;
    }
}
