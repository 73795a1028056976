package io.stemedb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.fuzz.Fuzz;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Archive frames from outside: random bytes, and valid archives (compressed and not) damaged in
 * one to three ways. Verifying and importing end in a summary or an {@link ArchiveException},
 * never anything else; an import of a damaged archive hands nothing to the database; what
 * verifies imports every record it announces.
 */
@Tag(Fuzz.TAG)
class ArchiveFuzzProperties {
    static Path dir;
    static List<byte[]> valid;

    @BeforeContainer
    static void writeValidArchives() throws IOException {
        dir = Files.createTempDirectory("stemedb-archive-fuzz");
        valid = new ArrayList<>();
        for (boolean compress : new boolean[] {false, true}) {
            Path file = dir.resolve("valid-" + compress + ".stma");
            ArchiveFixtures.export(ArchiveFixtures.assertions(7), file, compress);
            valid.add(Files.readAllBytes(file));
        }
    }

    @AfterContainer
    static void clean() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Provide
    Arbitrary<byte[]> archives() {
        return Arbitraries.oneOf(Fuzz.randomBytes(300), Fuzz.mutationsOf(valid));
    }

    @Property
    void anArchiveFromOutsideVerifiesOrFailsTypedAndADamagedOneImportsNothing(@ForAll("archives") byte[] bytes) {
        Path file = dir.resolve("fuzzed.stma");
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ArchiveSummary verified = Fuzz.typedOrValid(bytes, () -> Archive.verify(file, ProgressListener.NONE),
                ArchiveException.class);
        ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
        ArchiveSummary imported = Fuzz.typedOrValid(bytes, () -> Archive.importInto(file, sink, ProgressListener.NONE),
                ArchiveException.class);
        if (verified == null) {
            assertEquals(null, imported, "import refuses what verify refuses");
            assertEquals(0, sink.batches, "a damaged archive hands nothing to the database");
        } else {
            assertEquals(verified.count(), sink.received.size(), "what verifies imports every record it announces");
        }
    }
}
