package io.stemedb.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a file (ending with \n or \r\n), each decoded as strict UTF-8 on its own, so that
 * a bad byte is reported with its line; a byte order mark before the first is dropped. Memory is
 * bounded by the longest line. Not thread-safe.
 */
final class LineReader implements AutoCloseable {
    private final String name;
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    /** The number of the line {@link #next} returned last. */
    long lineNo;
    private boolean ended;

    LineReader(Path file) {
        this(open(file), file.toString());
    }

    /** The lines of {@code in}, which {@link #close} closes; {@code name} names it in errors. */
    LineReader(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hears one non-blank line. */
    interface Visitor {
        void line(long lineNo, String text);
    }

    /** Reads every non-blank line of {@code file}; returns how many lines the file has. */
    static long read(Path file, Visitor visitor) {
        try (LineReader lines = new LineReader(file)) {
            for (String text = lines.next(); text != null; text = lines.next()) {
                if (!text.isBlank()) {
                    visitor.line(lines.lineNo, text);
                }
            }
            return lines.lineNo;
        }
    }

    /**
     * The next line, or null at the end.
     *
     * @throws JsonLines.BadFileException if the line is not UTF-8
     */
    String next() {
        if (ended) {
            return null;
        }
        try {
            while (true) {
                if (position == limit) {
                    limit = Math.max(0, in.read(buffer));
                    position = 0;
                    if (limit == 0) {
                        ended = true;
                        if (line.size() == 0) {
                            return null;
                        }
                        break;
                    }
                }
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                line.write(buffer, start, position - start);
                if (position < limit) {
                    position++; // the newline
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lineNo++;
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        String text;
        try {
            text = utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw JsonLines.BadFileException.of(name + " line " + lineNo + ": not valid UTF-8 text (JSON Lines files are UTF-8)", 0);
        }
        return lineNo == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
