package io.stemedb.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stemedb.Replication;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBMetrics;
import io.stemedb.lens.Lenses;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** core's StemeDBMetrics, bound to a plain registry. */
class StemeDBMetricsTest {
    @TempDir
    Path dir;

    private static double counter(MeterRegistry r, String name) {
        return r.get(name).functionCounter().count();
    }

    private static FunctionTimer timer(MeterRegistry r, String name) {
        return r.get(name).functionTimer();
    }

    private static double gauge(MeterRegistry r, String name) {
        return r.get(name).gauge().value();
    }

    @Test
    void countsWritesReadsAndMergesAndTimesThem() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StemeDB db = StemeDB.inMemory(); StemeDB other = StemeDB.inMemory()) {
            new StemeDBMetrics(db, Tags.of("db", "test")).bindTo(registry);
            AssertionId alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            db.write(b -> {
                b.assertion("acme", "cfo", Value.text("Carol")).source("hr");
                b.assertion("acme", "cto", Value.text("Dan")).source("hr");
            });
            db.retract(alice, "hr");
            assertThrows(RuntimeException.class, () -> db.assertion("", "ceo", Value.text("x")).source("hr").commit());

            assertEquals(4, counter(registry, "stemedb.writes"), "4 assertions: 1 + 2 + 1 retraction");
            assertEquals(3, timer(registry, "stemedb.write.duration").count(), "3 successful write calls");
            assertTrue(timer(registry, "stemedb.write.duration").totalTime(TimeUnit.NANOSECONDS) > 0);
            assertEquals(1, counter(registry, "stemedb.write.errors"));

            db.resolve("acme", "ceo", Lenses.latest());
            db.history("acme", "cfo");
            db.entity("acme", Lenses.latest()); // 3 predicates: 3 histories
            db.get(alice);
            assertEquals(6, counter(registry, "stemedb.reads"));
            assertEquals(6, timer(registry, "stemedb.read.duration").count());

            other.assertion("globex", "ceo", Value.text("Hank")).source("crm").commit();
            db.syncWith(other);
            assertEquals(1, counter(registry, "stemedb.merged"), "one assertion came from the other replica");
            assertTrue(timer(registry, "stemedb.merge.duration").count() >= 1);

            assertEquals(5, gauge(registry, "stemedb.assertions"));
            assertEquals(4, gauge(registry, "stemedb.claims"));
            assertEquals(1, gauge(registry, "stemedb.retractions"));
            assertEquals("test", registry.get("stemedb.writes").functionCounter().getId().getTag("db"));
            assertTrue(Double.isNaN(gauge(registry, "stemedb.backup.age")));
            assertTrue(Double.isNaN(gauge(registry, "stemedb.disk.size")), "a database in memory has no table files");
        }
    }

    /** Micrometer holds the objects of function meters weakly: the meters must outlive the binder. */
    @Test
    void metersKeepWorkingAfterTheBinderIsCollected() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StemeDB db = StemeDB.inMemory()) {
            new StemeDBMetrics(db).bindTo(registry); // not kept
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(10);
            }
            db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            db.resolve("acme", "ceo", Lenses.latest());
            assertEquals(1, counter(registry, "stemedb.writes"));
            assertEquals(1, timer(registry, "stemedb.write.duration").count());
            assertEquals(1, timer(registry, "stemedb.read.duration").count());
            assertEquals(1, gauge(registry, "stemedb.assertions"));
        }
    }

    @Test
    void backupTimeAndDiskSizeOfADatabaseOnDisk() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StemeDB db = StemeDB.open(dir.resolve("db"))) {
            new StemeDBMetrics(db).bindTo(registry);
            db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            long before = System.currentTimeMillis();
            db.backup(dir.resolve("backups"), 2);
            double last = gauge(registry, "stemedb.backup.last.success");
            assertTrue(last * 1000 >= before - 1000 && last * 1000 <= System.currentTimeMillis() + 1000, "last " + last);
            double age = gauge(registry, "stemedb.backup.age");
            assertTrue(age >= 0 && age < 60, "age " + age);
            assertThrows(RuntimeException.class, () -> db.backup(dir.resolve("db").resolve("stemedb.lock"), 1));
            assertEquals(1, counter(registry, "stemedb.backup.errors"));
            db.compact();
            TestHttp.await("the size gauge to see the table files (it caches for 200 ms)", Duration.ofSeconds(10),
                    () -> gauge(registry, "stemedb.disk.size") > 0);
        }
        TestHttp.await("NaN for a closed database", Duration.ofSeconds(10), () -> Double.isNaN(gauge(registry, "stemedb.assertions")));
    }

    @Test
    void replicationMetersPerPeer() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StemeDB db = StemeDB.inMemory(); StemeDB peer = StemeDB.inMemory()) {
            Replication r = db.replicate(List.of(SyncTransport.inProcess(peer.syncResponder())), Duration.ofMillis(100));
            try (r) {
                new StemeDBMetrics(db).replication(r, List.of("peer-b")).bindTo(registry);
                db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
                TestHttp.await("the write reaches the peer", Duration.ofSeconds(30), () -> peer.stats().assertions() == 1);
                TestHttp.await("lag 0 and a pushed assertion", Duration.ofSeconds(30),
                        () -> registry.get("stemedb.sync.lag").tag("peer", "peer-b").gauge().value() == 0.0
                                && registry.get("stemedb.sync.pushed").tag("peer", "peer-b").functionCounter().count() == 1);
                FunctionCounter sessions = registry.get("stemedb.sync.sessions").tag("peer", "peer-b").functionCounter();
                assertTrue(sessions.count() >= 1);
                Gauge failures = registry.get("stemedb.sync.consecutive.failures").tag("peer", "peer-b").gauge();
                assertEquals(0, failures.value());
                assertThrows(IllegalArgumentException.class,
                        () -> new StemeDBMetrics(db).replication(r, List.of("one", "two")), "one name per peer");
            }
        }
    }
}
