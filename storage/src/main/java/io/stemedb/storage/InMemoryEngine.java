package io.stemedb.storage;

import io.stemedb.crdt.ErasedClaim;
import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Utf8;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An {@link Engine} on the Java heap: no files, no native code. It is the test fixture behind
 * {@code StemeDB.inMemory()} and the oracle the other engines are checked against. Thread-safe.
 *
 * <p><b>Design.</b> Reads of one fact ({@link #evidence}) and of one id ({@link #get},
 * {@link #contains}), and the counters, take no lock and write no shared memory, so readers on
 * several cores do not slow each other down; everything else is kept plain, under a lock.
 * <ul>
 *   <li>Commits run one at a time under the write lock of a {@link StampedLock}. A commit becomes
 *       visible, all at once, when it publishes its {@link Tip} (its last sequence number and the
 *       counters) in one volatile write at its end.</li>
 *   <li>Each fact keeps its claims and retractions in arrays that commits only append to, and a
 *       commit that changes a fact publishes one immutable {@link Snapshot} of it (how much of the
 *       arrays it covers, stamped with the commit's sequence number). A reader takes the fact's
 *       newest snapshot, then reads the tip: a snapshot stamped past the tip belongs to a commit
 *       still running, so the fact's previous snapshot is what is visible ({@link Fact#visible}).
 *       Commits are serial, so only the newest snapshot can be unpublished and one previous one
 *       is enough: the scheme is a two-version form of multi-version concurrency control
 *       (Bernstein and Goodman, "Multiversion Concurrency Control - Theory and Algorithms", TODS
 *       1983) with readers that never wait, as in read-copy-update (McKenney and Slingwine, 1998).</li>
 *   <li>A snapshot's {@link Evidence} is built by the first read that needs it and kept: a commit
 *       costs time in what it adds, never in the size of the facts it touches, and a fact that
 *       grows one claim per commit to 100,000 claims costs one sort of its claims (linear, as they
 *       arrive nearly in order) per read that follows a change, not per commit.</li>
 *   <li>Each stored id maps to its {@link Change}, whose sequence number tells a reader whether
 *       it is visible yet.</li>
 *   <li>The listings (subjects, predicates, values, sources, the log, id ranges, bucket digests)
 *       span several structures and take the read lock, so they too see whole commits.</li>
 * </ul>
 */
public final class InMemoryEngine implements Engine {
    private static final Claim[] NO_CLAIMS = {};
    private static final Retraction[] NO_RETRACTIONS = {};

    private final long nodeId;
    private final StampedLock lock = new StampedLock();
    /** What the last commit made visible; written once at the end of each commit. */
    private volatile Tip tip = new Tip(0, 0, 0, null, IdDigest.empty());
    private volatile boolean closed;
    private final ConcurrentHashMap<AssertionId, Change> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<FactKey, Fact> facts = new ConcurrentHashMap<>();

    // Guarded by lock: written under the write lock, read under the read lock.
    private final List<Change> log = new ArrayList<>();
    private final TreeSet<AssertionId> sortedIds = new TreeSet<>();
    private final IdDigest[] buckets = new IdDigest[BUCKETS];
    /** subject -> its predicates; subjects in storage order, predicates in code point order. */
    private final TreeMap<String, TreeSet<String>> predicatesBySubject = new TreeMap<>(Keys.NAME_ORDER);
    /** predicate -> value -> subjects. */
    private final Map<String, Map<Value, TreeSet<String>>> byPredicateValue = new HashMap<>();
    private final Map<String, List<Assertion>> bySource = new HashMap<>();
    /** Retractions whose target has not arrived (or was erased), by target. */
    private final Map<AssertionId, List<Retraction>> waiting = new HashMap<>();
    private final ErasureRules erasures = new ErasureRules();
    /** Erased claim id -> the erasure its mark names; read without a lock, written under the write lock. */
    private final ConcurrentHashMap<AssertionId, Erasure> marks = new ConcurrentHashMap<>();
    /** The erased claims of each fact, for its history; written under the write lock. */
    private final ConcurrentHashMap<FactKey, List<ErasedClaim>> erasedByFact = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    /** Named checkpoints ({@link #commit(List, Map)}); guarded by lock. */
    private final Map<String, byte[]> checkpoints = new HashMap<>();

    /** The counters as of the last commit, and the sequence number that makes a commit visible. */
    private record Tip(long sequence, long claims, long retractions, Hlc maxHlc, IdDigest total) {}

    private record FactKey(String subject, String predicate) {}

    /**
     * One fact: its claims and the retractions of them in arrival order, in arrays that only the
     * committing thread writes (and only past what a published snapshot covers), and its two
     * newest snapshots.
     */
    private static final class Fact {
        final String subject;
        final String predicate;
        // Written only by the committing thread, under the engine's write lock; readers see them only
        // through a published Snapshot.
        Claim[] claims = NO_CLAIMS;
        int claimCount;
        Retraction[] retractions = NO_RETRACTIONS;
        int retractionCount;
        /** The newest snapshot, possibly of a commit still running; null before the first commit ends. */
        volatile Snapshot current;
        /** The snapshot before it, visible once {@link #current} was published. */
        volatile Snapshot previous;

        Fact(String subject, String predicate) {
            this.subject = subject;
            this.predicate = predicate;
        }

        void add(Claim c) {
            if (claimCount == claims.length) {
                claims = Arrays.copyOf(claims, Math.max(2, claimCount * 2));
            }
            claims[claimCount++] = c;
        }

        void add(Retraction r) {
            if (retractionCount == retractions.length) {
                retractions = Arrays.copyOf(retractions, Math.max(2, retractionCount * 2));
            }
            retractions[retractionCount++] = r;
        }

        /** Once per commit that changed this fact, after its last change. */
        void publish(long sequence) {
            previous = current;
            current = new Snapshot(this, sequence);
        }

        /**
         * The newest snapshot a reader may see, or null. {@code current} is read before the tip:
         * if it is visible by then, it was the fact's state when its commit published; if not, its
         * commit is still running and {@code previous}, read after, is the state before it (or a
         * later one that published meanwhile, which is as good: it was current during this read).
         */
        Snapshot visible(InMemoryEngine engine) {
            Snapshot s = current;
            if (s == null || s.sequence <= engine.tip.sequence) {
                return s;
            }
            return previous;
        }
    }

    /** A fact as one commit left it: how much of its arrays is its. Immutable but for the evidence built on first read. */
    private static final class Snapshot {
        final long sequence;
        private final String subject;
        private final String predicate;
        private final Claim[] claims;
        private final int claimCount;
        private final Retraction[] retractions;
        private final int retractionCount;
        /** Built by the first read; racing readers may both build it, and get equal evidence. */
        private volatile Evidence evidence;

        Snapshot(Fact fact, long sequence) {
            this.sequence = sequence;
            this.subject = fact.subject;
            this.predicate = fact.predicate;
            this.claims = fact.claims;
            this.claimCount = fact.claimCount;
            this.retractions = fact.retractions;
            this.retractionCount = fact.retractionCount;
        }

        Evidence evidence() {
            Evidence e = evidence;
            if (e == null) {
                Assertion[] ordered = new Assertion[claimCount + retractionCount];
                System.arraycopy(claims, 0, ordered, 0, claimCount);
                System.arraycopy(retractions, 0, ordered, claimCount, retractionCount);
                Arrays.sort(ordered, 0, claimCount, Assertion.RECORD_ORDER);
                Arrays.sort(ordered, claimCount, ordered.length, Assertion.RECORD_ORDER);
                e = Evidence.ofOrdered(subject, predicate, Arrays.asList(ordered));
                evidence = e;
            }
            return e;
        }
    }

    /** An empty engine for replica {@code nodeId}. */
    public InMemoryEngine(long nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public long nodeId() {
        checkOpen();
        return nodeId;
    }

    /**
     * Re-hashes every assertion and checks that the log, the counters and the indexes account for
     * each exactly once. The heap holds decoded objects, so this finds bugs, not bit rot.
     */
    @Override
    public VerifyReport verify() {
        return locked(() -> {
            List<String> problems = new ArrayList<>();
            Tip t = tip;
            for (Map.Entry<AssertionId, Change> e : byId.entrySet()) {
                if (!AssertionId.hashOf(e.getValue().assertion().canonicalBytes()).equals(e.getKey())) {
                    problems.add("assertion " + e.getKey() + " does not hash to its id");
                }
            }
            if (!IdDigest.of(byId.keySet()).equals(t.total())) {
                problems.add("the digest of the whole set does not match the ids stored");
            }
            long logged = log.stream().filter(Objects::nonNull).count();
            long counted = t.claims() + t.retractions() + erasures.size();
            if (logged != byId.size() || counted != byId.size() || t.sequence() != log.size()) {
                problems.add("the log holds " + logged + " entries and the counters " + counted
                        + " for " + byId.size() + " assertions");
            }
            for (AssertionId erased : marks.keySet()) {
                if (byId.containsKey(erased)) {
                    problems.add("claim " + erased + " is marked erased but its content is stored");
                }
            }
            long indexEntries = 0;
            for (List<Assertion> bySrc : bySource.values()) {
                indexEntries += bySrc.size();
            }
            for (Fact f : facts.values()) {
                indexEntries += f.claimCount;
            }
            return new VerifyReport(byId.size(), indexEntries, problems.size(), problems);
        });
    }

    @Override
    public List<Change> commit(List<? extends Assertion> assertions) {
        return commit(assertions, Map.of());
    }

    @Override
    public List<Change> commit(List<? extends Assertion> assertions, Map<String, byte[]> checkpoints) {
        checkpoints.forEach(Engine::checkCheckpoint);
        long stamp = lock.writeLock();
        try {
            checkOpen();
            for (Assertion a : assertions) {
                // Checked before anything changes, so that a bad element leaves no partial commit.
                Objects.requireNonNull(a, "a commit's assertions must not be null");
            }
            Tip before = tip;
            long claims = before.claims();
            long retractions = before.retractions();
            Hlc maxHlc = before.maxHlc();
            IdDigest total = before.total();
            Set<Fact> changed = new LinkedHashSet<>();
            List<Change> added = new ArrayList<>();
            // a claim of this commit that one of its erasures covers is never stored, whatever their order
            List<Erasure> erasuresHere = new ArrayList<>();
            for (Assertion a : assertions) {
                if (a instanceof Erasure e && !byId.containsKey(e.id())) {
                    erasuresHere.add(e);
                }
            }
            for (Assertion a : assertions) {
                if (byId.containsKey(a.id())) {
                    continue;
                }
                if (marks.containsKey(a.id())) {
                    refused.incrementAndGet();
                    continue;
                }
                if (a instanceof Claim c) {
                    Erasure by = erasures.covering(c, erasuresHere);
                    if (by != null) {
                        mark(c, by);
                        refused.incrementAndGet();
                        continue;
                    }
                }
                Change change = new Change(log.size() + 1, a);
                byId.put(a.id(), change);
                log.add(change);
                added.add(change);
                index(a);
                total = total.plus(a.id());
                if (maxHlc == null || a.hlc().isAfter(maxHlc)) {
                    maxHlc = a.hlc();
                }
                if (a instanceof Claim c) {
                    Fact fact = fact(c);
                    fact.add(c);
                    for (Retraction r : waiting.getOrDefault(c.id(), List.of())) {
                        fact.add(r);
                    }
                    waiting.remove(c.id());
                    changed.add(fact);
                    claims++;
                } else if (a instanceof Erasure e) {
                    for (Claim covered : storedCoveredBy(e)) {
                        Fact fact = erase(covered, e);
                        changed.add(fact);
                        claims--;
                        total = total.minus(covered.id());
                    }
                } else {
                    Retraction r = (Retraction) a;
                    Change target = byId.get(r.target());
                    if (target != null && target.assertion() instanceof Claim c) {
                        Fact fact = fact(c);
                        fact.add(r);
                        changed.add(fact);
                    } else {
                        waiting.computeIfAbsent(r.target(), t -> new ArrayList<>()).add(r);
                    }
                    retractions++;
                }
            }
            if (!erasuresHere.isEmpty()) {
                erasures.add(erasuresHere);
            }
            checkpoints.forEach((name, value) -> this.checkpoints.put(name, value.clone()));
            if (!added.isEmpty()) {
                long sequence = log.size();
                changed.forEach(f -> f.publish(sequence));
                tip = new Tip(sequence, claims, retractions, maxHlc, total);
            }
            return added;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The stored claims {@code e} covers; under the write lock. */
    private List<Claim> storedCoveredBy(Erasure e) {
        List<Claim> covered = new ArrayList<>();
        if (e.scope().kind() == Erasure.ScopeKind.IDS) {
            for (AssertionId target : e.scope().targets()) {
                Change c = byId.get(target);
                if (c != null && c.assertion() instanceof Claim claim) {
                    covered.add(claim);
                }
            }
            return covered;
        }
        for (String predicate : predicatesBySubject.getOrDefault(e.scope().subject(), new TreeSet<>())) {
            Fact fact = facts.get(new FactKey(e.scope().subject(), predicate));
            for (int i = 0; i < fact.claimCount; i++) {
                if (e.covers(fact.claims[i])) {
                    covered.add(fact.claims[i]);
                }
            }
        }
        return covered;
    }

    /** Marks {@code c} erased by {@code by}; under the write lock. */
    private void mark(Claim c, Erasure by) {
        marks.put(c.id(), by);
        erasedByFact.merge(new FactKey(c.subject(), c.predicate()), List.of(new ErasedClaim(c.id(), by)), (had, more) -> {
            List<ErasedClaim> all = new ArrayList<>(had);
            all.addAll(more);
            return List.copyOf(all);
        });
    }

    /**
     * Deletes the stored claim {@code c}'s content from every structure, keeps its id as a mark of
     * {@code by}, and returns its fact, whose new snapshot the commit publishes. Its retractions
     * stay stored; they leave the fact and wait, as for a target that never arrived. Under the
     * write lock.
     */
    private Fact erase(Claim c, Erasure by) {
        AssertionId id = c.id();
        Change stored = byId.remove(id);
        log.set((int) stored.sequence() - 1, null);
        sortedIds.remove(id);
        int b = id.prefix16();
        buckets[b] = buckets[b].minus(id);
        bySource.get(c.source()).remove(c);
        Fact fact = fact(c);
        Claim[] kept = new Claim[fact.claimCount - 1];
        int k = 0;
        boolean sameValueKept = false;
        for (int i = 0; i < fact.claimCount; i++) {
            if (!fact.claims[i].id().equals(id)) {
                kept[k++] = fact.claims[i];
                sameValueKept |= fact.claims[i].value().equals(c.value());
            }
        }
        fact.claims = kept;
        fact.claimCount = kept.length;
        List<Retraction> keptRetractions = new ArrayList<>();
        for (int i = 0; i < fact.retractionCount; i++) {
            Retraction r = fact.retractions[i];
            if (r.target().equals(id)) {
                waiting.computeIfAbsent(id, t -> new ArrayList<>()).add(r);
            } else {
                keptRetractions.add(r);
            }
        }
        fact.retractions = keptRetractions.toArray(NO_RETRACTIONS);
        fact.retractionCount = fact.retractions.length;
        if (!sameValueKept) {
            Map<Value, TreeSet<String>> byValue = byPredicateValue.get(c.predicate());
            TreeSet<String> subjects = byValue.get(c.value());
            subjects.remove(c.subject());
            if (subjects.isEmpty()) {
                byValue.remove(c.value());
            }
        }
        if (fact.claimCount == 0) {
            TreeSet<String> predicates = predicatesBySubject.get(c.subject());
            predicates.remove(c.predicate());
            if (predicates.isEmpty()) {
                predicatesBySubject.remove(c.subject());
            }
        }
        mark(c, by);
        return fact;
    }

    /** The fact of {@code c}, created on its first claim; under the write lock. */
    private Fact fact(Claim c) {
        return facts.computeIfAbsent(new FactKey(c.subject(), c.predicate()), k -> new Fact(k.subject(), k.predicate()));
    }

    /** Adds {@code a} to the listings; under the write lock. */
    private void index(Assertion a) {
        AssertionId id = a.id();
        sortedIds.add(id);
        int b = id.prefix16();
        buckets[b] = buckets[b] == null ? IdDigest.of(id) : buckets[b].plus(id);
        bySource.computeIfAbsent(a.source(), s -> new ArrayList<>()).add(a);
        if (a instanceof Claim c) {
            predicatesBySubject.computeIfAbsent(c.subject(), s -> new TreeSet<>(Utf8.CODE_POINT_ORDER)).add(c.predicate());
            byPredicateValue.computeIfAbsent(c.predicate(), p -> new HashMap<>())
                    .computeIfAbsent(c.value(), v -> new TreeSet<>(Utf8.CODE_POINT_ORDER)).add(c.subject());
        }
    }

    /** The change that stored {@code id}, if a commit made it visible; the tip is read first, so no later commit's change passes. */
    private Change visibleChange(AssertionId id) {
        long visible = tip.sequence();
        Change c = byId.get(id);
        return c != null && c.sequence() <= visible ? c : null;
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        checkOpen();
        Change c = visibleChange(id);
        return c == null ? Optional.empty() : Optional.of(c.assertion());
    }

    @Override
    public Kind kindOf(AssertionId id) {
        checkOpen();
        Change c = visibleChange(id);
        return c == null ? Kind.ABSENT : c.assertion() instanceof Claim ? Kind.CLAIM
                : c.assertion() instanceof Retraction ? Kind.RETRACTION : Kind.ERASURE;
    }

    @Override
    public Optional<Erasure> erasedBy(AssertionId id) {
        checkOpen();
        return Optional.ofNullable(marks.get(id));
    }

    @Override
    public ErasureStats erasureStats() {
        return locked(() -> new ErasureStats(erasures.size(), marks.size(), refused.get()));
    }

    @Override
    public boolean contains(AssertionId id) {
        checkOpen();
        return visibleChange(id) != null;
    }

    @Override
    public Evidence evidence(String subject, String predicate) {
        checkOpen();
        FactKey key = new FactKey(subject, predicate);
        Fact fact = facts.get(key);
        Snapshot s = fact == null ? null : fact.visible(this);
        Evidence e = s == null ? Evidence.ofOrdered(subject, predicate, List.of()) : s.evidence();
        return erasedByFact.isEmpty() ? e : e.withErased(erasedByFact.getOrDefault(key, List.of()));
    }

    @Override
    public List<String> subjects(@Nullable String afterSubject, int limit) {
        Args.limit(limit);
        return locked(() -> {
            List<String> subjects = new ArrayList<>();
            for (String s : afterSubject == null ? predicatesBySubject.keySet() : predicatesBySubject.tailMap(afterSubject, false).keySet()) {
                if (subjects.size() >= limit) {
                    break;
                }
                subjects.add(s);
            }
            return subjects;
        });
    }

    @Override
    public List<String> predicates(String subject) {
        return locked(() -> {
            TreeSet<String> predicates = predicatesBySubject.get(subject);
            return predicates == null ? List.of() : List.copyOf(predicates);
        });
    }

    @Override
    public List<String> subjectsWith(String predicate, Value value) {
        return locked(() -> {
            TreeSet<String> subjects = byPredicateValue.getOrDefault(predicate, Map.of()).get(value);
            return subjects == null ? List.of() : List.copyOf(subjects);
        });
    }

    @Override
    public List<Assertion> bySource(String source) {
        return locked(() -> {
            List<Assertion> found = new ArrayList<>(bySource.getOrDefault(source, List.of()));
            found.sort(Assertion.RECORD_ORDER);
            return found;
        });
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        Args.feed(afterSequence, limit);
        return locked(() -> {
            if (afterSequence >= log.size()) {
                return List.of();
            }
            List<Change> found = new ArrayList<>();
            for (int i = (int) afterSequence; i < log.size() && found.size() < limit; i++) {
                // an erased claim's entry is null: the feed skips it, as the RocksDB log does
                if (log.get(i) != null) {
                    found.add(log.get(i));
                }
            }
            return found;
        });
    }

    @Override
    public IdDigest digest() {
        checkOpen();
        return tip.total();
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        Args.bucket(bucket);
        return locked(() -> buckets[bucket] == null ? IdDigest.empty() : buckets[bucket]);
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte @Nullable [] high, int limit) {
        Args.limit(limit);
        return locked(() -> {
            List<AssertionId> found = new ArrayList<>();
            for (AssertionId id : sortedIds.tailSet(lowestIdFrom(low), true)) {
                if (found.size() >= limit || (high != null && Arrays.compareUnsigned(id.toBytes(), high) >= 0)) {
                    break;
                }
                found.add(id);
            }
            return found;
        });
    }

    /** The smallest id that is not below {@code low}: low padded with zero bytes (or cut) to 32 bytes, rounded up if cut. */
    private static AssertionId lowestIdFrom(byte[] low) {
        byte[] padded = Arrays.copyOf(low, AssertionId.LENGTH);
        if (low.length > AssertionId.LENGTH && Arrays.compareUnsigned(padded, low) < 0) {
            throw new IllegalArgumentException("a bound longer than an id is not supported");
        }
        return AssertionId.fromBytes(padded);
    }

    @Override
    public long lastSequence() {
        checkOpen();
        return tip.sequence();
    }

    @Override
    public EngineStats stats() {
        checkOpen();
        Tip t = tip;
        return new EngineStats(t.claims(), t.retractions(), t.sequence());
    }

    @Override
    public Map<String, String> properties() {
        checkOpen();
        return Map.of();
    }

    @Override
    public Optional<Hlc> maxHlc() {
        checkOpen();
        return Optional.ofNullable(tip.maxHlc());
    }

    @Override
    public Optional<byte[]> checkpoint(String name) {
        Objects.requireNonNull(name, "name");
        return locked(() -> Optional.ofNullable(checkpoints.get(name)).map(byte[]::clone));
    }

    /** The heap holds no garbage to rewrite: there is nothing to compact. */
    @Override
    public void compact() {
        checkOpen();
    }

    @Override
    public void close() {
        long stamp = lock.writeLock();
        try {
            closed = true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Runs a read of the listings under the read lock, so that it sees whole commits. */
    private <T> T locked(Supplier<T> body) {
        long stamp = lock.readLock();
        try {
            checkOpen();
            return body.get();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new EngineClosedException("this in-memory engine");
        }
    }
}
