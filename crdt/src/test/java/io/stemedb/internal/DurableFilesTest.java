package io.stemedb.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
    @TempDir
    Path tmp;

    @Test
    void writeReplacesTheFilesBytes() throws Exception {
        Path file = tmp.resolve("journal");
        DurableFiles.write(file, "a longer first version".getBytes(StandardCharsets.UTF_8));
        DurableFiles.write(file, "second".getBytes(StandardCharsets.UTF_8));
        DurableFiles.syncDirectory(tmp);
        assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
    }

    /** The archive's export once ignored every failure here: a rename it reported durable might not be. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void aDirectoryThatCannotBeSyncedIsAnErrorNotASilentSuccess() {
        assertThrows(NoSuchFileException.class, () -> DurableFiles.syncDirectory(tmp.resolve("missing")));
    }

    /** A directory in a file system of its own (here a zip file) has no device to sync: nothing to do, and no failure. */
    @Test
    void aDirectoryOutsideThePlatformsFileSystemIsLeftAlone() throws Exception {
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(tmp.resolve("archive.zip"),
                java.util.Map.of("create", "true"))) {
            Path dir = Files.createDirectories(zip.getPath("/exports"));
            DurableFiles.syncDirectory(dir);
            DurableFiles.syncDirectory(zip.getPath("/missing"));
        }
    }
}
