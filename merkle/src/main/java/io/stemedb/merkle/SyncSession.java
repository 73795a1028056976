package io.stemedb.merkle;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.EncodedAssertion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The initiating side of a sync: reconciles this replica's id set with a peer's, then fetches what
 * it lacks and pushes what the peer lacks, both in bounded frames.
 *
 * <p><b>Design.</b> Range-based set reconciliation (Meyer, "Range-Based Set Reconciliation",
 * SRDS 2023, as in Hoyte's negentropy): both sides describe ranges of the id space by a
 * fingerprint of their {@link IdDigest} (sum of ids mod 2^256 and count). Starting from the whole
 * space, each round sends the ranges still in doubt; the peer drops the equal ones and answers
 * the others with its ids (when few) or with the fingerprints of the 16 children, and this side
 * descends only into children that differ. Ranges are fixed by id prefixes and ids are uniform,
 * so a replica of n ids needs about log16(n / threshold) + 1 rounds whatever the number d of
 * differences, and sends O(d log n) fingerprint bytes plus the ids of the small ranges where the
 * differences are. Digests of ranges of up to four nibbles come from persisted bucket digests, so
 * a session starts without scanning.
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

    public SyncSession(SyncReplica local, SyncTransport peer, SyncLimits limits) {
        this.local = Objects.requireNonNull(local, "local");
        this.peer = Objects.requireNonNull(peer, "peer");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Runs the session to the end. */
    public SyncReport run() {
        long start = System.nanoTime();
        Set<AssertionId> need = new LinkedHashSet<>();
        Set<AssertionId> have = new LinkedHashSet<>();
        reconcile(need, have);
        int[] fetched = {0};
        List<SyncReplica.Refused> refusedHere = new ArrayList<>();
        int stored = fetch(new ArrayList<>(need), fetched, refusedHere);
        List<SyncReplica.Refused> refusedByPeer = new ArrayList<>();
        int[] pushed = {0};
        int peerStored = push(new ArrayList<>(have), pushed, refusedByPeer);
        return new SyncReport(rounds, exchanges, sent, received, fetched[0], stored, pushed[0], peerStored,
                refusedHere, refusedByPeer, Duration.ofNanos(System.nanoTime() - start));
    }

    private byte[] exchange(byte[] request) {
        exchanges++;
        sent += request.length;
        byte[] reply = peer.exchange(request);
        received += reply.length;
        return reply;
    }

    private void reconcile(Set<AssertionId> need, Set<AssertionId> have) {
        List<SyncMessages.Item> pending = new ArrayList<>();
        pending.add(new SyncMessages.Item(IdRange.ROOT, SyncMessages.Fingerprint.of(local.digest())));
        while (!pending.isEmpty()) {
            rounds++;
            List<SyncMessages.Item> next = new ArrayList<>();
            for (List<SyncMessages.Item> frame : frames(pending)) {
                // The peer leaves equal ranges out of its reply. A reply cut short by the frame
                // limit ends with the first range that did not fit, echoed as a fingerprint, and
                // drops the rest: those ranges are asked again after it.
                byte[] reply = exchange(SyncMessages.encodeItems(SyncMessages.RECONCILE, frame));
                List<SyncMessages.Item> answers = SyncMessages.decodeItems(reply, SyncMessages.RECONCILE_REPLY);
                for (SyncMessages.Item answer : answers) {
                    handle(answer, need, have, next);
                }
                if (!answers.isEmpty() && answers.get(answers.size() - 1).claim() instanceof SyncMessages.Fingerprint) {
                    IdRange cut = answers.get(answers.size() - 1).range();
                    int at = indexOf(frame, cut);
                    next.addAll(frame.subList(at + 1, frame.size()));
                }
            }
            pending = next;
        }
    }

    private static int indexOf(List<SyncMessages.Item> frame, IdRange range) {
        for (int i = 0; i < frame.size(); i++) {
            if (frame.get(i).range().equals(range)) {
                return i;
            }
        }
        throw new SyncException.MalformedMessage("the peer answered about range " + range + ", which was not asked", -1);
    }

    private void handle(SyncMessages.Item answer, Set<AssertionId> need, Set<AssertionId> have,
            List<SyncMessages.Item> next) {
        IdRange range = answer.range();
        SyncMessages.Claim claim = answer.claim();
        if (claim instanceof SyncMessages.Ids) {
            Set<AssertionId> theirs = new HashSet<>(((SyncMessages.Ids) claim).ids());
            List<AssertionId> mine = RangeDigests.ids(local, range, Integer.MAX_VALUE);
            for (AssertionId id : mine) {
                if (!theirs.remove(id)) {
                    have.add(id);
                }
            }
            need.addAll(theirs);
        } else if (claim instanceof SyncMessages.Children) {
            List<SyncMessages.Fingerprint> children = ((SyncMessages.Children) claim).children();
            for (int i = 0; i < 16; i++) {
                IdRange child = range.child(i);
                IdDigest mine = RangeDigests.of(local, child);
                SyncMessages.Fingerprint theirs = children.get(i);
                if (theirs.matches(mine)) {
                    continue;
                }
                boolean sendIds = (mine.count() <= limits.idListThreshold() || theirs.count() == 0)
                        && mine.count() <= limits.idsPerFrame();
                next.add(new SyncMessages.Item(child, sendIds
                        ? new SyncMessages.Ids(RangeDigests.ids(local, child, Integer.MAX_VALUE))
                        : SyncMessages.Fingerprint.of(mine)));
            }
        } else {
            // The peer ran out of frame room before this range: ask again next round.
            next.add(new SyncMessages.Item(range, SyncMessages.Fingerprint.of(RangeDigests.of(local, range))));
        }
    }

    /** Splits items into requests that each fit a frame. */
    private List<List<SyncMessages.Item>> frames(List<SyncMessages.Item> items) {
        List<List<SyncMessages.Item>> frames = new ArrayList<>();
        List<SyncMessages.Item> frame = new ArrayList<>();
        long bytes = 1024;
        for (SyncMessages.Item item : items) {
            long size = 64 + (item.claim() instanceof SyncMessages.Ids ? 32L * ((SyncMessages.Ids) item.claim()).ids().size() : 0);
            if (bytes + size > limits.maxFrameBytes() && !frame.isEmpty()) {
                frames.add(frame);
                frame = new ArrayList<>();
                bytes = 1024;
            }
            frame.add(item);
            bytes += size;
        }
        if (!frame.isEmpty()) {
            frames.add(frame);
        }
        return frames;
    }

    /** Fetches {@code ids} from the peer in frames and stores them; returns how many were new. */
    private int fetch(List<AssertionId> ids, int[] fetched, List<SyncReplica.Refused> refused) {
        int stored = 0;
        int from = 0;
        int perRequest = limits.idsPerFrame();
        while (from < ids.size()) {
            List<AssertionId> ask = ids.subList(from, Math.min(ids.size(), from + perRequest));
            List<EncodedAssertion> records = SyncMessages.decodeRecords(
                    exchange(SyncMessages.encodeIds(SyncMessages.FETCH, ask)), SyncMessages.RECORDS);
            if (records.isEmpty()) {
                throw new SyncException("the peer listed " + ask.get(0) + " but sent no record for it; sync again");
            }
            fetched[0] += records.size();
            SyncReplica.MergeOutcome outcome = local.merge(records);
            stored += outcome.added();
            refused.addAll(outcome.refused());
            from += records.size();
        }
        return stored;
    }

    /** Pushes the records of {@code ids} to the peer in frames; returns how many the peer stored. */
    private int push(List<AssertionId> ids, int[] pushed, List<SyncReplica.Refused> refused) {
        int peerStored = 0;
        List<EncodedAssertion> frame = new ArrayList<>();
        long bytes = 1024;
        for (int from = 0; from < ids.size(); from += 1024) {
            for (EncodedAssertion r : local.fetch(ids.subList(from, Math.min(ids.size(), from + 1024)))) {
                long size = 40L + r.bytes().length;
                if (bytes + size > limits.maxFrameBytes() && !frame.isEmpty()) {
                    peerStored += pushFrame(frame, pushed, refused);
                    frame = new ArrayList<>();
                    bytes = 1024;
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
