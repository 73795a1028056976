package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** A failure reported again later (the indexer's, to every commit after it) keeps the kind a caller acts on. */
class StorageExceptionTest {
    @Test
    void aFailureReportedAgainKeepsItsKind() {
        StorageException full = new StorageException.DiskFull("the disk is full", null);
        StorageException damaged = new StorageException.Corruption("damaged", null);
        RuntimeException other = new IllegalStateException("bug");

        StorageException fullAgain = StorageException.again("indexing failed earlier", full);
        assertInstanceOf(StorageException.DiskFull.class, fullAgain);
        assertSame(full, fullAgain.getCause());
        assertEquals("indexing failed earlier", fullAgain.getMessage());
        assertInstanceOf(StorageException.Corruption.class, StorageException.again("again", damaged));
        StorageException otherAgain = StorageException.again("again", other);
        assertEquals(StorageException.class, otherAgain.getClass());
        assertSame(other, otherAgain.getCause());
    }
}
