package io.stemedb.cli;

import io.stemedb.model.TextInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line's arguments as the user typed them, as UTF-8. The JVM decodes {@code argv}
 * with the platform encoding, which under {@code LC_ALL=C} (containers, cron) is ASCII: every
 * byte of {@code café}'s {@code é} becomes U+FFFD, and the data would be silently altered. When
 * an argument holds a replacement character, the bytes the process was started with are read
 * back from {@code /proc/self/cmdline} (Linux) and decoded as strict UTF-8; where that is not
 * possible, or the bytes are not UTF-8, the arguments are refused rather than altered.
 */
final class Arguments {
    private Arguments() {}

    /**
     * The arguments as typed.
     *
     * @throws CliException naming the argument that cannot be read as UTF-8, and what to do
     */
    static String[] asTyped(String[] args) {
        if (Arrays.stream(args).noneMatch(a -> a.indexOf('\uFFFD') >= 0)) {
            return args;
        }
        List<byte[]> raw = commandLine();
        Charset platform = platformCharset();
        if (raw != null && raw.size() >= args.length) {
            List<byte[]> mine = raw.subList(raw.size() - args.length, raw.size());
            String[] typed = new String[args.length];
            boolean same = true;
            for (int i = 0; i < args.length && same; i++) {
                same = new String(mine.get(i), platform).equals(args[i]);
                if (same) {
                    typed[i] = strictUtf8(mine.get(i), i + 1);
                }
            }
            if (same) {
                return typed;
            }
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i].indexOf('\uFFFD') >= 0) {
                throw new CliException("argument " + (i + 1) + " ('" + TextInput.excerpt(args[i]) + "') could not be read as "
                        + "the bytes it was given in: the platform encoding is " + platform + " (LC_ALL=C?); run under a "
                        + "UTF-8 locale, for example LC_ALL=C.UTF-8");
            }
        }
        return args;
    }

    private static String strictUtf8(byte[] bytes, int position) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CliException("argument " + position + " is not valid UTF-8 (overlong forms, encoded surrogates and "
                    + "stray bytes are refused); pass text as UTF-8");
        }
    }

    /** The arguments of this process as bytes, or null where the system does not say. */
    private static List<byte[]> commandLine() {
        byte[] all;
        try {
            all = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null; // not Linux: the caller refuses what it cannot check
        }
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                parts.add(Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        if (start < all.length) {
            parts.add(Arrays.copyOfRange(all, start, all.length));
        }
        return parts;
    }

    private static Charset platformCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
