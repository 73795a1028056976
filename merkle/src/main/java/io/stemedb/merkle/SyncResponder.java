package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.StemeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The answering side of a sync session. Stateless: every request carries all it needs, so any
 * number of peers may sync with one replica at once, a session cut at any point leaves nothing
 * behind, and an HTTP server can answer each request on its own. Thread-safe if the replica is.
 *
 * <p>For each range a peer describes, it compares its own digest: an equal range is dropped from
 * the reply; a differing range is answered with the ids it holds there when they are few (at most
 * the id-list threshold, or any number that fits a frame when the peer holds none), and otherwise
 * with the digests of the range's 16 children, so that the peer descends only where the replicas
 * differ (Meyer, "Range-Based Set Reconciliation", 2023).
 */
public final class SyncResponder {
    private final SyncReplica replica;
    private final SyncLimits limits;

    public SyncResponder(SyncReplica replica, SyncLimits limits) {
        this.replica = Objects.requireNonNull(replica, "replica");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Answers one request; a malformed or refused request gets an error reply, never an exception. */
    public byte[] respond(byte[] request) {
        try {
            if (request.length > limits.maxFrameBytes()) {
                return SyncMessages.encodeError("the request is " + request.length + " bytes, over this replica's frame limit of "
                        + limits.maxFrameBytes());
            }
            switch (SyncMessages.type(request)) {
                case SyncMessages.RECONCILE:
                    return SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY,
                            reconcile(SyncMessages.decodeItems(request, SyncMessages.RECONCILE)));
                case SyncMessages.FETCH:
                    return SyncMessages.encodeRecords(SyncMessages.RECORDS,
                            fetchFitting(SyncMessages.decodeIds(request, SyncMessages.FETCH)));
                case SyncMessages.PUSH:
                    return SyncMessages.encodePushReply(
                            replica.merge(SyncMessages.decodeRecords(request, SyncMessages.PUSH)));
                default:
                    return SyncMessages.encodeError("unknown request type " + SyncMessages.type(request));
            }
        } catch (StemeException e) {
            return SyncMessages.encodeError(e.getMessage());
        }
    }

    private List<SyncMessages.Item> reconcile(List<SyncMessages.Item> items) {
        List<SyncMessages.Item> reply = new ArrayList<>();
        int budget = limits.maxFrameBytes() - 1024;
        for (SyncMessages.Item item : items) {
            IdRange range = item.range();
            IdDigest mine = RangeDigests.of(replica, range);
            SyncMessages.Claim answer;
            if (item.claim() instanceof SyncMessages.Fingerprint) {
                SyncMessages.Fingerprint theirs = (SyncMessages.Fingerprint) item.claim();
                if (theirs.matches(mine)) {
                    continue;
                }
                answer = idsOrChildren(range, mine, theirs.count() == 0);
            } else if (item.claim() instanceof SyncMessages.Ids) {
                List<AssertionId> theirs = ((SyncMessages.Ids) item.claim()).ids();
                if (mine.count() > limits.idsPerFrame()) {
                    answer = children(range);
                } else {
                    List<AssertionId> ids = RangeDigests.ids(replica, range, limits.idsPerFrame());
                    if (new HashSet<>(ids).equals(new HashSet<>(theirs))) {
                        continue;
                    }
                    answer = new SyncMessages.Ids(ids);
                }
            } else {
                throw new SyncException.MalformedMessage("a request cannot describe a range by its children", -1);
            }
            if (size(answer) > budget && answer instanceof SyncMessages.Ids && range.depth() < IdRange.MAX_DEPTH) {
                answer = children(range);
            }
            budget -= size(answer);
            if (budget < 0) {
                // The peer asks again for what did not fit: a range left out of the reply is not
                // taken as equal, because the peer only drops ranges it was told about.
                reply.add(new SyncMessages.Item(range, SyncMessages.Fingerprint.of(mine)));
                break;
            }
            reply.add(new SyncMessages.Item(range, answer));
        }
        return reply;
    }

    private SyncMessages.Claim idsOrChildren(IdRange range, IdDigest mine, boolean theyHaveNone) {
        boolean few = mine.count() <= limits.idListThreshold()
                || (theyHaveNone && mine.count() <= limits.idsPerFrame())
                || range.depth() == IdRange.MAX_DEPTH;
        return few ? new SyncMessages.Ids(RangeDigests.ids(replica, range, Integer.MAX_VALUE)) : children(range);
    }

    private SyncMessages.Children children(IdRange range) {
        List<SyncMessages.Fingerprint> children = new ArrayList<>(16);
        for (int i = 0; i < 16; i++) {
            children.add(SyncMessages.Fingerprint.of(RangeDigests.of(replica, range.child(i))));
        }
        return new SyncMessages.Children(children);
    }

    private static int size(SyncMessages.Claim c) {
        if (c instanceof SyncMessages.Ids) {
            return 40 + 32 * ((SyncMessages.Ids) c).ids().size();
        }
        return c instanceof SyncMessages.Children ? 40 + 16 * 24 : 64;
    }

    /**
     * The records of {@code ids} that this replica holds, in the order asked, as many as fit one
     * frame. Records are read a few at a time, so a request for many ids reads little more than
     * one frame's worth. A record too large for any frame is left out (the asker reports it as not
     * received) rather than blocking every later record.
     */
    private List<EncodedAssertion> fetchFitting(List<AssertionId> ids) {
        List<EncodedAssertion> fitting = new ArrayList<>();
        long bytes = FRAME_OVERHEAD;
        for (int from = 0; from < ids.size(); from += READ_CHUNK) {
            for (EncodedAssertion r : replica.fetch(ids.subList(from, Math.min(ids.size(), from + READ_CHUNK)))) {
                long size = recordSize(r);
                if (FRAME_OVERHEAD + size > limits.maxFrameBytes()) {
                    continue;
                }
                if (bytes + size > limits.maxFrameBytes()) {
                    return fitting;
                }
                fitting.add(r);
                bytes += size;
            }
        }
        return fitting;
    }

    /** The room a frame keeps for its header and counts. */
    static final int FRAME_OVERHEAD = 1024;
    /** How many records are read from the replica at a time. */
    static final int READ_CHUNK = 16;

    /** The bytes a record takes in a RECORDS or PUSH message, with room for its length prefix. */
    static long recordSize(EncodedAssertion r) {
        return 40L + r.bytes().length;
    }
}
