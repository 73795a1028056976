package io.stemedb.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.backup.ProgressListener;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON Lines import and export as library API, on real databases: what the CLI does, without the CLI. */
class JsonLinesImportExportTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Claim HR = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").confidence(0.9)
            .hlc(Hlc.of(1_672_531_200_000L, 0, 7)).build();
    private static final Claim CRM = Claim.builder("acme", "employees", Value.integer(1500)).source("crm")
            .metadata(Map.of("url", "https://crm")).hlc(Hlc.of(1_672_531_300_000L, 0, 7)).build();
    private static final Retraction RETRACT = Retraction.of(HR.id(), "hr", Hlc.of(1_672_531_400_000L, 0, 7), Map.of());
    private static final List<Assertion> ALL = List.of(HR, CRM, RETRACT);

    @TempDir
    Path dir;

    private Path file(String name, List<String> lines) throws Exception {
        return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
    }

    private static List<String> lines(List<Assertion> assertions) {
        List<String> out = new ArrayList<>();
        assertions.forEach(a -> out.add(JsonLines.toLine(a)));
        return out;
    }

    private static JsonLines.ImportOptions options(Boolean bulk) {
        return new JsonLines.ImportOptions(bulk, CLOCK, ProgressListener.NONE);
    }

    @Test
    void anImportThenAnExportGivesTheSameBytes() throws Exception {
        Path in = file("in.jsonl", lines(ALL));
        try (StemeDB db = StemeDB.inMemory()) {
            JsonLines.ImportResult r = JsonLines.importFrom(db, in, options(false));
            assertEquals(3, r.lines());
            assertEquals(3, r.merge().added());
            assertEquals(0, r.missingTargets());
            assertFalse(r.bulk());
            for (Assertion a : ALL) {
                assertEquals(a, db.get(a.id()).orElseThrow());
            }
            Path out = dir.resolve("sub/out.jsonl");
            assertEquals(3, JsonLines.exportTo(db, out, JsonLines.ExportOptions.all()));
            assertEquals(Files.readString(in), Files.readString(out));
            assertEquals(3, JsonLines.importFrom(db, in, options(false)).merge().duplicates(), "importing twice is harmless");
        }
    }

    @Test
    void anExportToAWriterSelectsBySourceAndTime() throws Exception {
        try (StemeDB db = StemeDB.inMemory()) {
            db.merge(ALL);
            StringWriter crm = new StringWriter();
            assertEquals(1, JsonLines.exportTo(db, crm, new JsonLines.ExportOptions(null, Set.of("crm"), ProgressListener.NONE)));
            assertEquals(JsonLines.toLine(CRM) + "\n", crm.toString());
            StringWriter early = new StringWriter();
            JsonLines.exportTo(db, early, new JsonLines.ExportOptions(HR.hlc().instant(), Set.of(), ProgressListener.NONE));
            assertEquals(JsonLines.toLine(HR) + "\n", early.toString());
        }
    }

    @Test
    void aFileWithABadLineImportsNothingAndSaysWhichLines() throws Exception {
        List<String> lines = new ArrayList<>(lines(ALL));
        lines.add(1, "{\"hlc\": 1}");
        lines.add("not json");
        Path bad = file("bad.jsonl", lines);
        for (Boolean bulk : new Boolean[] {false, true}) {
            try (StemeDB db = StemeDB.inMemory()) {
                JsonLines.BadFileException e = assertThrows(JsonLines.BadFileException.class,
                        () -> JsonLines.importFrom(db, bad, options(bulk)));
                assertTrue(e.getMessage().startsWith(bad + " line 2: "), e.getMessage());
                assertTrue(e.getMessage().endsWith("(and 1 more bad lines); nothing was imported: fix the file and import it "
                        + "again"), e.getMessage());
                assertEquals(0, db.stats().assertions(), "bulk " + bulk);
            }
        }
    }

    @Test
    void aLineTooFarAheadOfTheClockIsRefused() throws Exception {
        Claim future = Claim.builder("a", "b", Value.integer(1)).source("s").hlc(Hlc.of(CLOCK.millis() + 7_200_000L, 0, 1)).build();
        Path file = file("future.jsonl", lines(List.of(future)));
        try (StemeDB db = StemeDB.inMemory()) {
            JsonLines.BadFileException e = assertThrows(JsonLines.BadFileException.class,
                    () -> JsonLines.importFrom(db, file, options(false)));
            assertTrue(e.getMessage().contains("more than 1 hour ahead of this machine's clock"), e.getMessage());
        }
    }

    @Test
    void anEmptyDatabaseIsBulkLoadedByDefault() throws Exception {
        Path in = file("in.jsonl", lines(ALL));
        try (StemeDB db = StemeDB.inMemory()) {
            JsonLines.ImportResult r = JsonLines.importFrom(db, in, options(null));
            assertTrue(r.bulk());
            assertEquals(3, r.merge().added());
            assertFalse(JsonLines.importFrom(db, in, options(null)).bulk(), "a database with assertions is merged into");
        }
    }

    @Test
    void aStreamIsBulkLoadedInOnePassAndABadOneImportsNothing() throws Exception {
        try (StemeDB db = StemeDB.inMemory()) {
            StringWriter dump = new StringWriter();
            db.merge(ALL);
            JsonLines.exportTo(db, dump, JsonLines.ExportOptions.all());
            try (StemeDB copy = StemeDB.inMemory()) {
                JsonLines.ImportResult r = JsonLines.importFrom(copy, stream(dump.toString()), "the dump", options(null));
                assertTrue(r.bulk());
                assertEquals(3, r.merge().added());
                for (Assertion a : ALL) {
                    assertEquals(a, copy.get(a.id()).orElseThrow());
                }
                JsonLines.BadFileException e = assertThrows(JsonLines.BadFileException.class, () -> JsonLines.importFrom(copy,
                        stream(JsonLines.toLine(CRM) + "\n{\"hlc\": 1}\n"), "upload 7", options(true)));
                assertTrue(e.getMessage().startsWith("upload 7 line 2: "), e.getMessage());
                assertEquals(3, copy.stats().assertions(), "nothing of the bad stream was stored");
                assertThrows(IllegalArgumentException.class, () -> JsonLines.importFrom(copy, stream(""), "x", options(false)));
            }
        }
    }

    private static java.io.InputStream stream(String text) {
        return new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLargeFileIsReadAgainForTheMerge() throws Exception {
        // Files of more than KEEP_PARSED assertions are parsed twice: check, then merge.
        Path file = file("d.jsonl", lines(ALL));
        JsonLinesImport.Checked checked = JsonLinesImport.check(file, options(false));
        assertEquals(3, checked.parsed().size());
        JsonLinesImport.Checked large = new JsonLinesImport.Checked(checked.lines(), checked.assertions(),
                checked.retractionTargets(), null);
        try (StemeDB db = StemeDB.inMemory()) {
            JsonLines.ImportResult imported = JsonLinesImport.merge(db, file, large, ProgressListener.NONE);
            assertEquals(3, imported.merge().added());
            assertEquals(0, imported.missingTargets());
            for (Assertion a : ALL) {
                assertEquals(a, db.get(a.id()).orElseThrow());
            }
        }
    }

    /** {@code n} claims, every tenth line blank: many batches of the bulk import's parsing thread. */
    private static List<String> manyLines(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(JsonLines.toLine(Claim.builder("s" + (i % 997), "p" + (i % 7), Value.integer(i)).source("src" + (i % 3))
                    .hlc(Hlc.of(1_672_531_200_000L + i, 0, 9)).build()));
            if (i % 10 == 9) {
                out.add("");
            }
        }
        return out;
    }

    private static boolean parserAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("stemedb-import-parser") && t.isAlive());
    }

    @Test
    void aBulkImportOfManyLinesStoresWhatACheckedImportStores() throws Exception {
        List<String> text = manyLines(20_000);
        Path file = file("many.jsonl", text);
        try (StemeDB bulk = StemeDB.inMemory(); StemeDB checked = StemeDB.inMemory()) {
            JsonLines.ImportResult r = JsonLines.importFrom(bulk, file, options(true));
            assertTrue(r.bulk());
            assertEquals(text.size(), r.lines(), "the lines, blank ones included");
            assertEquals(20_000, r.assertions());
            assertEquals(20_000, r.merge().added());
            JsonLines.importFrom(checked, file, options(false));
            StringWriter a = new StringWriter();
            StringWriter b = new StringWriter();
            JsonLines.exportTo(bulk, a, JsonLines.ExportOptions.all());
            JsonLines.exportTo(checked, b, JsonLines.ExportOptions.all());
            assertEquals(b.toString(), a.toString());
        }
        assertFalse(parserAlive(), "the parsing thread ended with the import");
    }

    @Test
    void aBadLineOrTextDeepInALargeFileImportsNothingAndNamesItsLine() throws Exception {
        List<String> text = manyLines(20_000);
        text.set(15_000, "{\"hlc\": 1}");
        Path bad = file("bad.jsonl", text);
        try (StemeDB db = StemeDB.inMemory()) {
            JsonLines.BadFileException e = assertThrows(JsonLines.BadFileException.class, () -> JsonLines.importFrom(db, bad, options(true)));
            assertTrue(e.getMessage().startsWith(bad + " line 15001: "), e.getMessage());
            assertEquals(0, db.stats().assertions());
        }
        byte[] utf8 = Files.readAllBytes(file("good.jsonl", manyLines(20_000)));
        int at = 0;
        for (int newlines = 0; newlines < 18_000; at++) {
            newlines += utf8[at] == '\n' ? 1 : 0;
        }
        utf8[at + 10] = (byte) 0xff;
        Path notText = Files.write(dir.resolve("binary.jsonl"), utf8);
        try (StemeDB db = StemeDB.inMemory()) {
            JsonLines.BadFileException e = assertThrows(JsonLines.BadFileException.class, () -> JsonLines.importFrom(db, notText, options(true)));
            assertTrue(e.getMessage().contains("line 18001: not valid UTF-8"), e.getMessage());
            assertEquals(0, db.stats().assertions());
        }
        assertFalse(parserAlive(), "the parsing thread ended with the import");
    }

    @Test
    void aLoadThatStopsEarlyStopsTheParsingThread() throws Exception {
        Path file = file("many.jsonl", manyLines(100_000));
        ProgressListener failing = (phase, done, total) -> {
            if (done >= 65_536) {
                try {
                    // long enough for the parsing thread to fill its queue and wait on it
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the listener stops the load");
            }
        };
        // on RocksDB, a bulk load reports its reading every 65,536 assertions
        try (StemeDB db = StemeDB.open(dir.resolve("db"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> JsonLines.importFrom(db, file, new JsonLines.ImportOptions(true, CLOCK, failing)));
            assertEquals("the listener stops the load", e.getMessage());
            assertEquals(0, db.stats().assertions());
        }
        assertFalse(parserAlive(), "the parsing thread ended with the import");
    }
}
