package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The initiating side of a sync: reconciles this replica's id set with a peer's, then fetches what
 * it lacks and pushes what the peer lacks, both in bounded frames.
 *
 * <p><b>Design.</b> Range-based set reconciliation (Meyer, "Range-Based Set Reconciliation",
 * SRDS 2023, as in Hoyte's negentropy): both sides describe ranges of the id space by a
 * fingerprint of their {@link IdDigest} (sum of ids mod 2^256 and count). This side opens with the
 * fingerprints of the root's 16 children; the peer drops the equal ones and answers each other one
 * with its ids (when few) or with the fingerprints of its own 16 children; this side does the same
 * for the children that differ, and so on. Both sides descend one level per message, so a
 * round trip covers two levels of the 16-ary tree. Ranges are fixed by id prefixes and ids are
 * uniform, so a replica of n ids needs about log16(n / threshold) / 2 + 1 rounds whatever the
 * number d of differences (3 for a million ids), and sends O(d log n) fingerprint bytes plus the
 * ids of the small ranges where the differences are. Digests of ranges of up to four nibbles come
 * from persisted bucket digests, so a session starts without scanning.
 *
 * <p>A session holds no lock and writes nothing but merges of received records, each atomic, so a
 * session cut at any point (dropped message, timeout, crash) leaves both replicas consistent, and
 * the next session simply finishes the job. Not thread-safe: one session per thread.
 */
public final class SyncSession {
    private final SyncReplica local;
    private final SyncTransport peer;
    private final SyncLimits limits;
    private int rounds;
    private int exchanges;
    private long sent;
    private long received;
    private long startNanos;
    /** The bound that stopped reconciliation early, or null while none did. */
    private String stoppedBy;

    public SyncSession(SyncReplica local, SyncTransport peer, SyncLimits limits) {
        this.local = Objects.requireNonNull(local, "local");
        this.peer = Objects.requireNonNull(peer, "peer");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Runs the session to the end.
     *
     * @throws SyncException.SessionLimit when the session reached a bound of its {@link SyncLimits};
     *     what it exchanged before is stored
     * @throws SyncException when the peer fails, refuses, or answers what was not asked
     */
    public SyncReport run() {
        startNanos = System.nanoTime();
        Set<AssertionId> need = new LinkedHashSet<>();
        Set<AssertionId> have = new LinkedHashSet<>();
        reconcile(need, have);
        // an id whose content this replica erased is one the peer still holds: it is not asked for
        need.removeIf(local::isErased);
        int[] fetched = {0};
        List<SyncReplica.Refused> refusedHere = new ArrayList<>();
        int stored = fetch(new ArrayList<>(need), fetched, refusedHere);
        List<SyncReplica.Refused> refusedByPeer = new ArrayList<>();
        int[] pushed = {0};
        int peerStored = push(new ArrayList<>(have), pushed, refusedByPeer);
        if (stoppedBy != null) {
            throw new SyncException.SessionLimit("the sync session with " + peer + " stopped reconciling at " + stoppedBy
                    + " (SyncLimits); the " + fetched[0] + " assertions fetched and " + pushed[0] + " pushed until then "
                    + "are exchanged, and the next session goes on from there. A replica far behind catches up over "
                    + "several sessions; a peer that reaches the bound every time is faulty or hostile");
        }
        return new SyncReport(rounds, exchanges, sent, received, fetched[0], stored, pushed[0], peerStored,
                refusedHere, refusedByPeer, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** One request and its reply, within the session's bounds of bytes and time. */
    private byte[] exchange(byte[] request) {
        checkBytesAndTime(request.length);
        exchanges++;
        sent += request.length;
        byte[] reply = peer.exchange(request);
        received += reply.length;
        checkBytesAndTime(0);
        return reply;
    }

    private void checkBytesAndTime(long more) {
        if (sent + received + more > limits.maxSessionBytes()) {
            throw new SyncException.SessionLimit("the sync session with " + peer + " reached its bound of "
                    + limits.maxSessionBytes() + " bytes sent and received (SyncLimits.maxSessionBytes) after " + exchanges
                    + " exchanges; what it merged so far is stored, and the next session goes on from there");
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        if (elapsed.compareTo(limits.maxSessionTime()) > 0) {
            throw new SyncException.SessionLimit("the sync session with " + peer + " reached its time bound of "
                    + limits.maxSessionTime() + " (SyncLimits.maxSessionTime) after " + exchanges + " exchanges; what it "
                    + "merged so far is stored, and the next session goes on from there");
        }
    }

    private void reconcile(Set<AssertionId> need, Set<AssertionId> have) {
        List<SyncMessages.Item> pending = new ArrayList<>();
        pending.add(describe(IdRange.ROOT, local.digest(), null));
        while (!pending.isEmpty()) {
            if (rounds == limits.maxRounds()) {
                stoppedBy = "its bound of " + limits.maxRounds() + " rounds";
                return;
            }
            rounds++;
            List<SyncMessages.Item> next = new ArrayList<>();
            for (List<SyncMessages.Item> frame : frames(pending)) {
                if (next.size() == limits.maxOpenRanges()) {
                    break; // the next round is full: the ranges of the frames left wait for the next session
                }
                // The peer leaves equal ranges out of its reply. A reply cut short by the frame
                // limit ends with the first range that did not fit, echoed as a fingerprint, and
                // drops the rest: that range and those after it are asked again next round.
                byte[] reply = exchange(SyncMessages.encodeItems(SyncMessages.RECONCILE, frame));
                List<SyncMessages.Item> answers = SyncMessages.decodeItems(reply, SyncMessages.RECONCILE_REPLY);
                int cut = checkAnswers(frame, answers);
                Map<IdRange, SyncMessages.Item> asked = new HashMap<>(frame.size() * 2);
                frame.forEach(item -> asked.put(item.range(), item));
                for (SyncMessages.Item answer : cut >= 0 ? answers.subList(0, answers.size() - 1) : answers) {
                    handle(answer, asked.get(answer.range()), need, have, next);
                    capOpenRanges(next);
                    if (need.size() + have.size() >= limits.maxSessionIds()) {
                        // what was found is in id order: exchange it, and leave the ranges after it to the next session
                        stoppedBy = "its bound of " + limits.maxSessionIds() + " ids to exchange";
                        return;
                    }
                }
                if (cut >= 0) {
                    next.addAll(frame.subList(cut, frame.size()));
                    capOpenRanges(next);
                }
            }
            pending = next;
        }
    }

    /**
     * Keeps the ranges open for the next round within the bound, as they are added (so a reply
     * that opens many costs no more memory than the bound): they are in id order, so the first
     * ones are reconciled fully and the rest are left to the next session.
     */
    private void capOpenRanges(List<SyncMessages.Item> next) {
        if (next.size() > limits.maxOpenRanges()) {
            stoppedBy = "its bound of " + limits.maxOpenRanges() + " open ranges";
            next.subList(limits.maxOpenRanges(), next.size()).clear();
        }
    }

    /**
     * How this side asks about a range it holds differently from the peer ({@code theirs}: the
     * peer's fingerprint of it, null when not known yet): by its ids when it holds few there, by
     * its fingerprint when the peer holds few there (the peer answers with those ids), and
     * otherwise by the fingerprints of its 16 children. The last is what saves rounds: each side
     * descends one level per message, as in negentropy, rather than one per round trip.
     */
    private SyncMessages.Item describe(IdRange range, IdDigest mine, SyncMessages.Fingerprint theirs) {
        if (range.depth() == IdRange.MAX_DEPTH || mine.count() <= Math.min(limits.idListThreshold(), limits.idsPerItem())
                // the peer would have to split an id list of this range: it must not (see checkAnswers)
                && (theirs == null || theirs.count() <= limits.idsPerItem())) {
            return new SyncMessages.Item(range, new SyncMessages.Ids(RangeDigests.ids(local, range, Integer.MAX_VALUE)));
        }
        if (theirs != null && theirs.count() <= limits.idListThreshold()) {
            return new SyncMessages.Item(range, SyncMessages.Fingerprint.of(mine));
        }
        return new SyncMessages.Item(range, SyncMessages.Children.of(local, range));
    }

    /**
     * Checks that a reply speaks only of ranges the request asked about (or, for a range asked by
     * its children, of those children), in the request's order, each at most once, that only its
     * last item is a cut, that a cut names a range asked and is not at the very first one (the
     * responder always fits the answers to one range), and that a range asked by its ids is
     * answered by a difference, never split into children (but the root, asked before this side
     * knows how many ids the peer holds). Every round thus either descends or makes progress
     * through a frame, and this side descends only where it holds more than an id list itself, so
     * what a faulty or hostile peer can make it open is bounded by its own size, not by the lies.
     *
     * @return the index in {@code frame} of the range where the reply was cut, or -1
     */
    private static int checkAnswers(List<SyncMessages.Item> frame, List<SyncMessages.Item> answers) {
        Map<IdRange, Integer> asked = new HashMap<>(frame.size() * 2);
        for (int i = 0; i < frame.size(); i++) {
            asked.put(frame.get(i).range(), i);
        }
        // Answers must come in increasing order of (asked index, 0 for the range itself or 1 + child nibble).
        long next = 0;
        int cut = -1;
        for (int i = 0; i < answers.size(); i++) {
            SyncMessages.Item answer = answers.get(i);
            IdRange range = answer.range();
            Integer at = asked.get(range);
            long order;
            if (at != null) {
                order = 17L * at;
            } else {
                Integer parent = range.depth() == 0 ? null : asked.get(range.parent());
                if (parent == null || !(frame.get(parent).claim() instanceof SyncMessages.Children)) {
                    throw new SyncException.MalformedMessage("the peer answered about range " + range
                            + ", which was not asked", -1);
                }
                if (answer.claim() instanceof SyncMessages.Fingerprint) {
                    throw new SyncException.MalformedMessage("the peer cut its reply at range " + range
                            + ", which was not asked", -1);
                }
                order = 17L * parent + 1 + range.lastNibble();
            }
            if (order < next) {
                throw new SyncException.MalformedMessage("the peer answered about range " + range
                        + " out of order or twice", -1);
            }
            next = order + 1;
            if (answer.claim() instanceof SyncMessages.Fingerprint) {
                if (i != answers.size() - 1) {
                    throw new SyncException.MalformedMessage("the peer cut its reply at range " + range
                            + " but went on answering", -1);
                }
                if (at == 0) {
                    throw new SyncException.MalformedMessage("the peer cut its reply before answering anything", -1);
                }
                cut = at;
            } else if (answer.claim() instanceof SyncMessages.Ids ids) {
                checkContains(range, ids.ids());
            } else if (answer.claim() instanceof SyncMessages.Children && at != null && range.depth() > 0
                    && frame.get(at).claim() instanceof SyncMessages.Ids) {
                throw new SyncException.MalformedMessage("the peer split range " + range + ", which was asked by its ids; "
                        + "it must answer with the difference", -1);
            } else if (answer.claim() instanceof SyncMessages.Diff diff) {
                if (at == null || !(frame.get(at).claim() instanceof SyncMessages.Ids askedByIds)) {
                    throw new SyncException.MalformedMessage("the peer answered range " + range
                            + " with a difference, but it was not asked by its ids", -1);
                }
                checkContains(range, diff.onlyHere());
                int size = askedByIds.ids().size();
                int previous = -1;
                for (int p : diff.missingPositions()) {
                    if (p <= previous || p >= size) {
                        throw new SyncException.MalformedMessage("the peer's difference for range " + range
                                + " names positions out of order or past the " + size + " ids sent", -1);
                    }
                    previous = p;
                }
            }
        }
        return cut;
    }

    private static void checkContains(IdRange range, List<AssertionId> ids) {
        for (AssertionId id : ids) {
            if (!range.contains(id)) {
                throw new SyncException.MalformedMessage("the peer listed id " + id + " under range "
                        + range + ", which does not contain it", -1);
            }
        }
    }

    /**
     * Settles a range answered by ids or by a difference ({@code asked}: this side's item for the
     * range, null when the answer is about a child), or descends into the children of a range
     * answered by its children.
     */
    private void handle(SyncMessages.Item answer, SyncMessages.Item asked, Set<AssertionId> need,
            Set<AssertionId> have, List<SyncMessages.Item> next) {
        IdRange range = answer.range();
        SyncMessages.Claim claim = answer.claim();
        if (claim instanceof SyncMessages.Diff diff) {
            need.addAll(diff.onlyHere());
            List<AssertionId> sent = ((SyncMessages.Ids) asked.claim()).ids();
            for (int p : diff.missingPositions()) {
                have.add(sent.get(p));
            }
        } else if (claim instanceof SyncMessages.Ids ids) {
            Set<AssertionId> theirs = new HashSet<>(ids.ids());
            List<AssertionId> mine = RangeDigests.ids(local, range, Integer.MAX_VALUE);
            for (AssertionId id : mine) {
                if (!theirs.remove(id)) {
                    have.add(id);
                }
            }
            need.addAll(theirs);
        } else {
            List<SyncMessages.Fingerprint> children = ((SyncMessages.Children) claim).children();
            List<IdDigest> mineByChild = RangeDigests.children(local, range);
            for (int i = 0; i < 16; i++) {
                IdRange child = range.child(i);
                IdDigest mine = mineByChild.get(i);
                SyncMessages.Fingerprint theirs = children.get(i);
                if (theirs.matches(mine)) {
                    continue;
                }
                if (theirs.count() == 0) {
                    // The peer holds nothing there: everything here is to push, nothing to ask.
                    have.addAll(RangeDigests.ids(local, child, Integer.MAX_VALUE));
                    continue;
                }
                next.add(describe(child, mine, theirs));
            }
        }
    }

    /** Splits items into requests that each fit a frame and the responder's bound of items. */
    private List<List<SyncMessages.Item>> frames(List<SyncMessages.Item> items) {
        List<List<SyncMessages.Item>> frames = new ArrayList<>();
        List<SyncMessages.Item> frame = new ArrayList<>();
        long bytes = SyncResponder.FRAME_OVERHEAD;
        for (SyncMessages.Item item : items) {
            long size = SyncMessages.sizeBound(item);
            if ((bytes + size > limits.maxFrameBytes() || frame.size() == limits.maxItemsPerRequest()) && !frame.isEmpty()) {
                frames.add(frame);
                frame = new ArrayList<>();
                bytes = SyncResponder.FRAME_OVERHEAD;
            }
            frame.add(item);
            bytes += size;
        }
        if (!frame.isEmpty()) {
            frames.add(frame);
        }
        return frames;
    }

    /**
     * Fetches {@code ids} from the peer in frames and stores them; returns how many were new. The
     * peer answers each request in the order asked, with as many records as fit its frame; it
     * leaves out a record too large for any frame, which is reported as not received.
     */
    private int fetch(List<AssertionId> ids, int[] fetched, List<SyncReplica.Refused> refused) {
        int stored = 0;
        int from = 0;
        // Ask for about as many ids as the last reply could hold (growing while replies take all),
        // rather than a whole frame of ids each time: a frame of small records holds far fewer
        // records than a frame holds ids, and the unanswered ids would be sent again and again.
        int most = Math.min(limits.idsPerFrame(), limits.maxItemsPerRequest());
        int perRequest = Math.min(most, 4096);
        while (from < ids.size()) {
            List<AssertionId> ask = ids.subList(from, Math.min(ids.size(), from + perRequest));
            List<EncodedAssertion> records = SyncMessages.decodeRecords(
                    exchange(SyncMessages.encodeIds(SyncMessages.FETCH, ask)), SyncMessages.RECORDS);
            Map<AssertionId, Integer> position = new HashMap<>(ask.size() * 2);
            for (int i = 0; i < ask.size(); i++) {
                position.put(ask.get(i), i);
            }
            int last = -1;
            for (EncodedAssertion r : records) {
                Integer at = position.get(r.id());
                if (at == null || at <= last) {
                    throw new SyncException.MalformedMessage("the peer sent record " + r.id()
                            + ", which was not asked for, or out of order", -1);
                }
                notSent(ask, last + 1, at, refused);
                last = at;
            }
            if (records.isEmpty()) {
                // Not one of the ids left fits a frame, or the peer no longer lists them.
                last = ask.size() - 1;
                notSent(ask, 0, ask.size(), refused);
            }
            fetched[0] += records.size();
            if (!records.isEmpty()) {
                SyncReplica.MergeOutcome outcome = local.merge(records);
                stored += outcome.added();
                refused.addAll(outcome.refused());
            }
            from += last + 1;
            perRequest = last + 1 == ask.size() ? Math.min(most, 2 * perRequest)
                    : Math.min(most, Math.max(256, 2 * records.size()));
        }
        return stored;
    }

    private static void notSent(List<AssertionId> ask, int from, int to, List<SyncReplica.Refused> refused) {
        for (int i = from; i < to; i++) {
            refused.add(new SyncReplica.Refused(ask.get(i), "the peer listed it but did not send it: a record larger "
                    + "than a sync frame (raise SyncLimits.maxFrameBytes on both sides), or a faulty peer"));
        }
    }

    /**
     * Pushes the records of {@code ids} to the peer in frames; returns how many the peer stored. A
     * record too large for any frame is not sent and is reported as refused by the peer.
     */
    private int push(List<AssertionId> ids, int[] pushed, List<SyncReplica.Refused> refused) {
        int peerStored = 0;
        List<EncodedAssertion> frame = new ArrayList<>();
        long bytes = SyncResponder.FRAME_OVERHEAD;
        for (int from = 0; from < ids.size(); from += SyncResponder.READ_CHUNK) {
            for (EncodedAssertion r : local.fetch(ids.subList(from, Math.min(ids.size(), from + SyncResponder.READ_CHUNK)))) {
                long size = SyncResponder.recordSize(r);
                if (SyncResponder.FRAME_OVERHEAD + size > limits.maxFrameBytes()) {
                    refused.add(new SyncReplica.Refused(r.id(), "not sent: the record is " + r.bytes().length
                            + " bytes, more than a sync frame of " + limits.maxFrameBytes()
                            + " bytes holds (raise SyncLimits.maxFrameBytes on both sides)"));
                    continue;
                }
                if (bytes + size > limits.maxFrameBytes() && !frame.isEmpty()) {
                    peerStored += pushFrame(frame, pushed, refused);
                    frame = new ArrayList<>();
                    bytes = SyncResponder.FRAME_OVERHEAD;
                }
                frame.add(r);
                bytes += size;
            }
        }
        if (!frame.isEmpty()) {
            peerStored += pushFrame(frame, pushed, refused);
        }
        return peerStored;
    }

    private int pushFrame(List<EncodedAssertion> frame, int[] pushed, List<SyncReplica.Refused> refused) {
        SyncReplica.MergeOutcome outcome = SyncMessages.decodePushReply(
                exchange(SyncMessages.encodeRecords(SyncMessages.PUSH, frame)));
        pushed[0] += frame.size();
        refused.addAll(outcome.refused());
        return outcome.added();
    }
}
