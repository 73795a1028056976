package io.stemedb.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Files that must survive a crash once written (a bulk load's journal and staged files, the
 * reindex marker, an upgrade's swap file, an exported archive): their bytes synced to the device,
 * and then the directory that names them. Stateless.
 */
public final class DurableFiles {
    private static final boolean DIRECTORIES_OPEN = !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");

    private DurableFiles() {}

    /** Writes {@code bytes} to {@code file} (created, or truncated) and syncs them; the caller syncs the directory if the name is new. */
    public static void write(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /**
     * Makes the directory's entries durable (the names of the files in it, and renames into it).
     * On Windows, which cannot open a directory and orders such metadata itself, and on a file
     * system other than the platform's (one in memory, a zip file), which has no device of its own
     * to sync, this does nothing; otherwise a failure is thrown, never ignored: a rename the device
     * did not record may be gone after a crash.
     */
    public static void syncDirectory(Path directory) throws IOException {
        if (!DIRECTORIES_OPEN || directory.getFileSystem() != FileSystems.getDefault()) {
            return;
        }
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
