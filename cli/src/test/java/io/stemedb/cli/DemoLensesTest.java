package io.stemedb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class DemoLensesTest {
    private static final List<String> RANKING = List.of("registry", "hr", "crm");

    private static Claim claim(String source, String value, long millis, Double confidence) {
        Claim.Builder b = Claim.builder("acme", "hq", Value.text(value)).source(source).hlc(Hlc.of(millis, 0, 1));
        if (confidence != null) {
            b.confidence(confidence);
        }
        return b.build();
    }

    private static final Claim REGISTRY_OLD = claim("registry", "Boston", 1_000, 0.9);
    private static final Claim CRM = claim("crm", "Austin", 2_000, 0.7);
    private static final Claim NEWS = claim("news", "Austin", 3_000, null);
    private static final Claim REGISTRY_NEW = claim("registry", "Salem", 4_000, 0.8);
    private static final Claim SCRAPER = claim("web-scraper", "Denver", 5_000, 0.95);
    private static final Retraction SCRAPER_WITHDRAWN = Retraction.of(SCRAPER.id(), "web-scraper", Hlc.of(6_000, 0, 1), Map.of());
    private static final List<Assertion> ALL = List.of(REGISTRY_OLD, CRM, NEWS, REGISTRY_NEW, SCRAPER, SCRAPER_WITHDRAWN);

    private static Resolution resolve(Lens lens, List<? extends Assertion> assertions) {
        return lens.resolve(Evidence.of("acme", "hq", assertions));
    }

    @Test
    void trustPicksTheLatestClaimOfTheMostTrustedSource() {
        Resolution r = resolve(DemoLenses.trust(RANKING), ALL);
        assertEquals(List.of(REGISTRY_NEW), r.winners());
        assertEquals("trust", r.lens());
        assertEquals(List.of(REGISTRY_OLD, CRM, NEWS), r.overruled());
        // Unranked sources rank last but still answer when nobody else speaks.
        assertEquals(List.of(NEWS), resolve(DemoLenses.trust(RANKING), List.of(NEWS)).winners());
    }

    @Test
    void confidencePicksTheSurestLiveClaim() {
        assertEquals(List.of(REGISTRY_OLD), resolve(DemoLenses.highestConfidence(), ALL).winners(),
                "the scraper's 0.95 is retracted, so the registry's 0.9 wins");
        assertEquals(List.of(CRM), resolve(DemoLenses.highestConfidence(), List.of(CRM, NEWS)).winners(),
                "a claim without confidence ranks below any with one");
    }

    @Test
    void majorityCountsDistinctSourcesAndNamesEverySupporter() {
        Resolution r = resolve(DemoLenses.majority(), ALL);
        assertEquals(Set.of(Value.text("Austin")), r.values());
        assertEquals(List.of(CRM, NEWS), r.winners());
        Claim crmAgain = claim("crm", "Boston", 7_000, null);
        Claim crmOnceMore = claim("crm", "Boston", 8_000, null);
        // Two claims by one source count once: Boston (registry, crm) ties Austin (crm, news); the later wins.
        assertEquals(Set.of(Value.text("Boston")),
                resolve(DemoLenses.majority(), List.of(REGISTRY_OLD, CRM, NEWS, crmAgain, crmOnceMore)).values());
    }

    @Test
    void validAtConsidersOnlyClaimsValidThenAndKeepsItsName() {
        Instant y2020 = Instant.parse("2020-01-01T00:00:00Z");
        Claim old = Claim.builder("acme", "hq", Value.text("Boston")).source("hr").hlc(Hlc.of(1_000, 0, 1))
                .validTo(y2020).build();
        Claim current = Claim.builder("acme", "hq", Value.text("Austin")).source("hr").hlc(Hlc.of(2_000, 0, 1))
                .validFrom(y2020).build();
        Lens lens = DemoLenses.validAt(Instant.parse("2019-06-01T00:00:00Z"), "valid in 2019");
        Resolution r = resolve(lens, List.of(old, current));
        assertEquals(List.of(old), r.winners());
        assertEquals("valid in 2019", r.lens());
        assertTrue(r.explain().startsWith("valid in 2019: hr said \"Boston\""), r.explain());
        assertEquals(List.of(current),
                resolve(DemoLenses.validAt(Instant.parse("2021-01-01T00:00:00Z"), "v"), List.of(old, current)).winners());
    }

    @Test
    void noLiveClaimMeansNoAnswer() {
        for (Lens lens : lenses()) {
            Resolution r = resolve(lens, List.of(SCRAPER, SCRAPER_WITHDRAWN));
            assertTrue(r.isEmpty(), lens.name());
            assertEquals(List.of(SCRAPER), r.retracted());
        }
    }

    private static List<Lens> lenses() {
        return List.of(DemoLenses.trust(RANKING), DemoLenses.highestConfidence(), DemoLenses.majority(),
                DemoLenses.validAt(Instant.EPOCH, "valid at epoch"));
    }

    @Provide
    Arbitrary<List<Assertion>> deliveries() {
        // Any order, with any assertion possibly delivered twice.
        List<Assertion> twice = new ArrayList<>(ALL);
        twice.addAll(ALL);
        return Arbitraries.shuffle(twice).flatMap(all -> Arbitraries.integers().between(ALL.size(), all.size())
                .map(n -> {
                    List<Assertion> prefix = new ArrayList<>(all.subList(0, n));
                    ALL.stream().filter(a -> !prefix.contains(a)).forEach(prefix::add);
                    return prefix;
                }));
    }

    @Property(tries = 200)
    void everyDemoLensAnswersTheSameWhateverTheOrderOfArrival(@ForAll("deliveries") List<Assertion> delivered) {
        for (Lens lens : lenses()) {
            assertEquals(ids(resolve(lens, ALL).winners()), ids(resolve(lens, delivered).winners()), lens.name());
        }
    }

    private static List<String> ids(List<Claim> claims) {
        return claims.stream().map(c -> c.id().toString()).collect(Collectors.toList());
    }
}
