package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.storage.StorageException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database keeps the node id it was created with. */
class NodeIdTest {
    @TempDir
    Path dir;

    @Test
    void reopeningKeepsTheNodeIdAndRefusesAnother() {
        try (StemeDB db = StemeDB.builder().nodeId(0x5eedL).open(dir)) {
            assertEquals(0x5eedL, db.nodeId());
        }
        try (StemeDB db = StemeDB.open(dir)) {
            assertEquals(0x5eedL, db.nodeId(), "an unset node id means the stored one");
        }
        StorageException.Incompatible e = assertThrows(StorageException.Incompatible.class,
                () -> StemeDB.builder().nodeId(0x5edeL).open(dir));
        assertTrue(e.getMessage().contains("belongs to node 0000000000005eed"), e.getMessage());
        try (StemeDB db = StemeDB.builder().nodeId(0x5eedL).open(dir)) {
            assertEquals(0x5eedL, db.nodeId(), "the refused open released the directory");
        }
    }
}
