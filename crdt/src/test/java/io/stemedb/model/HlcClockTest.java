package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HlcClockTest {
    private static final long NODE = 0xabcdefL;

    /** A wall clock that the test sets; reads are thread-safe. */
    static final class MutableClock extends Clock {
        final AtomicLong millis;

        MutableClock(long millis) {
            this.millis = new AtomicLong(millis);
        }

        void set(long m) {
            millis.set(m);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void followsTheWallClockAndCountsWithinAMillisecond() {
        MutableClock wall = new MutableClock(1_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        assertNull(clock.last());
        assertEquals(Hlc.of(1_000, 0, NODE), clock.now());
        assertEquals(Hlc.of(1_000, 1, NODE), clock.now());
        wall.set(1_005);
        assertEquals(Hlc.of(1_005, 0, NODE), clock.now());
        assertEquals(Hlc.of(1_005, 0, NODE), clock.last());
        assertEquals(NODE, clock.node());
    }

    @Test
    void neverGoesBackwardsWhenTheWallClockStepsBack() {
        MutableClock wall = new MutableClock(10_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        Hlc before = clock.now();
        wall.set(2_000); // NTP steps the clock back 8 seconds
        Hlc previous = before;
        for (int i = 0; i < 100; i++) {
            Hlc next = clock.now();
            assertTrue(next.isAfter(previous), next + " after " + previous);
            assertEquals(10_000, next.physicalMillis(), "the physical part holds until the wall catches up");
            previous = next;
        }
        wall.set(-5); // even a wall clock before the epoch
        assertTrue(clock.now().isAfter(previous));
        wall.set(10_001);
        Hlc caughtUp = clock.now();
        assertEquals(Hlc.of(10_001, 0, NODE), caughtUp);
    }

    @Test
    void observingAFarFutureTimestampMovesTheNextNowPastIt() {
        MutableClock wall = new MutableClock(1_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        clock.now();
        Hlc remote = Hlc.of(1_000L + 365L * 24 * 3600 * 1000, 17, 0xffffffffffffffffL); // a year ahead, max node
        clock.observe(remote);
        Hlc next = clock.now();
        assertTrue(next.isAfter(remote), next + " after " + remote);
        assertEquals(remote.physicalMillis(), next.physicalMillis());
        assertEquals(18, next.logical());
        assertEquals(NODE, next.node());
    }

    @Test
    void observingAnOlderTimestampChangesNothing() {
        MutableClock wall = new MutableClock(5_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        clock.now();
        clock.now();
        clock.observe(Hlc.of(4_000, 99, 1));
        clock.observe(Hlc.of(5_000, 0, 1));
        assertEquals(Hlc.of(5_000, 2, NODE), clock.now());
    }

    @Test
    void observingTheSameMillisecondWithAHigherCounter() {
        MutableClock wall = new MutableClock(5_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        clock.now();
        clock.observe(Hlc.of(5_000, 40, 1));
        assertEquals(Hlc.of(5_000, 41, NODE), clock.now());
    }

    @Test
    void logicalOverflowRollsThePhysicalPart() {
        MutableClock wall = new MutableClock(1_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        clock.observe(Hlc.of(1_000, Integer.MAX_VALUE - 1, 1));
        assertEquals(Hlc.of(1_000, Integer.MAX_VALUE, NODE), clock.now());
        Hlc rolled = clock.now();
        assertEquals(Hlc.of(1_001, 0, NODE), rolled, "one millisecond ahead of the wall rather than wrap");
        assertEquals(Hlc.of(1_001, 1, NODE), clock.now());
    }

    @Test
    void refusesToIssueAfterTheGreatestTimestampAndKeepsItsState() {
        MutableClock wall = new MutableClock(1_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        Hlc first = clock.now();
        clock.observe(Hlc.of(Long.MAX_VALUE, Integer.MAX_VALUE, 2));
        StemeException e = assertThrows(StemeException.class, clock::now);
        assertTrue(e.getMessage().contains("greatest HLC timestamp"), e.getMessage());
        assertEquals(Hlc.of(Long.MAX_VALUE, Integer.MAX_VALUE, NODE), clock.last(), "a refused now() changes nothing");
        assertThrows(StemeException.class, clock::now, "and never hands out an earlier timestamp again");
        assertTrue(first.compareTo(clock.last()) < 0);
    }

    @Test
    void startsAfterItsFloor() {
        MutableClock wall = new MutableClock(1_000);
        Hlc floor = Hlc.of(50_000, Integer.MAX_VALUE, 42);
        HlcClock clock = new HlcClock(wall, NODE, floor);
        assertEquals(Hlc.of(50_000, Integer.MAX_VALUE, NODE), clock.last());
        Hlc first = clock.now();
        assertTrue(first.compareTime(floor) > 0, first + " after " + floor);
        assertEquals(Hlc.of(50_001, 0, NODE), first);
    }

    @Test
    void concurrentCallersGetDistinctIncreasingTimestamps() throws Exception {
        MutableClock wall = new MutableClock(1_000);
        HlcClock clock = new HlcClock(wall, NODE, null);
        int threads = 8;
        int perThread = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Hlc>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int me = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Hlc> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        if (me == 0 && i % 1000 == 0) {
                            // the wall clock jitters forwards and backwards while others read
                            wall.set(1_000 + (i / 1000) * (i % 2000 == 0 ? 3 : -2));
                        }
                        mine.add(clock.now());
                    }
                    return mine;
                }));
            }
            start.countDown();
            Set<Hlc> all = new HashSet<>();
            for (Future<List<Hlc>> f : results) {
                List<Hlc> mine = f.get(60, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i).isAfter(mine.get(i - 1)), mine.get(i) + " after " + mine.get(i - 1));
                }
                all.addAll(mine);
            }
            assertEquals(threads * perThread, all.size(), "every timestamp is distinct");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void hlcOrderIsPhysicalThenLogicalThenUnsignedNode() {
        assertTrue(Hlc.of(2, 0, 0).isAfter(Hlc.of(1, 5, 5)));
        assertTrue(Hlc.of(1, 1, 0).isAfter(Hlc.of(1, 0, 5)));
        assertTrue(Hlc.of(1, 1, -1L).isAfter(Hlc.of(1, 1, 1L)), "node -1 is the largest unsigned node");
        assertEquals(0, Hlc.of(1, 1, 1).compareTo(Hlc.of(1, 1, 1)));
        assertEquals("1970-01-01T00:00:01Z+3@00000000000000ff", Hlc.of(1_000, 3, 0xff).toString());
        assertEquals("ffffffffffffffff", Hlc.nodeHex(-1L));
        assertEquals(Instant.ofEpochMilli(1_234), Hlc.of(1_234, 0, 0).instant());
    }
}
