package io.stemedb.acceptance.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** The format-1 fixture of src/test/resources/format1 (see its README) and helpers to compare directories. */
public final class Format1Fixture {
    private Format1Fixture() {}

    public static Path fixture(String name) throws URISyntaxException {
        return Path.of(Format1Fixture.class.getResource("/format1/" + name).toURI());
    }

    public static List<String> expectedAnswers() throws Exception {
        List<String> lines = new ArrayList<>();
        try (InputStream in = Files.newInputStream(fixture("answers.json"))) {
            for (JsonNode n : new ObjectMapper().readTree(in)) {
                lines.add(n.asText());
            }
        }
        return lines;
    }

    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** The files of a database directory with their bytes; stemedb.lock names its last holder, not data. */
    public static List<String> contents(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                if (!f.getFileName().toString().equals("stemedb.lock")) {
                    out.add(f.getFileName() + " " + Arrays.hashCode(Files.readAllBytes(f)) + " " + Files.size(f));
                }
            }
        }
        return out;
    }
}
