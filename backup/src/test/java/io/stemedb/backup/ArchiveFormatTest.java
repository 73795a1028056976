package io.stemedb.backup;

import static io.stemedb.backup.ArchiveFixtures.assertions;
import static io.stemedb.backup.ArchiveFixtures.ids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.Blake3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Archive format 1 as docs/format.md states it, byte by byte, and its round trip. */
class ArchiveFormatTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void everyByteIsWhereTheFormatDocumentSaysItIs(boolean compress) throws Exception {
        List<Assertion> in = assertions(300);
        Path file = dir.resolve("a.stma");
        Instant before = Instant.now();
        ArchiveSummary s = ArchiveFixtures.export(in, file, compress);
        Instant after = Instant.now();
        byte[] bytes = Files.readAllBytes(file);
        ArchiveFixtures.Parsed p = ArchiveFixtures.parse(bytes);

        assertArrayEquals("STMA".getBytes(StandardCharsets.US_ASCII), p.magic());
        assertEquals(1, p.version());
        assertEquals(compress ? 1 : 0, p.flags());
        assertEquals(300, p.count());
        assertArrayEquals(IdDigest.of(ids(in)).toBytes(), p.digest());
        assertTrue(p.createdMillis() >= before.toEpochMilli() && p.createdMillis() <= after.toEpochMilli());
        assertEquals("test filter", p.filter());
        assertEquals(ArchiveFixtures.HEADER_FIXED + 1 + "test filter".length(), p.headerLength());
        assertEquals(300, p.records().size());
        for (int i = 0; i < in.size(); i++) {
            assertArrayEquals(in.get(i).canonicalBytes(), p.records().get(i), "record " + (i + 1) + " is canonical bytes, in source order");
        }
        assertArrayEquals("STME".getBytes(StandardCharsets.US_ASCII), p.trailerMagic());
        assertEquals(300, p.trailerCount());
        byte[] covered = java.util.Arrays.copyOf(bytes, bytes.length - ArchiveFixtures.TRAILER);
        assertArrayEquals(Blake3.hash(covered), p.checksum(), "the checksum is BLAKE3-256 of every byte before the trailer");

        assertEquals(300, s.count());
        assertEquals(IdDigest.of(ids(in)), s.digest());
        assertEquals(compress, s.compressed());
        assertEquals(bytes.length, s.bytes());
        assertEquals(p.createdMillis(), s.createdAt().toEpochMilli());
        assertEquals("test filter", s.filter());
        assertEquals(s, Archive.verify(file, ProgressListener.NONE), "export's summary is what verify reads back");
    }

    /** The worked example of docs/format.md, "Archive, format version 1": one claim, uncompressed. */
    static final String DOC_EXAMPLE = "53544d41010000000000000000013a2ac5553312331924159e983389040a7773135ed3c1d7aec5440fb009a17149"
            + "00000000000000010000018bcfe6eea003616c6c3b01010461636d650363656f0105416c6963650268720000018bcfe5680000000003"
            + "00000000000000ff013feccccccccccccd010265760431302d4b53544d4500000000000000011c553e70c3f16032f4b3b300455cc500"
            + "49c4e1d3f210071d49252ce6edc328a9";

    @Test
    void theWorkedExampleOfTheFormatDocumentVerifiesAndExportWritesItsBytes() throws Exception {
        byte[] doc = java.util.HexFormat.of().parseHex(DOC_EXAMPLE);
        assertEquals(170, doc.length);
        Path file = Files.write(dir.resolve("doc.stma"), doc);
        ArchiveSummary s = Archive.verify(file, ProgressListener.NONE);
        assertEquals(1, s.count());
        assertEquals("all", s.filter());
        assertEquals(Instant.parse("2023-11-14T22:15:00Z"), s.createdAt());
        assertFalse(s.compressed());
        ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
        Archive.importInto(file, sink, ProgressListener.NONE);
        io.stemedb.model.Claim c = (io.stemedb.model.Claim) sink.received.get(0);
        assertEquals("3a2ac5553312331924159e983389040a7773135ed3c1d7aec5440fb009a17149", c.id().toString());
        assertEquals(List.of("acme", "ceo", "hr"), List.of(c.subject(), c.predicate(), c.source()));
        // export of that claim writes the same bytes but for the creation time and so the checksum
        Path exported = dir.resolve("mine.stma");
        Archive.export(List.<Assertion>of(c)::iterator, exported, "all", false, ProgressListener.NONE);
        byte[] mine = Files.readAllBytes(exported);
        assertEquals(doc.length, mine.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(doc, 0, 54), java.util.Arrays.copyOfRange(mine, 0, 54));
        assertArrayEquals(java.util.Arrays.copyOfRange(doc, 62, 138), java.util.Arrays.copyOfRange(mine, 62, 138));
    }

    @Test
    void anIndependentWriterOfTheDocumentedLayoutProducesTheSameBytes() throws Exception {
        List<Assertion> in = assertions(120);
        Path file = dir.resolve("a.stma");
        ArchiveFixtures.export(in, file, false);
        byte[] written = Files.readAllBytes(file);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        craft.filter = "test filter";
        craft.createdMillis = ArchiveFixtures.parse(written).createdMillis();
        assertArrayEquals(craft.bytes(), written);
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void aCraftedArchiveOfTheDocumentedLayoutVerifiesAndImports(boolean compress) throws Exception {
        List<Assertion> in = assertions(200);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        craft.flags = compress ? 1 : 0;
        craft.filter = "as of 2024-01-01T00:00:00Z, sources [\u00e9t\u00e9]";
        Path file = craft.write(dir.resolve("c.stma"));
        ArchiveSummary s = Archive.verify(file, ProgressListener.NONE);
        assertEquals(200, s.count());
        assertEquals(craft.filter, s.filter());
        assertEquals(Instant.ofEpochMilli(craft.createdMillis), s.createdAt());
        ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
        Archive.importInto(file, sink, ProgressListener.NONE);
        assertEquals(ids(in), ids(sink.received));
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void roundTripGivesBackEveryAssertionInOrderInBatchesOfAThousand(boolean compress) throws Exception {
        List<Assertion> in = assertions(2500);
        Path file = dir.resolve("r.stma");
        ArchiveFixtures.export(in, file, compress);
        ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
        ArchiveSummary s = Archive.importInto(file, sink, ProgressListener.NONE);
        assertEquals(in, sink.received);
        assertEquals(3, sink.batches);
        assertEquals(2500, s.count());
        assertEquals(IdDigest.of(ids(in)), s.digest());
    }

    @Test
    void compressionMakesTheArchiveSmaller() throws Exception {
        List<Assertion> in = assertions(2000);
        long plain = ArchiveFixtures.export(in, dir.resolve("p.stma"), false).bytes();
        long packed = ArchiveFixtures.export(in, dir.resolve("z.stma"), true).bytes();
        assertTrue(packed < plain / 2, packed + " vs " + plain);
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void anEmptyArchiveIsValidEvenWithAnEmptyFilter(boolean compress) throws Exception {
        for (String filter : new String[] {"", "all"}) {
            Path file = dir.resolve("empty-" + compress + filter.length() + ".stma");
            ArchiveSummary s = Archive.export(List.<Assertion>of()::iterator, file, filter, compress, ProgressListener.NONE);
            assertEquals(0, s.count());
            assertEquals(IdDigest.empty(), Archive.verify(file, ProgressListener.NONE).digest());
            ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
            Archive.importInto(file, sink, ProgressListener.NONE);
            assertEquals(0, sink.received.size());
        }
    }

    @Test
    void aFilterTooLongForTheHeaderIsCutSoThatTheArchiveStaysReadable() throws Exception {
        String longFilter = "sources [" + "\u00e9".repeat(3000) + "]"; // 6,010 UTF-8 bytes
        Path file = dir.resolve("f.stma");
        ArchiveSummary s = Archive.export(assertions(3)::iterator, file, longFilter, false, ProgressListener.NONE);
        ArchiveSummary read = Archive.verify(file, ProgressListener.NONE);
        assertEquals(s, read);
        int bytes = read.filter().getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes <= 4096, bytes + " bytes");
        assertTrue(read.filter().startsWith("sources [\u00e9\u00e9"), read.filter());
        assertTrue(read.filter().endsWith("more bytes)"), read.filter());
        String exact = "x".repeat(4096);
        assertEquals(exact, Archive.export(assertions(1)::iterator, file, exact, true, ProgressListener.NONE).filter());
    }

    @Test
    void progressIsReportedWithTotalsAndEndsAtTheCount() throws Exception {
        List<Assertion> in = assertions(10_000);
        Path file = dir.resolve("p.stma");
        List<String> export = new ArrayList<>();
        Archive.export(in::iterator, file, "f", true, (phase, done, total) -> export.add(phase + " " + done + "/" + total));
        assertTrue(export.contains("export 4096/-1"), export.toString());
        assertEquals("export 10000/10000", export.get(export.size() - 1));
        List<String> verify = new ArrayList<>();
        Archive.verify(file, (phase, done, total) -> verify.add(phase + " " + done + "/" + total));
        assertEquals("verify 10000/10000", verify.get(verify.size() - 1));
        List<String> imported = new ArrayList<>();
        Archive.importInto(file, b -> { }, (phase, done, total) -> imported.add(phase + " " + done + "/" + total));
        assertTrue(imported.stream().anyMatch(x -> x.startsWith("verify ")), imported.toString());
        assertEquals("import 10000/10000", imported.get(imported.size() - 1));
    }

    @Test
    void exportReplacesAnExistingFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("x.stma");
        Files.writeString(file, "old content");
        ArchiveFixtures.export(assertions(10), file, true);
        assertEquals(10, Archive.verify(file, ProgressListener.NONE).count());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void theSourceIsReadOnce() throws Exception {
        Path file = dir.resolve("once.stma");
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger items = new AtomicInteger();
        List<Assertion> in = assertions(5000);
        ArchiveSummary s = Archive.export(() -> {
            calls.incrementAndGet();
            return in.stream().peek(x -> items.incrementAndGet()).iterator();
        }, file, "f", true, ProgressListener.NONE);
        assertEquals(1, calls.get(), "the database is read once");
        assertEquals(5000, items.get());
        assertEquals(5000, s.count());
        assertEquals(s, Archive.verify(file, ProgressListener.NONE));
    }

    @Test
    void aSourceThatFailsMidwayLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("failing.stma");
        List<Assertion> in = assertions(50);
        assertThrows(IllegalStateException.class, () -> Archive.export(() -> {
            Iterator<Assertion> real = in.iterator();
            return new Iterator<>() {
                int n;

                @Override
                public boolean hasNext() {
                    return real.hasNext();
                }

                @Override
                public Assertion next() {
                    if (++n == 20) {
                        throw new IllegalStateException("the database closed");
                    }
                    return real.next();
                }
            };
        }, file, "f", false, ProgressListener.NONE));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "a failed export leaves nothing behind");
        }
    }

    @Test
    void verifyAndImportOfAMissingFileNameTheFile() {
        Path missing = dir.resolve("nope.stma");
        ArchiveException e = assertThrows(ArchiveException.class, () -> Archive.verify(missing, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("nope.stma"), e.getMessage());
        ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
        assertThrows(ArchiveException.class, () -> Archive.importInto(missing, sink, ProgressListener.NONE));
        assertEquals(0, sink.batches);
    }

    @Test
    void aFileThatIsNotAnArchiveIsRefusedAsSuch() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "these are not the bytes you are looking for. ".repeat(10));
        ArchiveException e = assertThrows(ArchiveException.class, () -> Archive.verify(file, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("not a StemeDB archive"), e.getMessage());
        Files.writeString(file, "tiny");
        e = assertThrows(ArchiveException.class, () -> Archive.verify(file, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
