package io.stemedb.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The extension through {@code @StemeDBTest}. The tests run in order: some leave what they were
 * given in a static field for the next one to check that it was closed, deleted, not reused.
 * Run the whole class.
 */
@StemeDBTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StemeDBExtensionTest {
    private static StemeDB previousInMemory;
    private static AssertionId previousClaim;
    private static StemeDB previousOnDisk;
    private static Path previousDirectory;

    @Test
    @Order(1)
    void aTestGetsAnEmptyInMemoryDatabase(StemeDB db) {
        assertEquals(0, db.stats().assertions());
        assertEquals("in-memory", db.stats().engine());
        previousClaim = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        assertTrue(db.get(previousClaim).isPresent());
        previousInMemory = db;
    }

    @Test
    @Order(2)
    void theNextTestGetsAnotherOneAndThePreviousIsClosed(StemeDB db) {
        assertNotNull(previousInMemory, "run the whole class: test 1 leaves its database here");
        assertNotSame(previousInMemory, db);
        assertEquals(Optional.empty(), db.get(previousClaim), "the claim of the previous test is not here");
        assertEquals(0, db.stats().assertions());
        assertThrows(StemeDB.ClosedException.class, () -> previousInMemory.stats(), "closed after its test");
    }

    @Test
    @Order(3)
    void twoParametersAreTwoReplicas(StemeDB paris, StemeDB tokyo) {
        assertNotSame(paris, tokyo);
        assertNotEquals(paris.nodeId(), tokyo.nodeId());
        paris.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        assertEquals(0, tokyo.stats().assertions());
        tokyo.syncWith(paris);
        assertEquals(1, tokyo.stats().assertions(), "they merge like any two replicas");
    }

    @Test
    @Order(4)
    void theClockStampsNewClaimsAndAsOfSeesTheEarlierState(StemeDB db, ManualClock clock) {
        clock.set("2026-01-05T08:00:00Z");
        AssertionId alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        assertEquals(Instant.parse("2026-01-05T09:00:00Z"), clock.advance(Duration.ofHours(1)));
        AssertionId bob = db.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();

        assertEquals(Instant.parse("2026-01-05T08:00:00Z"), db.get(alice).orElseThrow().hlc().instant());
        assertEquals(Instant.parse("2026-01-05T09:00:00Z"), db.get(bob).orElseThrow().hlc().instant());
        assertEquals(Optional.of(Value.text("Alice")),
                db.asOf(Instant.parse("2026-01-05T08:30:00Z")).resolve("acme", "ceo", Lenses.latest()).value());
        assertEquals(Optional.of(Value.text("Bob")), db.resolve("acme", "ceo", Lenses.latest()).value());
    }

    @Test
    @Order(5)
    void theClockStartsAtTheTestsStartAndStandsStill(ManualClock clock) throws InterruptedException {
        Instant start = clock.instant();
        Duration behind = Duration.between(start, Instant.now());
        assertFalse(behind.isNegative(), "not in the future: " + start);
        assertTrue(behind.compareTo(Duration.ofMinutes(1)) < 0, "started when the test did: " + start);
        Thread.sleep(5);
        assertEquals(start, clock.instant(), "it moves only when told");
    }

    @Test
    @Order(6)
    void anOnDiskDatabaseLivesInItsTemporaryDirectory(@OnDisk StemeDB db, @OnDisk Path directory, ManualClock clock)
            throws Exception {
        assertTrue(Files.isDirectory(directory));
        try (Stream<Path> files = Files.list(directory)) {
            assertTrue(files.findAny().isPresent(), "the database's files are in it");
        }
        assertEquals("rocksdb " + directory.toAbsolutePath(), db.stats().engine());
        clock.set("2026-02-01T00:00:00Z");
        AssertionId id = db.assertion("acme", "hq", Value.text("Paris")).source("hr").commit();
        assertEquals(Instant.parse("2026-02-01T00:00:00Z"), db.get(id).orElseThrow().hlc().instant(),
                "the on-disk database reads the test's clock too");
        previousOnDisk = db;
        previousDirectory = directory;
    }

    @Test
    @Order(7)
    void afterTheTestTheDatabaseIsClosedAndTheDirectoryGone(@OnDisk Path directory) {
        assertNotNull(previousDirectory, "run the whole class: test 6 leaves its directory here");
        assertFalse(Files.exists(previousDirectory), previousDirectory + " was deleted");
        assertThrows(StemeDB.ClosedException.class, () -> previousOnDisk.stats());
        assertNotEquals(previousDirectory, directory, "each test gets a new directory");
        assertTrue(Files.isDirectory(directory), "a directory without a database parameter is created empty");
    }

    @Test
    @Order(8)
    void twoOnDiskDatabasesHaveTwoDirectories(@OnDisk StemeDB first, @OnDisk StemeDB second,
            @OnDisk Path firstDirectory, @OnDisk Path secondDirectory) {
        assertNotEquals(firstDirectory, secondDirectory);
        assertEquals("rocksdb " + firstDirectory.toAbsolutePath(), first.stats().engine());
        assertEquals("rocksdb " + secondDirectory.toAbsolutePath(), second.stats().engine());
    }
}
