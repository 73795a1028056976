package io.stemedb.backup;

import static io.stemedb.backup.BackupFixtures.assertSameContent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.BackupTestSupport;
import io.stemedb.ExportOptions;
import io.stemedb.ManualClock;
import io.stemedb.MergeResult;
import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import io.stemedb.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** db.exportArchive and db.importArchive: whole, point-in-time and by source, compressed or not. */
class ArchiveRoundTripTest {
    @TempDir
    Path dir;

    private ManualClock clock;
    private StemeDB source;
    /** The instant between the two halves of the fixture. */
    private Instant t;
    /** Claims written before {@link #t} and retracted after it. */
    private List<AssertionId> retractedLater;

    @BeforeEach
    void populate() {
        clock = new ManualClock(BackupFixtures.BASE);
        source = BackupFixtures.open(dir.resolve("source"), clock);
        List<AssertionId> claims = BackupFixtures.populate(source, clock, 7, 300, BackupFixtures.newList());
        clock.advance(500);
        t = clock.instant();
        clock.advance(500);
        retractedLater = new ArrayList<>();
        for (int i = 0; i < claims.size(); i += 25) {
            AssertionId c = claims.get(i);
            if (source.asOf(t).history(subject(c), predicate(c)).live().stream().anyMatch(x -> x.id().equals(c))) {
                source.retract(c, "audit", Map.of("reason", "retracted after T"));
                retractedLater.add(c);
            }
        }
        BackupFixtures.populate(source, clock, 8, 300, claims);
        assertTrue(retractedLater.size() >= 5, "the fixture retracts some claims after T");
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        source.close();
    }

    private String subject(AssertionId id) {
        return ((Claim) source.get(id).orElseThrow()).subject();
    }

    private String predicate(AssertionId id) {
        return ((Claim) source.get(id).orElseThrow()).predicate();
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void exportThenImportIntoAnEmptyDatabaseGivesTheSameDatabase(boolean compress) throws Exception {
        Path file = dir.resolve("all.stma");
        List<String> phases = new ArrayList<>();
        ArchiveSummary s = source.exportArchive(file, ExportOptions.ALL.compressed(compress), (p, d, total) -> phases.add(p));
        assertEquals(source.stats().assertions(), s.count());
        assertEquals(BackupTestSupport.storedDigest(source), s.digest(), "the header's Merkle root is the database's digest");
        assertEquals(compress, s.compressed());
        assertEquals("all", s.filter());
        assertEquals(Files.size(file), s.bytes());
        assertTrue(phases.contains("export"), phases.toString());
        assertEquals(s, StemeDB.verifyArchive(file, ProgressListener.NONE));

        for (boolean onDisk : new boolean[] {false, true}) {
            try (StemeDB copy = onDisk ? StemeDB.open(dir.resolve("copy-" + compress)) : StemeDB.inMemory()) {
                MergeResult r = copy.importArchive(file, ProgressListener.NONE);
                assertEquals(s.count(), r.added());
                assertEquals(0, r.duplicates());
                assertEquals(List.of(), r.rejected());
                if (onDisk) {
                    assertSameContent(source, copy);
                    assertTrue(copy.verify().ok(), copy.verify().problems().toString());
                } else {
                    assertEquals(BackupFixtures.ids(source), BackupFixtures.ids(copy));
                    assertEquals(s.digest(), IdDigest.of(BackupFixtures.ids(copy)));
                    BackupFixtures.assertSameHistories(source, copy, BackupFixtures.facts(source));
                }
                // importing again adds nothing: the archive is a set
                MergeResult again = copy.importArchive(file, ProgressListener.NONE);
                assertEquals(0, again.added());
                assertEquals(s.count(), again.duplicates());
            }
        }
    }

    @Test
    void compressedAndUncompressedArchivesHoldTheSameRecords() {
        ArchiveSummary plain = source.exportArchive(dir.resolve("p.stma"), ExportOptions.ALL.compressed(false), ProgressListener.NONE);
        ArchiveSummary packed = source.exportArchive(dir.resolve("z.stma"), ExportOptions.ALL, ProgressListener.NONE);
        assertEquals(plain.digest(), packed.digest());
        assertEquals(plain.count(), packed.count());
        assertTrue(packed.bytes() < plain.bytes(), packed.bytes() + " vs " + plain.bytes());
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void aPointInTimeExportIsTheDatabaseAsOfThatTime(boolean compress) throws Exception {
        Path file = dir.resolve("t.stma");
        ArchiveSummary s = source.exportArchive(file, ExportOptions.ALL.asOf(t).compressed(compress), ProgressListener.NONE);
        assertTrue(s.filter().contains(t.toString()), s.filter());
        Set<AssertionId> expected = BackupFixtures.all(source).values().stream().filter(a -> !a.hlc().instant().isAfter(t))
                .map(Assertion::id).collect(Collectors.toSet());
        assertNotEquals(BackupFixtures.ids(source), expected, "the fixture has writes after T");
        assertEquals(expected.size(), s.count());
        try (StemeDB imported = StemeDB.inMemory()) {
            imported.importArchive(file, ProgressListener.NONE);
            assertEquals(expected, BackupFixtures.ids(imported));
            ReadView then = source.asOf(t);
            BackupFixtures.assertSameHistories(then, imported, BackupFixtures.facts(source));
            for (AssertionId c : retractedLater) {
                Evidence past = then.history(subject(c), predicate(c));
                Evidence now = source.history(subject(c), predicate(c));
                Evidence copy = imported.history(subject(c), predicate(c));
                assertTrue(past.live().stream().anyMatch(x -> x.id().equals(c)), "live as of T in the source");
                assertTrue(copy.live().stream().anyMatch(x -> x.id().equals(c)), "live in the point-in-time copy");
                assertFalse(now.live().stream().anyMatch(x -> x.id().equals(c)), "retracted now");
            }
            // and the lenses agree too: what the copy resolves is what the source resolved at T
            for (List<String> f : BackupFixtures.facts(source)) {
                assertEquals(then.resolve(f.get(0), f.get(1), io.stemedb.lens.Lenses.latest()).values(),
                        imported.resolve(f.get(0), f.get(1), io.stemedb.lens.Lenses.latest()).values(), f.toString());
            }
        }
    }

    @Test
    void anExportBySourceHoldsExactlyThatSourcesAssertions() throws Exception {
        for (String[] sources : new String[][] {{"crm"}, {"audit"}, {"hr", "web"}}) {
            Path file = dir.resolve(String.join("+", sources) + ".stma");
            ArchiveSummary s = source.exportArchive(file, ExportOptions.ALL.sources(sources), ProgressListener.NONE);
            Set<AssertionId> expected = new HashSet<>();
            for (String src : sources) {
                source.bySource(src).forEach(a -> expected.add(a.id()));
            }
            assertFalse(expected.isEmpty());
            assertEquals(expected.size(), s.count());
            assertTrue(s.filter().contains(sources[0]), s.filter());
            try (StemeDB imported = StemeDB.inMemory()) {
                MergeResult r = imported.importArchive(file, ProgressListener.NONE);
                assertEquals(expected.size(), r.added(), "retractions of other sources' claims are accepted too: " + r.rejected());
                Map<AssertionId, Assertion> got = BackupFixtures.all(imported);
                assertEquals(expected, got.keySet());
                Set<String> allowed = Set.of(sources);
                assertTrue(got.values().stream().allMatch(a -> allowed.contains(a.source())));
                if (List.of(sources).contains("audit")) {
                    assertTrue(got.values().stream().anyMatch(a -> a instanceof Retraction), "audit's retractions came along");
                }
            }
        }
        ArchiveSummary none = source.exportArchive(dir.resolve("none.stma"), ExportOptions.ALL.sources("nobody"), ProgressListener.NONE);
        assertEquals(0, none.count());
        try (StemeDB imported = StemeDB.inMemory()) {
            assertEquals(0, imported.importArchive(dir.resolve("none.stma"), ProgressListener.NONE).added());
        }
    }

    @Test
    void aPointInTimeExportBySourceCombinesBoth() throws Exception {
        Path file = dir.resolve("crm-t.stma");
        ArchiveSummary s = source.exportArchive(file, ExportOptions.ALL.asOf(t).sources("crm"), ProgressListener.NONE);
        Set<AssertionId> expected = source.bySource("crm").stream().filter(a -> !a.hlc().instant().isAfter(t))
                .map(Assertion::id).collect(Collectors.toSet());
        assertEquals(expected.size(), s.count());
        try (StemeDB imported = StemeDB.inMemory()) {
            imported.importArchive(file, ProgressListener.NONE);
            assertEquals(expected, BackupFixtures.ids(imported));
        }
    }

    @Test
    void importMergesIntoADatabaseThatAlreadyHasData() throws Exception {
        Path file = dir.resolve("all.stma");
        ArchiveSummary s = source.exportArchive(file, ExportOptions.ALL, ProgressListener.NONE);
        try (StemeDB other = StemeDB.inMemory()) {
            AssertionId own = other.assertion("elsewhere", "p", Value.integer(1)).source("local").commit();
            source.exportArchive(dir.resolve("half.stma"), ExportOptions.ALL.asOf(t), ProgressListener.NONE);
            long half = other.importArchive(dir.resolve("half.stma"), ProgressListener.NONE).added();
            MergeResult r = other.importArchive(file, ProgressListener.NONE);
            assertEquals(s.count() - half, r.added());
            assertEquals(half, r.duplicates());
            Set<AssertionId> expected = BackupFixtures.ids(source);
            expected.add(own);
            assertEquals(expected, BackupFixtures.ids(other));
        }
    }

    @Test
    void exportWhileWritingIsConsistentAndImportRestoresItsClock() throws Exception {
        // the export reads up to the sequence number it started at, so writes during it do not break it
        Path file = dir.resolve("all.stma");
        long before = source.stats().assertions();
        ArchiveSummary s = source.exportArchive(file, ExportOptions.ALL, (phase, done, total) -> {
            if (done == 0 || done % 4096 == 0) {
                source.assertion("during", "export", Value.integer(done)).source("writer").commit();
            }
        });
        assertEquals(before, s.count());
        try (StemeDB copy = StemeDB.inMemory()) {
            copy.importArchive(file, ProgressListener.NONE);
            AssertionId next = copy.assertion("x", "y", Value.integer(1)).source("s").commit();
            Assertion newest = BackupFixtures.all(source).values().stream().filter(a -> !a.source().equals("writer"))
                    .max((a, b) -> a.hlc().compareTo(b.hlc())).orElseThrow();
            assertTrue(copy.get(next).orElseThrow().hlc().isAfter(newest.hlc()), "the copy's clock moved past what it imported");
        }
    }

    @Test
    void exportToAMissingDirectoryCreatesItAndIntoADirectoryFails() throws Exception {
        Path nested = dir.resolve("a/b/c.stma");
        assertEquals(source.stats().assertions(), source.exportArchive(nested, ExportOptions.ALL, ProgressListener.NONE).count());
        Path aDirectory = Files.createDirectories(dir.resolve("d.stma"));
        Files.writeString(aDirectory.resolve("x"), "x");
        ArchiveException e = assertThrows(ArchiveException.class, () -> source.exportArchive(aDirectory, ExportOptions.ALL, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("d.stma"), e.getMessage());
    }

    @Test
    void aReadOnlyDatabaseCanExportButNotImport() throws Exception {
        Path file = dir.resolve("all.stma");
        source.exportArchive(file, ExportOptions.ALL, ProgressListener.NONE);
        source.close();
        try (StemeDB ro = StemeDB.builder().openReadOnly(dir.resolve("source"))) {
            assertEquals(ro.stats().assertions(), ro.exportArchive(dir.resolve("ro.stma"), ExportOptions.ALL, ProgressListener.NONE).count());
            assertThrows(StorageException.ReadOnly.class, () -> ro.importArchive(file, ProgressListener.NONE));
        }
        source = StemeDB.open(dir.resolve("source"));
    }
}
