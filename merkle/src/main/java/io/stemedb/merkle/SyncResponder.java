package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.StemeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The answering side of a sync session. Stateless: every request carries all it needs, so any
 * number of peers may sync with one replica at once, a session cut at any point leaves nothing
 * behind, and an HTTP server can answer each request on its own. Thread-safe if the replica is.
 *
 * <p>For each range a peer describes, it compares its own digests: an equal range is dropped from
 * the reply; a differing range is answered with the ids it holds there when they are few (at most
 * the id-list threshold, or any number that fits when the peer holds none), and otherwise with
 * the digests of the range's 16 children, so that the peer descends only where the replicas
 * differ (Meyer, "Range-Based Set Reconciliation", 2023). A range the peer describes by its
 * children's digests is answered child by child, the same way, so each message descends a level.
 * A range the peer describes by its ids is answered with the difference: the ids only this
 * replica holds, and the positions in the peer's list of those it lacks.
 *
 * <p>The work per request is bounded: at most {@link SyncLimits#maxItemsPerRequest()} ranges or
 * ids, ranges in id order without overlap (so one request sums each bucket digest and reads each
 * id at most once), replies within a frame. A request beyond gets an ERROR reply.
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
                    return SyncMessages.encodeItems(SyncMessages.RECONCILE_REPLY, reconcile(inOrder(
                            SyncMessages.decodeItems(request, SyncMessages.RECONCILE, limits.maxItemsPerRequest()))));
                case SyncMessages.FETCH:
                    return SyncMessages.encodeRecords(SyncMessages.RECORDS, fetchFitting(
                            SyncMessages.decodeIds(request, SyncMessages.FETCH, limits.maxItemsPerRequest())));
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

    /**
     * Refuses ranges that are not each after the last (in id order, none inside another), as a
     * session always sends them: so the digests one request asks for sum each bucket digest at
     * most once and scan each id at most once, however the request is made up.
     */
    private static List<SyncMessages.Item> inOrder(List<SyncMessages.Item> items) {
        for (int i = 1; i < items.size(); i++) {
            IdRange previous = items.get(i - 1).range();
            IdRange range = items.get(i).range();
            if (!previous.isBefore(range)) {
                throw new SyncException.MalformedMessage("range " + range + " does not come after range " + previous
                        + ": the ranges of a request must be in id order and must not overlap", -1);
            }
        }
        return items;
    }

    private List<SyncMessages.Item> reconcile(List<SyncMessages.Item> items) {
        List<SyncMessages.Item> reply = new ArrayList<>();
        long budget = limits.maxFrameBytes() - FRAME_OVERHEAD;
        for (SyncMessages.Item item : items) {
            List<SyncMessages.Item> answers = answer(item);
            long size = answers.stream().mapToLong(SyncMessages::sizeBound).sum();
            if (size > budget) {
                // The peer asks again for what did not fit: a range left out of the reply is not
                // taken as equal, because the peer only drops ranges it was told about.
                reply.add(new SyncMessages.Item(item.range(),
                        SyncMessages.Fingerprint.of(RangeDigests.of(replica, item.range()))));
                break;
            }
            budget -= size;
            reply.addAll(answers);
        }
        return reply;
    }

    /**
     * The answers to one item of a request: none when this replica holds the range the same way;
     * for a range described by its children, one answer per child that differs, in child order.
     * Each answer fits a sixteenth of a frame (an id list that would not is replaced by the
     * range's children), so the answers to the first item of a request always fit a reply.
     */
    private List<SyncMessages.Item> answer(SyncMessages.Item item) {
        IdRange range = item.range();
        SyncMessages.Claim claim = item.claim();
        if (claim instanceof SyncMessages.Fingerprint theirs) {
            IdDigest mine = RangeDigests.of(replica, range);
            return theirs.matches(mine) ? List.of() : List.of(idsOrChildren(range, mine, theirs.count() == 0));
        }
        if (claim instanceof SyncMessages.Diff) {
            throw new SyncException.MalformedMessage("a request cannot answer a range with a difference", -1);
        }
        if (claim instanceof SyncMessages.Ids asked) {
            List<AssertionId> theirs = asked.ids();
            IdDigest mine = RangeDigests.of(replica, range);
            if (mine.count() > limits.idsPerItem() && range.depth() < IdRange.MAX_DEPTH) {
                return List.of(new SyncMessages.Item(range, children(range)));
            }
            List<AssertionId> ids = RangeDigests.ids(replica, range, Integer.MAX_VALUE);
            Set<AssertionId> theirSet = new HashSet<>(theirs);
            List<AssertionId> onlyHere = ids.stream().filter(id -> !theirSet.contains(id)).toList();
            Set<AssertionId> mineSet = new HashSet<>(ids);
            int[] missing = IntStream.range(0, theirs.size()).filter(i -> !mineSet.contains(theirs.get(i))).toArray();
            return onlyHere.isEmpty() && missing.length == 0 ? List.of()
                    : List.of(new SyncMessages.Item(range, new SyncMessages.Diff(onlyHere, missing)));
        }
        List<SyncMessages.Fingerprint> theirs = ((SyncMessages.Children) claim).children();
        List<SyncMessages.Item> answers = new ArrayList<>();
        List<IdDigest> mineByChild = RangeDigests.children(replica, range);
        for (int i = 0; i < 16; i++) {
            IdRange child = range.child(i);
            IdDigest mine = mineByChild.get(i);
            if (!theirs.get(i).matches(mine)) {
                answers.add(idsOrChildren(child, mine, theirs.get(i).count() == 0));
            }
        }
        return answers;
    }

    /**
     * A differing range answered with the ids held there when they are few (at most the id-list
     * threshold, or any number when the peer holds none there, as long as they fit
     * {@link SyncLimits#idsPerItem()}; a range of one id always), otherwise with the digests of its
     * children.
     */
    private SyncMessages.Item idsOrChildren(IdRange range, IdDigest mine, boolean theyHaveNone) {
        boolean few = (mine.count() <= limits.idListThreshold() || theyHaveNone) && mine.count() <= limits.idsPerItem()
                || range.depth() == IdRange.MAX_DEPTH;
        return new SyncMessages.Item(range, few ? new SyncMessages.Ids(RangeDigests.ids(replica, range, Integer.MAX_VALUE))
                : children(range));
    }

    private SyncMessages.Children children(IdRange range) {
        return SyncMessages.Children.of(replica, range);
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
