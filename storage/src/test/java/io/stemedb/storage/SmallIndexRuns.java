package io.stemedb.storage;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with the indexer writing a run of table files every two assertions
 * ({@link Indexer#writeGathered}), where a database writes one per {@link Indexer#RUN}: the
 * system property the indexer reads when it starts, set for the class and cleared after it.
 */
final class SmallIndexRuns implements BeforeAllCallback, AfterAllCallback {
    static final String PROPERTY = "stemedb.indexer.runAssertions";

    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty(PROPERTY, "2");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty(PROPERTY);
    }
}
