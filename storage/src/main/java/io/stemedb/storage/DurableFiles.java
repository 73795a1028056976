package io.stemedb.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Files that must survive a crash once written (a bulk load's journal and staged files, the
 * reindex marker, an upgrade's swap file): their bytes synced to the device, and then the
 * directory that names them. Stateless.
 */
final class DurableFiles {
    private DurableFiles() {}

    /** Writes {@code bytes} to {@code file} (created, or truncated) and syncs them; the caller syncs the directory if the name is new. */
    static void write(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Makes the directory's entries durable (the files' names, not only their bytes). */
    static void syncDirectory(Path directory) {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; their file systems order metadata themselves.
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
                throw new StorageException("cannot sync the directory " + directory + ": " + e.getMessage(), e);
            }
        }
    }
}
