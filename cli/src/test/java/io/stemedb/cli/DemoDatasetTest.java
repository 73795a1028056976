package io.stemedb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.Stats;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoDatasetTest {
    private static final String GOOD_CLAIM = "{\"key\": \"k1\", \"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", "
            + "\"subject\": \"acme\", \"predicate\": \"ceo\", \"value\": \"alice\", \"type\": \"ref\", \"confidence\": 0.5}";

    @Test
    void theBundledDatasetLoadsAndIsRichEnoughForTheDemo() {
        DemoDataset data = DemoDataset.bundled();
        DemoDataset.Summary s = data.summary();
        assertTrue(s.sources().size() >= 4, "sources: " + s.sources());
        assertTrue(s.subjects().size() >= 30, "subjects: " + s.subjects().size());
        assertTrue(s.retractions() >= 3, "retractions: " + s.retractions());
        assertTrue(s.claimsWithValidTime() >= 3, "claims with valid time: " + s.claimsWithValidTime());
        assertTrue(s.predicates().containsAll(java.util.List.of("ceo", "headquarters", "employees", "founded",
                "revenue_musd", "public", "parent")), "predicates: " + s.predicates());
        try (DemoDataset.Loaded loaded = data.load()) {
            Stats stats = loaded.db().stats();
            assertEquals(s.claims(), stats.claims());
            assertEquals(s.retractions(), stats.retractions());
            assertEquals(DemoDataset.NODE_ID, loaded.db().nodeId());
        }
    }

    @Test
    void everyAssertionIsStampedWithItsLinesRecordedTime() {
        DemoDataset data = DemoDataset.bundled();
        try (DemoDataset.Loaded loaded = data.load()) {
            for (DemoDataset.Entry e : data.entries()) {
                AssertionId id = loaded.idsByLine().get(e.line());
                Assertion a = loaded.db().get(id).orElseThrow();
                assertEquals(e.recorded(), a.hlc().instant(), "line " + e.line());
                assertEquals(DemoDataset.NODE_ID, a.hlc().node());
                assertEquals(e.source(), a.source());
                if (e instanceof DemoDataset.RetractionEntry) {
                    AssertionId target = loaded.idsByKey().get(((DemoDataset.RetractionEntry) e).retracts());
                    assertEquals(target, ((Retraction) a).target());
                } else {
                    assertEquals(((DemoDataset.ClaimEntry) e).value(), ((Claim) a).value());
                }
            }
        }
    }

    @Test
    void loadingTwiceGivesIdenticalIds() {
        Map<Integer, AssertionId> first;
        try (DemoDataset.Loaded loaded = DemoDataset.bundled().load()) {
            first = loaded.idsByLine();
        }
        try (DemoDataset.Loaded loaded = DemoDataset.bundled().load()) {
            assertEquals(first, loaded.idsByLine());
        }
        assertEquals(DemoDataset.bundled().entries().size(), first.size());
        assertEquals(first.size(), first.values().stream().distinct().count(), "ids are distinct");
    }

    @Test
    void valuesGetTheirTypesFromJsonOrFromTheTypeField(@TempDir Path dir) throws Exception {
        String text = String.join("\n",
                line("\"value\": \"Berlin\""),
                line("\"value\": 42"),
                line("\"value\": 4.5"),
                line("\"value\": 7, \"type\": \"real\""),
                line("\"value\": true"),
                line("\"value\": \"2009-04-14\", \"type\": \"instant\""),
                line("\"value\": \"2009-04-14T10:15:30Z\", \"type\": \"instant\""),
                line("\"value\": \"bob\", \"type\": \"ref\""),
                "",
                line("\"value\": \"x\", \"validFrom\": \"2019-01-01\", \"validTo\": \"2020-06-01T12:00:00Z\", "
                        + "\"metadata\": {\"url\": \"https://example.org\"}"));
        Path file = Files.writeString(dir.resolve("types.jsonl"), text);
        DemoDataset data = DemoDataset.read(file);
        assertEquals(9, data.entries().size());
        Value[] expected = {Value.text("Berlin"), Value.integer(42), Value.real(4.5), Value.real(7), Value.bool(true),
            Value.instant(Instant.parse("2009-04-14T00:00:00Z")), Value.instant(Instant.parse("2009-04-14T10:15:30Z")),
            Value.ref("bob"), Value.text("x")};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], ((DemoDataset.ClaimEntry) data.entries().get(i)).value(), "entry " + i);
        }
        DemoDataset.ClaimEntry last = (DemoDataset.ClaimEntry) data.entries().get(8);
        assertEquals(10, last.line(), "a blank line still counts");
        assertEquals(Instant.parse("2019-01-01T00:00:00Z"), last.validFrom());
        assertEquals(Instant.parse("2020-06-01T12:00:00Z"), last.validTo());
        assertEquals(Map.of("url", "https://example.org"), last.metadata());
    }

    private static String line(String valueFields) {
        return "{\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"acme\", "
                + "\"predicate\": \"p\", " + valueFields + "}";
    }

    @Test
    void linesMayComeInAnyOrderAndAreLoadedInRecordedOrder() {
        String text = String.join("\n",
                "{\"recorded\": \"2023-01-02T00:00:00Z\", \"source\": \"crm\", \"retracts\": \"k1\"}",
                GOOD_CLAIM);
        DemoDataset data = DemoDataset.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "inline");
        try (DemoDataset.Loaded loaded = data.load()) {
            AssertionId claim = loaded.idsByKey().get("k1");
            assertTrue(loaded.db().history("acme", "ceo").isRetracted(claim));
            assertFalse(loaded.db().resolve("acme", "ceo", io.stemedb.lens.Lenses.latest()).value().isPresent());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "not JSON              | {\"recorded\": |not valid JSON",
        "trailing garbage      | {\"recorded\": \"2023-01-01T10:00:00Z\"} x|not valid JSON",
        "not an object         | [1, 2]|expected a JSON object",
        "unknown field         | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1, \"colour\": \"red\"}|unknown field \"colour\"",
        "missing recorded      | {\"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1}|\"recorded\" is missing",
        "bad recorded          | {\"recorded\": \"yesterday\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1}|ISO-8601 instant",
        "missing value         | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\"}|\"value\" is missing",
        "empty subject         | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"\", \"predicate\": \"p\", \"value\": 1}|\"subject\" must be a non-empty string",
        "unknown type          | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1, \"type\": \"money\"}|\"type\" is 'money'; it must be one of",
        "type mismatch         | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": \"many\", \"type\": \"integer\"}|an integer value must be a whole number",
        "integer too big       | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 99999999999999999999}|an integer value must be a whole number",
        "confidence too high   | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1, \"confidence\": 1.5}|\"confidence\" must be in [0, 1]",
        "empty valid time      | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1, \"validFrom\": \"2020-01-01\", \"validTo\": \"2019-01-01\"}|validTo",
        "bad metadata          | {\"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1, \"metadata\": {\"n\": 1}}|metadata \"n\" must be a string",
        "duplicate key         | {\"key\": \"k1\", \"recorded\": \"2023-01-01T10:00:00Z\", \"source\": \"crm\", \"subject\": \"a\", \"predicate\": \"p\", \"value\": 1}|key \"k1\" is already used on line 1",
        "retracts unknown key  | {\"recorded\": \"2023-01-02T10:00:00Z\", \"source\": \"crm\", \"retracts\": \"nope\"}|no claim in the file has that key",
        "retracts before claim | {\"recorded\": \"2022-01-02T10:00:00Z\", \"source\": \"crm\", \"retracts\": \"k1\"}|recorded after this retraction",
        "retraction with value | {\"recorded\": \"2023-01-02T10:00:00Z\", \"source\": \"crm\", \"retracts\": \"k1\", \"value\": 1}|unknown field \"value\"",
    })
    void aBadLineFailsWithAMessageNamingTheLine(String what, String badLine, String problem, @TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("bad.jsonl"), GOOD_CLAIM + "\n\n" + badLine + "\n" + GOOD_CLAIM.replace("k1", "k2") + "\n");
        DemoDataset.DatasetException e = assertThrows(DemoDataset.DatasetException.class, () -> DemoDataset.read(file));
        assertEquals(3, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + " line 3: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void anEmptyOrMissingFileIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n\n");
        assertTrue(assertThrows(DemoDataset.DatasetException.class, () -> DemoDataset.read(empty))
                .getMessage().contains("holds no claims"));
        Path missing = dir.resolve("missing.jsonl");
        assertTrue(assertThrows(DemoDataset.DatasetException.class, () -> DemoDataset.read(missing))
                .getMessage().contains("cannot be read"));
    }
}
