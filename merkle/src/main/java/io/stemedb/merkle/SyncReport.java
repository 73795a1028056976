package io.stemedb.merkle;

import java.time.Duration;
import java.util.List;

/**
 * What one sync session did: how many request/reply round trips it took (reconciliation rounds
 * and transfer exchanges), the bytes it sent and received, how many assertions it fetched and
 * stored and how many it pushed and the peer stored, the records refused on either side, and how
 * long it took.
 */
public record SyncReport(int reconcileRounds, int exchanges, long bytesSent, long bytesReceived,
        int fetched, int stored, int pushed, int peerStored, List<SyncReplica.Refused> refusedHere,
        List<SyncReplica.Refused> refusedByPeer, Duration elapsed) {
    public SyncReport {
        refusedHere = List.copyOf(refusedHere);
        refusedByPeer = List.copyOf(refusedByPeer);
    }

    /** True when the replicas held the same ids already. */
    public boolean wasInSync() {
        return fetched == 0 && pushed == 0;
    }
}
