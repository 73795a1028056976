package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.lens.Lenses;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Many threads writing to one database at once: nothing is lost or doubled, the change feed numbers
 * every assertion exactly once, and timestamps follow commit order because they are reserved in
 * queue order under the stamp lock.
 */
class ConcurrencyTest {
    static final int THREADS = 8;
    static final int COMMITS_PER_THREAD = 500;

    @Test
    void concurrentWritersLoseNothingAndTheFeedIsInTimestampOrder() throws Exception {
        try (StemeDB db = StemeDB.builder().nodeId(0x5EL).inMemory()) {
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writersDone = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            try {
                // A reader tails the change feed while the writers run: it must never see a gap,
                // a repeat, or a timestamp that goes backwards.
                Future<Long> tail = pool.submit(() -> {
                    start.await();
                    long cursor = 0;
                    Hlc last = null;
                    boolean finalRound = false;
                    while (!finalRound) {
                        finalRound = writersDone.get();
                        for (List<Change> page = db.changesSince(cursor, 64); !page.isEmpty(); page = db.changesSince(cursor, 64)) {
                            for (Change c : page) {
                                if (c.sequence() != cursor + 1) {
                                    fail("feed jumped from " + cursor + " to " + c.sequence());
                                }
                                if (last != null && !c.assertion().hlc().isAfter(last)) {
                                    fail("feed timestamps went back at " + c.sequence() + ": " + last + " then " + c.assertion().hlc());
                                }
                                last = c.assertion().hlc();
                                cursor = c.sequence();
                            }
                        }
                    }
                    return cursor;
                });

                List<Future<List<AssertionId>>> writers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    writers.add(pool.submit(() -> write(db, thread, start)));
                }
                start.countDown();
                List<AssertionId> written = new ArrayList<>();
                for (Future<List<AssertionId>> w : writers) {
                    written.addAll(w.get(120, TimeUnit.SECONDS));
                }
                writersDone.set(true);
                long tailed = tail.get(120, TimeUnit.SECONDS);

                Set<AssertionId> distinct = new HashSet<>(written);
                assertEquals(written.size(), distinct.size(), "every write made a distinct assertion");
                assertTrue(written.size() > THREADS * COMMITS_PER_THREAD, "batches add more than one each");
                assertEquals(written.size(), tailed, "the tailing reader saw every assertion");

                Stats stats = db.stats();
                assertEquals(written.size(), stats.assertions());
                assertEquals(written.size(), stats.lastSequence());
                long retractions = written.stream().filter(id -> db.get(id).orElseThrow() instanceof Retraction).count();
                assertEquals(retractions, stats.retractions());

                for (AssertionId id : written) {
                    Assertion a = db.get(id).orElseThrow(() -> new AssertionError("lost " + id));
                    assertEquals(id, a.id());
                }

                List<Change> feed = db.changesSince(0, Integer.MAX_VALUE);
                assertEquals(written.size(), feed.size());
                Set<AssertionId> inFeed = new HashSet<>();
                for (int i = 0; i < feed.size(); i++) {
                    Change c = feed.get(i);
                    assertEquals(i + 1, c.sequence(), "every sequence number exactly once, in order");
                    assertTrue(inFeed.add(c.assertion().id()), "an id appears twice in the feed");
                    if (i > 0) {
                        Hlc previous = feed.get(i - 1).assertion().hlc();
                        assertTrue(c.assertion().hlc().isAfter(previous),
                                "timestamps strictly increase in feed order at " + c.sequence() + ": " + previous + " then " + c.assertion().hlc());
                    }
                }
                assertEquals(distinct, inFeed);

                // Each thread's own fact ends with its own last claim, untouched by the others.
                for (int t = 0; t < THREADS; t++) {
                    assertEquals(Value.integer(COMMITS_PER_THREAD - 1),
                            db.resolve("thread" + t, "last", Lenses.latest()).value().orElseThrow());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Writers whose batches fail while being built (an invalid claim after a valid one), among
     * writers whose batches succeed: a failed batch stores nothing, not even its valid part, the
     * others are all stored, and the feed stays in timestamp order (a failed batch leaves only a
     * gap in the stamps).
     */
    @Test
    void aBatchThatFailsWhileBuiltStoresNothingAndHoldsNoOneUp() throws Exception {
        try (StemeDB db = StemeDB.builder().nodeId(0x5FL).inMemory()) {
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Integer>> writers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    writers.add(pool.submit(() -> {
                        start.await();
                        int stored = 0;
                        for (int i = 0; i < COMMITS_PER_THREAD; i++) {
                            int n = i;
                            boolean bad = (thread + i) % 3 == 0;
                            try {
                                db.write(b -> {
                                    b.assertion("thread" + thread, "good", Value.integer(n)).source("w" + thread);
                                    b.assertion("thread" + thread, "maybe", Value.integer(n)).source(bad ? "" : "w" + thread);
                                });
                                assertTrue(!bad, "a batch with an empty source was stored");
                                stored += 2;
                            } catch (Assertion.InvalidAssertionException e) {
                                assertTrue(bad, "a valid batch failed: " + e.getMessage());
                            }
                        }
                        return stored;
                    }));
                }
                start.countDown();
                long stored = 0;
                for (Future<Integer> w : writers) {
                    stored += w.get(120, TimeUnit.SECONDS);
                }
                List<Change> feed = db.changesSince(0, Integer.MAX_VALUE);
                assertEquals(stored, feed.size(), "exactly the assertions of the batches that succeeded");
                for (int i = 1; i < feed.size(); i++) {
                    assertTrue(feed.get(i).assertion().hlc().isAfter(feed.get(i - 1).assertion().hlc()),
                            "timestamps strictly increase in feed order at " + feed.get(i).sequence());
                }
                for (int t = 0; t < THREADS; t++) {
                    assertEquals(db.history("thread" + t, "good").claims().size(), db.history("thread" + t, "maybe").claims().size(),
                            "no batch stored its valid claim without its invalid one");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** One writer: a mix of single commits, batches, and retractions of its own earlier claims. */
    private static List<AssertionId> write(StemeDB db, int thread, CountDownLatch start) throws InterruptedException {
        start.await();
        List<AssertionId> ids = new ArrayList<>();
        List<AssertionId> myClaims = new ArrayList<>();
        for (int i = 0; i < COMMITS_PER_THREAD; i++) {
            int n = i;
            switch (i % 4) {
                case 0, 1 -> {
                    AssertionId id = db.assertion("thread" + thread, "last", Value.integer(n)).source("w" + thread).commit();
                    ids.add(id);
                    myClaims.add(id);
                }
                case 2 -> {
                    List<AssertionId> batch = db.write(b -> {
                        b.assertion("shared", "p" + (n % 5), Value.integer(n)).source("w" + thread);
                        b.assertion("thread" + thread, "batch", Value.text(thread + ":" + n)).source("w" + thread);
                        b.assertion("thread" + thread, "last", Value.integer(n)).source("w" + thread);
                    });
                    ids.addAll(batch);
                    myClaims.addAll(batch.subList(0, 2));
                }
                default -> {
                    // retract one of this thread's earlier "shared" or "batch" claims, and claim again
                    AssertionId target = myClaims.remove(myClaims.size() - 1);
                    ids.addAll(db.write(b -> {
                        b.retract(target, "w" + thread);
                        b.assertion("thread" + thread, "last", Value.integer(n)).source("w" + thread);
                    }));
                }
            }
        }
        // COMMITS_PER_THREAD - 1 is 3 mod 4: the thread's last commit claimed "last" = COMMITS_PER_THREAD - 1
        return ids;
    }
}
