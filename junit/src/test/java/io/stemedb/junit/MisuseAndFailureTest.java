package io.stemedb.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.stemedb.StemeDB;
import io.stemedb.model.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs sample test classes (static nested classes, which surefire and class discovery leave
 * alone) through the JUnit launcher, to see what the extension does when a test fails or when it
 * is misused.
 */
class MisuseAndFailureTest {

    private static TestExecutionSummary run(Class<?> testClass) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), listener);
        return listener.getSummary();
    }

    @Test
    void aFailedTestsDatabasesAreStillClosedAndItsDirectoryDeleted() {
        TestExecutionSummary summary = run(FailsAfterWriting.class);

        assertEquals(1, summary.getTestsFailedCount());
        assertEquals("the test failed on purpose", summary.getFailures().get(0).getException().getMessage());
        assertNotNull(FailsAfterWriting.directory, "the sample ran");
        assertFalse(Files.exists(FailsAfterWriting.directory), "deleted although the test failed");
        assertThrows(StemeDB.ClosedException.class, () -> FailsAfterWriting.onDisk.stats());
        assertThrows(StemeDB.ClosedException.class, () -> FailsAfterWriting.inMemory.stats());
    }

    @Test
    void aDatabaseInAConstructorIsRefusedWithAReason() {
        TestExecutionSummary summary = run(WantsADatabaseInItsConstructor.class);

        assertEquals(1, summary.getTestsFailedCount());
        Throwable failure = summary.getFailures().get(0).getException();
        assertInstanceOf(ParameterResolutionException.class, failure);
        assertTrue(failure.getMessage().contains("StemeDBExtension creates its fixtures per test"), failure.getMessage());
    }

    @Test
    void aDatabaseInBeforeAllIsRefused() {
        TestExecutionSummary summary = run(WantsADatabaseBeforeAll.class);

        List<TestExecutionSummary.Failure> failures = summary.getFailures();
        assertEquals(1, failures.size(), "the class fails");
        assertInstanceOf(ParameterResolutionException.class, failures.get(0).getException());
        assertEquals(0, summary.getTestsSucceededCount());
    }

    @StemeDBTest
    static class FailsAfterWriting {
        static StemeDB inMemory;
        static StemeDB onDisk;
        static Path directory;

        @Test
        void fails(StemeDB db, @OnDisk StemeDB disk, @OnDisk Path dir) {
            inMemory = db;
            onDisk = disk;
            directory = dir;
            disk.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            throw new AssertionError("the test failed on purpose");
        }
    }

    @StemeDBTest
    static class WantsADatabaseInItsConstructor {
        WantsADatabaseInItsConstructor(StemeDB db) {
            db.stats();
        }

        @Test
        void never() {}
    }

    @StemeDBTest
    static class WantsADatabaseBeforeAll {
        @org.junit.jupiter.api.BeforeAll
        static void setUp(StemeDB db) {
            db.stats();
        }

        @Test
        void never() {}
    }
}
