package io.stemedb.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.fuzz.Fuzz;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * {@link Lenses#parse} on outside input and on the lenses' own names. Random text, text built
 * from the language's pieces, and valid expressions damaged in one to three ways end in a lens or
 * in {@link Lenses.InvalidLensException} with a bounded message; the name of any lens built from
 * the built-in lenses and {@link Lens}'s methods parses back to a lens with the same name that
 * resolves every evidence the same way.
 */
class LensParserProperties {
    static final List<String> VALID_LENSES = List.of("latest", "trust(hr, crm).orElse(latest).validAt(2023-03-20)",
            "weighted(hr=2, 'c r m'=1).minConfidence(0.5)", "(majority).onlySources(a,b).withMetadata(url=\"x\\\"y\")",
            "quorum(2).asOf(2023-03-20T00:00:00Z)", "trustOnly(\"a b\").orElse(confident.orElse(all))",
            "trust[hr > crm, others ignored].orElse(weighted[crm=1.0, hr=2.0])");

    private static final String[] SOURCES = {"hr", "crm", "news", "web"};
    private static final String[] VALUES = {"Alice", "Bob", "Carol"};
    private static final String[] URLS = {"https://hr.example", "https://news.example"};

    @Provide
    Arbitrary<String> expressions() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(100), Fuzz.textMutationsOf(VALID_LENSES),
                Arbitraries.of("latest", "trust", "weighted", "quorum", "(", ")", "[", "]", ">", ".", ",", "=", "'", "\"",
                        "\\", "orElse", "asOf", "validAt", "minConfidence", "withMetadata", "onlySources", "others",
                        "ignored", "hr", "2", "0.5", "1e400", "NaN", "2023-03-20", " ").list().ofMaxSize(40)
                        .map(parts -> String.join("", parts)));
    }

    @Property
    @Tag(Fuzz.TAG)
    void anExpressionParsesOrFailsTyped(@ForAll("expressions") String expression) {
        Lens lens = Fuzz.typedOrValid(expression, () -> Lenses.parse(expression), Lenses.InvalidLensException.class);
        if (lens == null) {
            try {
                Lenses.parse(expression);
            } catch (Lenses.InvalidLensException e) {
                assertTrue(e.getMessage().length() < 1000, "a bounded message: " + e.getMessage().length());
                assertTrue(e.column() >= 1 && e.column() <= expression.length() + 1, "a column in the expression: " + e.column());
            }
        }
    }

    @Provide
    Arbitrary<Lens> lenses() {
        Arbitrary<Lens> chained = Combinators.combine(builtIns(), methods().list().ofMaxSize(3)).as(LensParserProperties::apply);
        Arbitrary<Lens> fallback = Combinators.combine(chained, chained, methods().list().ofMaxSize(2))
                .as((first, second, after) -> apply(first.orElse(second), after));
        return Arbitraries.oneOf(chained, fallback);
    }

    private static Lens apply(Lens lens, List<UnaryOperator<Lens>> methods) {
        Lens result = lens;
        for (UnaryOperator<Lens> m : methods) {
            result = m.apply(result);
        }
        return result;
    }

    private static Arbitrary<Lens> builtIns() {
        Arbitrary<String[]> ranking = Arbitraries.of(SOURCES).list().uniqueElements().ofMinSize(1).ofMaxSize(4)
                .map(l -> l.toArray(String[]::new));
        Arbitrary<Map<String, Double>> weights = Arbitraries.maps(Arbitraries.of(SOURCES),
                Arbitraries.doubles().between(0, 10)).ofMinSize(1).ofMaxSize(4);
        return Arbitraries.oneOf(Arbitraries.of(Lenses.latest(), Lenses.majority(), Lenses.confident(), Lenses.all()),
                ranking.map(Lenses::trust), ranking.map(Lenses::trustOnly), weights.map(Lenses::weighted),
                Arbitraries.integers().between(1, 4).map(Lenses::quorum));
    }

    private static Arbitrary<UnaryOperator<Lens>> methods() {
        Arbitrary<Long> seconds = Arbitraries.longs().between(0, 120_000);
        return Arbitraries.oneOf(
                seconds.map(s -> l -> l.asOf(LensFixtures.at(s / 1000).plusMillis(s % 1000))),
                seconds.map(s -> l -> l.validAt(LensFixtures.at(s / 1000))),
                Arbitraries.of(SOURCES).list().uniqueElements().ofMinSize(1).ofMaxSize(3)
                        .map(s -> l -> l.onlySources(s.toArray(String[]::new))),
                Arbitraries.doubles().between(0, 1).map(min -> l -> l.minConfidence(min)),
                Arbitraries.of(URLS).map(url -> l -> l.withMetadata("url", url)));
    }

    @Provide
    Arbitrary<Evidence> evidence() {
        Arbitrary<Claim> claim = Combinators.combine(Arbitraries.of(SOURCES), Arbitraries.of(VALUES),
                Arbitraries.longs().between(0, 100), Arbitraries.doubles().between(0, 1).injectNull(0.3),
                Arbitraries.longs().between(0, 100).injectNull(0.5), Arbitraries.of(URLS).injectNull(0.5))
                .as((source, value, s, confidence, from, url) -> {
                    Claim.Builder b = LensFixtures.says(source, value, s);
                    if (confidence != null) {
                        b.confidence(confidence);
                    }
                    if (from != null) {
                        b.validFrom(LensFixtures.at(from)).validTo(LensFixtures.at(from + 30));
                    }
                    if (url != null) {
                        b.metadata("url", url);
                    }
                    return b.build();
                });
        return Combinators.combine(claim.list().ofMaxSize(8), Arbitraries.integers().between(0, 7).list().ofMaxSize(2))
                .as((claims, retracted) -> {
                    List<Assertion> all = new ArrayList<>(claims);
                    for (int i : retracted) {
                        if (i < claims.size()) {
                            Claim target = claims.get(i);
                            all.add(LensFixtures.retract(target, target.source(), 110 + i));
                        }
                    }
                    return LensFixtures.evidence(all);
                });
    }

    @Property
    void theNameOfEveryLensParsesBackToTheSameLens(@ForAll("lenses") Lens lens, @ForAll("evidence") Evidence evidence) {
        Lens parsed = Lenses.parse(lens.name());
        assertEquals(lens.name(), parsed.name());
        Resolution expected = lens.resolve(evidence);
        Resolution actual = parsed.resolve(evidence);
        assertEquals(expected.winners(), actual.winners(), lens.name());
        assertEquals(expected.explain(), actual.explain(), lens.name());
    }
}
