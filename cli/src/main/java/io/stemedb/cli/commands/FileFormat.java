package io.stemedb.cli.commands;

import io.stemedb.cli.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The file formats of import and export, and how {@code auto} chooses between them. */
enum FileFormat {
    auto, jsonl, archive;

    private static final byte[] ARCHIVE_MAGIC = {'S', 'T', 'M', 'A'};

    private static boolean jsonlName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json");
    }

    /** For export: JSON Lines for a .jsonl, .ndjson or .json file, else an archive. */
    FileFormat forWriting(Path file) {
        return this != auto ? this : jsonlName(file) ? jsonl : archive;
    }

    /** For import: an archive if the file starts as one, JSON Lines if it starts with '{' or is named so. */
    FileFormat forReading(Path file) throws IOException {
        if (this != auto) {
            return this;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(64);
        }
        if (head.length >= 4 && head[0] == ARCHIVE_MAGIC[0] && head[1] == ARCHIVE_MAGIC[1] && head[2] == ARCHIVE_MAGIC[2]
                && head[3] == ARCHIVE_MAGIC[3]) {
            return archive;
        }
        if (jsonlName(file)) {
            return jsonl;
        }
        for (byte b : head) {
            if (b == '{') {
                return jsonl;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) {
                break;
            }
        }
        if (head.length == 0) {
            return jsonl;
        }
        throw new CliException("cannot tell whether " + file + " is JSON Lines or a StemeDB archive; "
                + "pass --format jsonl or --format archive");
    }
}
