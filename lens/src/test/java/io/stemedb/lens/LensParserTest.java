package io.stemedb.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lens expression parser: every form, nesting, and errors that point at the column. */
class LensParserTest {
    private static final long NODE = 0x42;
    private static final Instant MARCH_20 = Instant.parse("2023-03-20T00:00:00Z");

    /** Evidence on which the built-in lenses disagree, with confidences, valid times, metadata and a retraction. */
    private static final List<Evidence> EVIDENCE = evidence();

    private static List<Evidence> evidence() {
        List<Assertion> all = new ArrayList<>();
        Claim hr = claim("hr", "Alice", 1, 0.9, "2019-01-01", "2023-04-01", Map.of("url", "https://hr.example"));
        Claim crm = claim("crm", "Bob", 2, 0.6, null, null, Map.of());
        Claim news = claim("news", "Bob", 3, null, "2023-04-01", null, Map.of("url", "https://news.example"));
        Claim web = claim("web scraper", "Carol", 4, 0.3, null, null, Map.of());
        Claim webLater = claim("web scraper", "Dave", 6, 0.95, null, null, Map.of());
        all.addAll(List.of(hr, crm, news, web, webLater));
        all.add(Retraction.of(webLater.id(), "web scraper", Hlc.of(day(7), 0, NODE), Map.of("reason", "misread")));
        List<Evidence> list = new ArrayList<>();
        list.add(Evidence.of("acme", "ceo", all));
        list.add(Evidence.of("acme", "ceo", all).asOf(Instant.ofEpochMilli(day(3))));
        list.add(Evidence.of("acme", "ceo", List.of(crm)));
        list.add(Evidence.of("acme", "ceo", List.of()));
        return list;
    }

    private static long day(int n) {
        return Instant.parse("2023-01-01T00:00:00Z").plusSeconds(86_400L * 30 * n).toEpochMilli();
    }

    private static Claim claim(String source, String value, int day, Double confidence, String from, String to,
            Map<String, String> meta) {
        Claim.Builder b = Claim.builder("acme", "ceo", Value.text(value)).source(source).hlc(Hlc.of(day(day), 0, NODE))
                .validFrom(from == null ? null : Instant.parse(from + "T00:00:00Z"))
                .validTo(to == null ? null : Instant.parse(to + "T00:00:00Z")).metadata(meta);
        if (confidence != null) {
            b.confidence(confidence);
        }
        return b.build();
    }

    /** The parsed lens behaves exactly like the library one: same name, same resolutions. */
    private static void assertSameLens(Lens expected, String expression) {
        Lens parsed = Lenses.parse(expression);
        assertEquals(expected.name(), parsed.name(), expression);
        for (Evidence e : EVIDENCE) {
            assertEquals(expected.resolve(e).explain(), parsed.resolve(e).explain(), expression + " on " + e);
            assertEquals(expected.resolve(e).winners(), parsed.resolve(e).winners(), expression + " on " + e);
        }
    }

    @Test
    void everyBuiltInLens() {
        assertSameLens(Lenses.latest(), "latest");
        assertSameLens(Lenses.latest(), "latest()");
        assertSameLens(Lenses.trust("hr", "crm"), "trust(hr, crm)");
        assertSameLens(Lenses.trust("news"), "trust(news)");
        assertSameLens(Lenses.trustOnly("hr"), "trustOnly(hr)");
        assertSameLens(Lenses.trustOnly("crm", "hr"), "trustOnly(crm,hr)");
        Map<String, Double> weights = new LinkedHashMap<>();
        weights.put("hr", 2.0);
        weights.put("crm", 1.0);
        assertSameLens(Lenses.weighted(weights), "weighted(hr=2, crm=1)");
        assertSameLens(Lenses.weighted(Map.of("news", 0.5, "crm", 1.25)), "weighted(news = 0.5, crm = 1.25)");
        assertSameLens(Lenses.majority(), "majority");
        assertSameLens(Lenses.quorum(2), "quorum(2)");
        assertSameLens(Lenses.quorum(1), "quorum( 1 )");
        assertSameLens(Lenses.confident(), "confident");
        assertSameLens(Lenses.all(), "all()");
    }

    @Test
    void theBuiltInLensesOwnNamesParse() {
        assertSameLens(Lenses.trust("hr", "crm"), "trust[hr > crm]");
        assertSameLens(Lenses.trust("web scraper", "hr"), "trust['web scraper'>hr]");
        assertSameLens(Lenses.trustOnly("hr"), "trust[hr, others ignored]");
        assertSameLens(Lenses.trustOnly("crm", "hr"), "trust[ crm > hr , others  ignored ]");
        assertSameLens(Lenses.weighted(Map.of("hr", 2.0, "crm", 1.0)), "weighted[crm=1.0, hr=2.0]");
        assertSameLens(Lenses.quorum(3), Lenses.quorum(3).name());
        for (Lens lens : List.of(Lenses.latest(), Lenses.majority(), Lenses.confident(), Lenses.all(),
                Lenses.trust("hr", "crm"), Lenses.trustOnly("news"), Lenses.weighted(Map.of("news", 0.5, "crm", 1.25)))) {
            assertSameLens(lens, lens.name());
        }
        Lens composed = Lenses.trustOnly("hr").orElse(Lenses.weighted(Map.of("crm", 1.0)).minConfidence(0.5))
                .onlySources("hr", "crm").withMetadata("url", "https://hr.example").validAt(MARCH_20).asOf(MARCH_20);
        assertSameLens(composed, composed.name());
    }

    @Test
    void aWordInsideBracketsEndsAtABracketButNotElsewhere() {
        assertSameLens(Lenses.trust("a>b", "c[d]"), "trust(a>b, c[d])");
        assertSameLens(Lenses.trust("a>b", "c[d]"), "trust['a>b' > 'c[d]']");
    }

    @Test
    void everyMethod() {
        assertSameLens(Lenses.trustOnly("hr").orElse(Lenses.latest()), "trustOnly(hr).orElse(latest)");
        assertSameLens(Lenses.latest().asOf(MARCH_20), "latest.asOf(2023-03-20T00:00:00Z)");
        assertSameLens(Lenses.latest().validAt(MARCH_20), "latest.validAt(2023-03-20T00:00:00Z)");
        assertSameLens(Lenses.majority().onlySources("crm", "news"), "majority.onlySources(crm, news)");
        assertSameLens(Lenses.latest().minConfidence(0.8), "latest.minConfidence(0.8)");
        assertSameLens(Lenses.all().withMetadata("url", "https://news.example"), "all.withMetadata(url=https://news.example)");
    }

    @Test
    void timesMayBeDatesOrCarryOffsetsAndFractions() {
        assertSameLens(Lenses.latest().asOf(MARCH_20), "latest.asOf(2023-03-20)");
        assertSameLens(Lenses.latest().asOf(MARCH_20), "latest.asOf(2023-03-20T02:00:00+02:00)");
        assertSameLens(Lenses.latest().validAt(Instant.parse("2023-03-20T10:15:30.250Z")),
                "latest.validAt(2023-03-20T10:15:30.250Z)");
        assertSameLens(Lenses.latest().asOf(MARCH_20), "latest.asOf(\"2023-03-20T00:00:00Z\")");
    }

    @Test
    void compositionsNest() {
        assertSameLens(Lenses.trustOnly("hr").orElse(Lenses.majority().orElse(Lenses.latest())).validAt(MARCH_20),
                "trustOnly(hr).orElse(majority.orElse(latest)).validAt(2023-03-20)");
        assertSameLens(Lenses.trustOnly("hr").orElse(Lenses.latest().validAt(MARCH_20)),
                "trustOnly(hr).orElse(latest.validAt(2023-03-20))");
        assertSameLens(Lenses.quorum(2).minConfidence(0.5).orElse(Lenses.confident().onlySources("hr", "web scraper"))
                        .asOf(Instant.parse("2023-06-01T00:00:00Z")),
                "quorum(2).minConfidence(0.5).orElse(confident.onlySources(hr, 'web scraper')).asOf(2023-06-01)");
        assertSameLens(Lenses.weighted(Map.of("hr", 3.0, "news", 1.0)).withMetadata("url", "https://hr.example")
                        .orElse(Lenses.all()),
                "weighted(hr=3, news=1).withMetadata(url=\"https://hr.example\").orElse(all)");
        // parentheses group, and change nothing where the chain already means the same
        assertSameLens(Lenses.trustOnly("hr").orElse(Lenses.latest()).asOf(MARCH_20),
                "(trustOnly(hr).orElse(latest)).asOf(2023-03-20)");
        assertSameLens(Lenses.latest(), "((latest))");
    }

    @Test
    void namesIgnoreCaseAndSpacesAreFree() {
        assertSameLens(Lenses.trust("hr", "crm").orElse(Lenses.latest()), "  Trust ( hr , crm ) . ORELSE ( LATEST )  ");
        assertSameLens(Lenses.trustOnly("hr"), "trustonly(hr)");
        assertSameLens(Lenses.latest().minConfidence(0.5), "latest.minconfidence(.5)");
    }

    @Test
    void quotedWordsHoldAnyCharacter() {
        assertSameLens(Lenses.trust("web scraper", "a,b", "it's", "x\"y"), "trust(\"web scraper\", 'a,b', \"it's\", 'x\"y')");
        assertSameLens(Lenses.trust("back\\slash", "q'uote"), "trust('back\\\\slash', 'q\\'uote')");
        assertSameLens(Lenses.trust("acme.com", "a-b_c"), "trust(acme.com, a-b_c)");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``                                 | 1  | empty",
        "lates                              | 1  | unknown lens 'lates' (did you mean latest?)",
        "majoritee                          | 1  | did you mean majority?",
        "asOf(2023-01-01)                   | 1  | asOf is a method",
        "42                                 | 1  | expected a lens",
        "trust(hr, crm                      | 14 | expected ',' or ')' after 'crm' but the expression ended",
        "trust(hr crm)                      | 10 | expected ',' or ')' after 'hr', got 'crm'",
        "trust()                            | 7  | trust needs at least one of its sources",
        "trust                              | 6  | expected '(' after trust but the expression ended",
        "trust(hr, hr)                      | 11 | trust lists 'hr' twice",
        "trust(hr,)                         | 10 | expected a source name, got ')'",
        "trustOnly(,hr)                     | 11 | expected a source name, got ','",
        "quorum(0)                          | 8  | quorum needs a whole number of sources of at least 1, got '0'",
        "quorum(two)                        | 8  | got 'two'",
        "quorum(2                           | 9  | expected ')' to close quorum",
        "weighted()                         | 10 | weighted needs at least one source=weight",
        "weighted(hr)                       | 12 | expected '=' and a weight after 'hr'",
        "weighted(hr=x)                     | 13 | weighted needs a number for the weight of 'hr', got 'x'",
        "weighted(hr=-1)                    | 13 | must be a finite number of at least 0",
        "weighted(hr=1e999)                 | 13 | must be a finite number of at least 0",
        "weighted(hr=1, hr=2)               | 16 | weighted gives 'hr' a weight twice",
        "latest(x)                          | 8  | latest takes no arguments",
        "latest majority                    | 8  | unexpected 'majority' after a complete lens",
        "latest)                            | 7  | unexpected ')' after a complete lens",
        "latest.                            | 8  | expected a method",
        "latest.foo(1)                      | 8  | unknown method 'foo'",
        "latest.asof                        | 12 | expected '(' after asOf",
        "latest.asOf(yesterday)             | 13 | asOf needs a time: 'yesterday' is not a time",
        "latest.validAt()                   | 16 | expected a time",
        "latest.minConfidence(1.5)          | 22 | minConfidence needs a confidence between 0 and 1, got 1.5",
        "latest.minConfidence(NaN)          | 22 | minConfidence needs a number",
        "latest.onlySources()               | 20 | onlySources needs at least one",
        "latest.withMetadata(k)             | 22 | expected '=' between the metadata key and its value",
        "latest.withMetadata(k=)            | 23 | expected the value of metadata key 'k'",
        "latest.orElse()                    | 15 | expected a lens",
        "latest.orElse(latest               | 21 | expected ')' to close orElse but the expression ended",
        "trust(\"hr)                        | 7  | the string starting here has no closing \"",
        "trust('')                          | 7  | an empty string is not a name",
        "trust('a\\b')                      | 9  | unknown escape \\b",
        "(latest                            | 8  | expected ')' to close the parenthesized lens",
        "latest.orElse(trust(hr).foo)       | 25 | unknown method 'foo'",
        "trust[]                            | 7  | trust needs at least one of its sources",
        "trust[hr > crm                     | 15 | expected '>', ', others ignored' or ']' after 'crm' but the expression ended",
        "trust[hr > hr]                     | 12 | trust lists 'hr' twice",
        "trust[hr >]                        | 11 | expected a source name, got ']'",
        "trust[hr, crm]                     | 11 | expected 'others ignored' after the last source",
        "trust[hr, others]                  | 11 | write trust[hr > crm] or trust[hr > crm, others ignored]",
        "trust[hr, others kept]             | 11 | expected 'others ignored'",
        "trust[hr) > crm]                   | 9  | expected '>', ', others ignored' or ']' after 'hr', got ')'",
        "weighted[]                         | 10 | weighted needs at least one source=weight",
        "weighted[hr=1.0                    | 16 | expected ',' or ']' after the weight of 'hr' but the expression ended",
        "weighted[hr=1.0)                   | 16 | expected ',' or ']' after the weight of 'hr', got ')'",
        "weighted[hr=x]                     | 13 | weighted needs a number for the weight of 'hr', got 'x'",
        "weighted[hr=1, hr=2]               | 16 | weighted gives 'hr' a weight twice",
        "majority[hr]                       | 9  | unexpected '[' after a complete lens",
    })
    void errorsNameTheProblemAndItsColumn(String expression, int column, String problem) {
        Lenses.InvalidLensException e = assertThrows(Lenses.InvalidLensException.class,
                () -> Lenses.parse(expression));
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "'" + problem + "' not in: " + e.getMessage());
        assertTrue(e.getMessage().contains("(column " + column + " of \"" + expression + "\")"), e.getMessage());
        String[] pointer = e.pointer().split("\\R");
        assertEquals(expression, pointer[0]);
        assertEquals(column - 1, pointer[1].indexOf('^'), e.pointer());
    }

    @Test
    void aLongBadExpressionIsQuotedOnlyInPart() {
        String expression = "trust(" + "x".repeat(10_000) + ", " + "x".repeat(10_000) + ")";
        Lenses.InvalidLensException e = assertThrows(Lenses.InvalidLensException.class, () -> Lenses.parse(expression));
        assertTrue(e.getMessage().length() < 400, "a bounded message: " + e.getMessage().length());
        assertTrue(e.getMessage().contains("(20009 characters)"), e.getMessage());
        assertEquals(expression, e.expression());
    }

    @Test
    void aBadExpressionIsAStemeException() {
        assertTrue(assertThrows(RuntimeException.class, () -> Lenses.parse("lates"))
                instanceof io.stemedb.model.StemeException);
    }

    @Test
    void theMessageIsOneLine() {
        Lenses.InvalidLensException e = assertThrows(Lenses.InvalidLensException.class,
                () -> Lenses.parse("trust(hr, crm"));
        assertEquals(1, e.getMessage().lines().count());
        assertEquals("expected ',' or ')' after 'crm' but the expression ended", e.problem());
        assertEquals("trust(hr, crm", e.expression());
    }

    @Test
    void deepNestingAndLongChainsAreRefusedWithAClearErrorNotAStackOverflow() {
        for (String expression : new String[] {
            "(".repeat(100_000) + "latest" + ")".repeat(100_000),
            "latest" + ".orElse(latest".repeat(20_000) + ")".repeat(20_000),
            "latest" + ".asOf(2023-03-20)".repeat(100_000),
        }) {
            Lenses.InvalidLensException e = assertThrows(Lenses.InvalidLensException.class,
                    () -> Lenses.parse(expression));
            assertTrue(e.getMessage().contains("nested more than") || e.getMessage().contains("more than 256 lenses"),
                    e.getMessage());
            assertTrue(e.getMessage().length() < 400, "a bounded message: " + e.getMessage().length());
        }
        // what a person writes is far within the bounds
        assertSameLens(Lenses.latest(), "((((latest))))");
    }
}
