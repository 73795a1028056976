package io.stemedb.storage;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Utf8;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * An {@link Engine} on the Java heap: no files, no native code. It is the test fixture behind
 * {@code StemeDB.inMemory()} and the oracle the other engines are checked against, so it favours
 * plainness over speed. One read-write lock guards everything: readers run together, a commit
 * runs alone, so readers never see part of a commit.
 */
public final class InMemoryEngine implements Engine {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<AssertionId, Assertion> byId = new HashMap<>();
    private final List<Assertion> log = new ArrayList<>();
    private final TreeSet<AssertionId> sortedIds = new TreeSet<>();
    private final IdDigest[] buckets = new IdDigest[BUCKETS];
    private IdDigest total = IdDigest.empty();
    /** subject -> predicate -> claims, in arrival order. */
    private final TreeMap<String, TreeMap<String, List<Claim>>> bySubject = new TreeMap<>(Keys.NAME_ORDER);
    /** predicate -> value -> subjects. */
    private final Map<String, Map<Value, TreeSet<String>>> byPredicateValue = new HashMap<>();
    private final Map<String, List<Assertion>> bySource = new HashMap<>();
    private final Map<AssertionId, List<Retraction>> retractionsByTarget = new HashMap<>();
    private final long nodeId;
    private long claims;
    private long retractions;
    private Hlc maxHlc;
    private boolean closed;

    /** An empty engine for replica {@code nodeId}. */
    public InMemoryEngine(long nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public long nodeId() {
        return read(() -> nodeId);
    }

    /**
     * Re-hashes every assertion and checks that the log, the counters and the indexes account for
     * each exactly once. The heap holds decoded objects, so this finds bugs, not bit rot.
     */
    @Override
    public VerifyReport verify() {
        return read(() -> {
            List<String> problems = new ArrayList<>();
            long indexEntries = 0;
            for (Map.Entry<AssertionId, Assertion> e : byId.entrySet()) {
                if (!AssertionId.hashOf(e.getValue().canonicalBytes()).equals(e.getKey())) {
                    problems.add("assertion " + e.getKey() + " does not hash to its id");
                }
            }
            if (!IdDigest.of(byId.keySet()).equals(total)) {
                problems.add("the digest of the whole set does not match the ids stored");
            }
            if (log.size() != byId.size() || claims + retractions != byId.size()) {
                problems.add("the log holds " + log.size() + " entries and the counters " + (claims + retractions)
                        + " for " + byId.size() + " assertions");
            }
            for (List<Assertion> bySrc : bySource.values()) {
                indexEntries += bySrc.size();
            }
            for (TreeMap<String, List<Claim>> predicates : bySubject.values()) {
                for (List<Claim> list : predicates.values()) {
                    indexEntries += list.size();
                }
            }
            return new VerifyReport(byId.size(), indexEntries, problems.size(), problems);
        });
    }

    @Override
    public List<Change> commit(List<? extends Assertion> assertions) {
        lock.writeLock().lock();
        try {
            checkOpen();
            for (Assertion a : assertions) {
                // Checked before anything changes, so that a bad element leaves no partial commit.
                Objects.requireNonNull(a, "a commit's assertions must not be null");
            }
            List<Change> added = new ArrayList<>();
            for (Assertion a : assertions) {
                if (byId.putIfAbsent(a.id(), a) == null) {
                    index(a);
                    log.add(a);
                    added.add(new Change(log.size(), a));
                }
            }
            return added;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void index(Assertion a) {
        AssertionId id = a.id();
        sortedIds.add(id);
        int b = id.prefix16();
        buckets[b] = buckets[b] == null ? IdDigest.of(id) : buckets[b].plus(id);
        total = total.plus(id);
        bySource.computeIfAbsent(a.source(), s -> new ArrayList<>()).add(a);
        if (maxHlc == null || a.hlc().isAfter(maxHlc)) {
            maxHlc = a.hlc();
        }
        if (a instanceof Claim) {
            Claim c = (Claim) a;
            bySubject.computeIfAbsent(c.subject(), s -> new TreeMap<>(Utf8.CODE_POINT_ORDER))
                    .computeIfAbsent(c.predicate(), p -> new ArrayList<>()).add(c);
            byPredicateValue.computeIfAbsent(c.predicate(), p -> new HashMap<>())
                    .computeIfAbsent(c.value(), v -> new TreeSet<>(Utf8.CODE_POINT_ORDER)).add(c.subject());
            claims++;
        } else {
            Retraction r = (Retraction) a;
            retractionsByTarget.computeIfAbsent(r.target(), t -> new ArrayList<>()).add(r);
            retractions++;
        }
    }

    @Override
    public Optional<Assertion> get(AssertionId id) {
        return read(() -> Optional.ofNullable(byId.get(id)));
    }

    @Override
    public boolean contains(AssertionId id) {
        return read(() -> byId.containsKey(id));
    }

    @Override
    public Evidence evidence(String subject, String predicate) {
        return read(() -> {
            List<Assertion> found = new ArrayList<>();
            TreeMap<String, List<Claim>> predicates = bySubject.get(subject);
            List<Claim> claimsOfFact = predicates == null ? null : predicates.get(predicate);
            if (claimsOfFact != null) {
                for (Claim c : claimsOfFact) {
                    found.add(c);
                    found.addAll(retractionsByTarget.getOrDefault(c.id(), List.of()));
                }
            }
            return Evidence.of(subject, predicate, found);
        });
    }

    @Override
    public List<String> subjects(String afterSubject, int limit) {
        Args.limit(limit);
        return read(() -> {
            List<String> subjects = new ArrayList<>();
            for (String s : afterSubject == null ? bySubject.keySet() : bySubject.tailMap(afterSubject, false).keySet()) {
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
        return read(() -> {
            TreeMap<String, List<Claim>> predicates = bySubject.get(subject);
            return predicates == null ? List.of() : List.copyOf(predicates.keySet());
        });
    }

    @Override
    public List<String> subjectsWith(String predicate, Value value) {
        return read(() -> {
            TreeSet<String> subjects = byPredicateValue.getOrDefault(predicate, Map.of()).get(value);
            return subjects == null ? List.of() : List.copyOf(subjects);
        });
    }

    @Override
    public List<Assertion> bySource(String source) {
        return read(() -> {
            List<Assertion> found = new ArrayList<>(bySource.getOrDefault(source, List.of()));
            found.sort(Assertion.RECORD_ORDER);
            return found;
        });
    }

    @Override
    public List<Change> changesSince(long afterSequence, int limit) {
        Args.feed(afterSequence, limit);
        return read(() -> {
            List<Change> changes = new ArrayList<>();
            for (long seq = afterSequence + 1; afterSequence < log.size() && seq <= log.size() && changes.size() < limit; seq++) {
                changes.add(new Change(seq, log.get((int) (seq - 1))));
            }
            return changes;
        });
    }

    @Override
    public IdDigest digest() {
        return read(() -> total);
    }

    @Override
    public IdDigest bucketDigest(int bucket) {
        Args.bucket(bucket);
        return read(() -> buckets[bucket] == null ? IdDigest.empty() : buckets[bucket]);
    }

    @Override
    public List<AssertionId> ids(byte[] low, byte[] high, int limit) {
        Args.limit(limit);
        return read(() -> {
            List<AssertionId> found = new ArrayList<>();
            for (AssertionId id : sortedIds.tailSet(lowestIdFrom(low), true)) {
                if (found.size() >= limit || (high != null && java.util.Arrays.compareUnsigned(id.toBytes(), high) >= 0)) {
                    break;
                }
                found.add(id);
            }
            return found;
        });
    }

    /** The smallest id that is not below {@code low}: low padded with zero bytes (or cut) to 32 bytes, rounded up if cut. */
    private static AssertionId lowestIdFrom(byte[] low) {
        byte[] padded = java.util.Arrays.copyOf(low, AssertionId.LENGTH);
        if (low.length > AssertionId.LENGTH && java.util.Arrays.compareUnsigned(padded, low) < 0) {
            throw new IllegalArgumentException("a bound longer than an id is not supported");
        }
        return AssertionId.fromBytes(padded);
    }

    @Override
    public long lastSequence() {
        return read(() -> (long) log.size());
    }

    @Override
    public EngineStats stats() {
        return read(() -> new EngineStats(claims, retractions, log.size()));
    }

    @Override
    public Map<String, String> properties() {
        return read(Map::of);
    }

    @Override
    public Optional<Hlc> maxHlc() {
        return read(() -> Optional.ofNullable(maxHlc));
    }

    /** The heap holds no garbage to rewrite: there is nothing to compact. */
    @Override
    public void compact() {
        read(() -> null);
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new EngineClosedException("this in-memory engine");
        }
    }
}
