package io.stemedb.sync;

import static io.stemedb.sync.SyncFixtures.assertConverged;
import static io.stemedb.sync.SyncFixtures.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.merkle.SyncException;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.statistics.Statistics;

/**
 * Replicas with random overlaps (claims and retractions, some of them retractions of claims the
 * replica does not hold), synced pairwise in any order until nothing moves, hold the same
 * assertions: exactly the union of what they started with, with equal persisted digests. Also
 * through a transport that drops requests, loses replies, delivers requests twice and corrupts
 * replies, with the failed sessions simply run again. Scenarios mix single claims and
 * retractions (up to 150) with up to two blocks of up to 800 claims, so that the trees are several
 * levels deep and replies get long. Tries: 250 for pairs, 200 for triples, 200 for faulty
 * transports, 50 for duplicated and lost pushes (each property takes 3 to 15 s on a busy
 * two-core machine).
 */
class SyncConvergenceProperties {
    static final long BASE = 1_700_000_000_000L;

    /** How the items are spread over the replicas. */
    enum Spread { RANDOM, ONE_EMPTY, ALL_EQUAL }

    /** One assertion to create: a claim, or a retraction of an earlier item; {@code mask} says which replicas hold it. */
    record Item(boolean retraction, int mask, int subject, int value, int source, int target) {}

    /** Many claims written in one batch on one replica and merged into the others of {@code mask}: deeper trees. */
    record Block(int mask, int size) {}

    /** A scenario: the replicas' contents and the order of the sessions to run first. */
    record Scenario(int replicas, Spread spread, List<Item> items, List<Block> blocks, List<int[]> sessions) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(replicas + " replicas, " + spread + ", " + items.size() + " items, blocks "
                    + blocks + ", sessions");
            sessions.forEach(p -> s.append(' ').append(p[0]).append("->").append(p[1]));
            return s.toString();
        }
    }

    static Arbitrary<Scenario> scenarios(int replicas, int maxItems) {
        Arbitrary<Item> item = Combinators.combine(
                Arbitraries.integers().between(0, 4).map(x -> x == 0),
                Arbitraries.integers().between(1, (1 << replicas) - 1),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 1000)).as(Item::new);
        Arbitrary<int[]> pair = Arbitraries.integers().between(0, replicas - 1).tuple2()
                .filter(t -> !t.get1().equals(t.get2())).map(t -> new int[] {t.get1(), t.get2()});
        Arbitrary<Block> block = Combinators.combine(Arbitraries.integers().between(1, (1 << replicas) - 1),
                Arbitraries.integers().between(1, 800)).as(Block::new);
        return Combinators.combine(Arbitraries.of(Spread.class),
                        item.list().ofMaxSize(maxItems).withSizeDistribution(RandomDistribution.uniform()),
                        block.list().ofMaxSize(2), pair.list().ofMaxSize(6))
                .as((spread, items, blocks, sessions) -> new Scenario(replicas, spread, items, blocks, sessions));
    }

    @Provide
    Arbitrary<Scenario> pairs() {
        return scenarios(2, 150);
    }

    @Provide
    Arbitrary<Scenario> triples() {
        return scenarios(3, 120);
    }

    /** Builds the replicas of a scenario; returns the ids of everything created. */
    static Set<AssertionId> build(Scenario s, List<StemeDB> dbs) {
        for (int i = 0; i < s.replicas(); i++) {
            dbs.add(StemeDB.builder().nodeId(100 + i).inMemory());
        }
        int all = (1 << s.replicas()) - 1;
        List<Assertion> made = new ArrayList<>();
        for (int n = 0; n < s.items().size(); n++) {
            Item item = s.items().get(n);
            int mask = s.spread() == Spread.ALL_EQUAL ? all
                    : s.spread() == Spread.ONE_EMPTY ? Math.max(1, item.mask() & (all >> 1)) : item.mask();
            int author = Integer.numberOfTrailingZeros(mask);
            StemeDB db = dbs.get(author);
            String source = "src" + item.source();
            Assertion a;
            Assertion target = made.isEmpty() ? null : made.get(item.target() % made.size());
            if (item.retraction() && target instanceof Claim) {
                if (db.get(target.id()).isPresent()) {
                    a = db.get(db.retract(target.id(), source)).orElseThrow();
                } else {
                    // A retraction of a claim this replica has not seen: it arrives by merge, as from a third replica.
                    a = Retraction.of(target.id(), source, Hlc.of(BASE + n, 0, 999), null);
                    assertEquals(1, db.merge(List.of(a)).added());
                }
            } else {
                AssertionId id = db.assertion("s" + item.subject(), "p" + (item.value() % 2), Value.integer(item.value()))
                        .source(source).commit();
                a = db.get(id).orElseThrow();
            }
            made.add(a);
            for (int r = 0; r < s.replicas(); r++) {
                if (r != author && (mask & (1 << r)) != 0) {
                    dbs.get(r).merge(List.of(a));
                }
            }
        }
        for (int k = 0; k < s.blocks().size(); k++) {
            Block block = s.blocks().get(k);
            int mask = s.spread() == Spread.ALL_EQUAL ? all
                    : s.spread() == Spread.ONE_EMPTY ? Math.max(1, block.mask() & (all >> 1)) : block.mask();
            int author = Integer.numberOfTrailingZeros(mask);
            String tag = "block" + k;
            List<AssertionId> ids = dbs.get(author).write(batch -> {
                for (int i = 0; i < block.size(); i++) {
                    batch.assertion(tag + "-" + i, "p", Value.integer(i)).source(tag);
                }
            });
            List<Assertion> written = ids.stream().map(id -> dbs.get(author).get(id).orElseThrow()).toList();
            made.addAll(written);
            for (int r = 0; r < s.replicas(); r++) {
                if (r != author && (mask & (1 << r)) != 0) {
                    dbs.get(r).merge(written);
                }
            }
        }
        Set<AssertionId> union = new LinkedHashSet<>();
        made.forEach(a -> union.add(a.id()));
        return union;
    }

    /**
     * Runs the scenario's sessions, then passes over every ordered pair until a pass in which
     * every session succeeds and moves nothing; returns the number of passes.
     */
    static int syncToFixpoint(Scenario s, List<StemeDB> dbs, TransportFactory transports, int maxPasses) {
        for (int[] p : s.sessions()) {
            try {
                dbs.get(p[0]).syncWith(transports.to(p[0], p[1]));
            } catch (SyncException e) {
                // a faulty transport: the fixpoint passes finish the job
            }
        }
        for (int pass = 1; pass <= maxPasses; pass++) {
            boolean quiet = true;
            for (int i = 0; i < dbs.size(); i++) {
                for (int j = 0; j < dbs.size(); j++) {
                    if (i == j) {
                        continue;
                    }
                    try {
                        SyncReport r = dbs.get(i).syncWith(transports.to(i, j));
                        quiet &= r.wasInSync() && r.refusedHere().isEmpty() && r.refusedByPeer().isEmpty();
                    } catch (SyncException e) {
                        quiet = false;
                    }
                }
            }
            if (quiet) {
                return pass;
            }
        }
        throw new AssertionError("no fixpoint after " + maxPasses + " passes");
    }

    interface TransportFactory {
        SyncTransport to(int from, int to);
    }

    static void check(Scenario s) {
        List<StemeDB> dbs = new ArrayList<>();
        try {
            Set<AssertionId> union = build(s, dbs);
            if (s.spread() == Spread.ONE_EMPTY) {
                assertTrue(ids(dbs.get(s.replicas() - 1)).isEmpty());
            }
            int passes = syncToFixpoint(s, dbs, (i, j) -> SyncTransport.inProcess(dbs.get(j).syncResponder()), 5);
            // Honest transports: one pass over all pairs makes every replica equal, the next confirms it.
            assertTrue(passes <= 2, "passes: " + passes);
            assertConverged(dbs, union);
            Statistics.label("spread").collect(s.spread());
            Statistics.label("assertions").collect(union.size() < 20 ? "<20" : union.size() < 200 ? "20-199" : "200+");
        } finally {
            dbs.forEach(StemeDB::close);
        }
    }

    @Property(tries = 250)
    void pairsConverge(@ForAll("pairs") Scenario s) {
        check(s);
    }

    @Property(tries = 200)
    void triplesConverge(@ForAll("triples") Scenario s) {
        check(s);
    }

    // ------------------------------------------------------------------ faulty transports

    enum Fault { NONE, DROP_REQUEST, DROP_REPLY, DUPLICATE, CORRUPT_REPLY }

    /**
     * Faults applied to the exchanges of every transport in turn (one shared plan): a dropped
     * request (the session is cut before the peer sees it), a lost reply (the peer acted on it),
     * a request delivered twice, and a reply with one byte flipped. After the plan, exchanges go
     * through untouched.
     */
    static final class Faults {
        final List<Fault> plan;
        final List<Integer> positions;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger injected = new AtomicInteger();

        Faults(List<Fault> plan, List<Integer> positions) {
            this.plan = plan;
            this.positions = positions;
        }

        SyncTransport wrap(SyncTransport inner) {
            return request -> {
                int n = next.getAndIncrement();
                Fault f = n < plan.size() ? plan.get(n) : Fault.NONE;
                if (f != Fault.NONE) {
                    injected.incrementAndGet();
                }
                switch (f) {
                    case DROP_REQUEST:
                        throw new SyncException.PeerFailed("injected: request dropped", null);
                    case DROP_REPLY:
                        inner.exchange(request);
                        throw new SyncException.PeerFailed("injected: reply lost", null);
                    case DUPLICATE:
                        inner.exchange(request.clone());
                        return inner.exchange(request);
                    case CORRUPT_REPLY: {
                        byte[] reply = inner.exchange(request);
                        int at = positions.get(n) % reply.length;
                        reply[at] ^= (byte) (1 + positions.get(n) % 255);
                        return reply;
                    }
                    default:
                        return inner.exchange(request);
                }
            };
        }
    }

    @Provide
    Arbitrary<List<Fault>> plans() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Fault.NONE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Fault.DROP_REQUEST, Fault.DROP_REPLY, Fault.DUPLICATE,
                        Fault.CORRUPT_REPLY))).list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 200)
    void replicasConvergeThroughFaultyTransportsWhenFailedSessionsAreRetried(@ForAll("triples") Scenario s,
            @ForAll("plans") List<Fault> plan, @ForAll("positionLists") List<Integer> positions) {
        Faults faults = new Faults(plan, positions);
        List<StemeDB> dbs = new ArrayList<>();
        try {
            Set<AssertionId> union = build(s, dbs);
            syncToFixpoint(s, dbs, (i, j) -> faults.wrap(SyncTransport.inProcess(dbs.get(j).syncResponder())), plan.size() + 5);
            assertConverged(dbs, union);
            Statistics.label("faults injected").collect(faults.injected.get() == 0 ? "none" : faults.injected.get() < 5 ? "1-4" : "5+");
        } finally {
            dbs.forEach(StemeDB::close);
        }
    }

    @Provide
    Arbitrary<List<Integer>> positionLists() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofSize(25);
    }

    @Property(tries = 50)
    void aDuplicatedOrLostPushIsHarmless(@ForAll("pairs") Scenario s) {
        // Every exchange delivered twice, then every reply lost once: the replicas still end equal.
        List<StemeDB> dbs = new ArrayList<>();
        try {
            Set<AssertionId> union = build(s, dbs);
            List<Fault> plan = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                plan.add(i % 2 == 0 ? Fault.DUPLICATE : Fault.DROP_REPLY);
            }
            Faults faults = new Faults(plan, new ArrayList<>(java.util.Collections.nCopies(20, 0)));
            syncToFixpoint(s, dbs, (i, j) -> faults.wrap(SyncTransport.inProcess(dbs.get(j).syncResponder())), 30);
            assertConverged(dbs, union);
        } finally {
            dbs.forEach(StemeDB::close);
        }
    }
}
