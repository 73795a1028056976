package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.at;
import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.evidence;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.shortId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No lens ever lets a retracted claim win, and every explanation accounts for every claim. */
class RetractionAndExplainTest {

    /** Every built-in lens, and compositions of them, that could otherwise choose the retracted claims below. */
    static List<Lens> everyLens() {
        return List.of(
                Lenses.latest(),
                Lenses.trust("hr", "crm"),
                Lenses.trustOnly("hr", "crm"),
                Lenses.weighted(Map.of("hr", 10.0, "web", 10.0, "crm", 1.0)),
                Lenses.majority(),
                Lenses.quorum(1),
                Lenses.confident(),
                Lenses.all(),
                Lenses.latest().asOf(at(1000)),
                Lenses.trust("hr").validAt(at(0)),
                Lenses.confident().onlySources("hr", "crm"),
                Lenses.latest().minConfidence(0.1),
                Lenses.majority().withMetadata("k", "v"),
                Lenses.trustOnly("hr").orElse(Lenses.latest()),
                Lenses.latest().filter("any", c -> true).named("renamed"));
    }

    @Test
    void noLensChoosesARetractedClaimEvenWhenItIsNewestSurestAndBestSupported() {
        // hr, web and news say Denver: newest, surest, most trusted, most sources; all three are retracted.
        Claim crm = LensFixtures.says("crm", "Boston", 1).confidence(0.2).metadata("k", "v").build();
        Claim hr = LensFixtures.says("hr", "Denver", 5).confidence(1.0).metadata("k", "v").build();
        Claim web = LensFixtures.says("web", "Denver", 6).confidence(1.0).metadata("k", "v").build();
        Claim news = LensFixtures.says("news", "Denver", 7).confidence(1.0).metadata("k", "v").build();
        Evidence evidence = evidence(crm, hr, web, news, retract(hr, "hr", 8), retract(web, "web", 9), retract(news, "ops", 10));
        for (Lens lens : everyLens()) {
            Resolution r = lens.resolve(evidence);
            assertEquals(List.of(crm), r.winners(), lens.name());
            assertEquals(List.of(hr, web, news), r.retracted(), lens.name());
            assertFalse(r.overruled().contains(hr), lens.name() + ": retracted claims are not overruled");
            String explain = r.explain();
            assertTrue(explain.contains("; retracted: hr said \"Denver\""), explain);
            assertTrue(explain.contains("(" + shortId(news) + ") by ops at " + at(10)), explain);
        }
    }

    @Test
    void whenEveryClaimIsRetractedNoLensAnswers() {
        Claim hr = claim("hr", "Denver", 5, 1.0);
        Evidence evidence = evidence(hr, retract(hr, "hr", 6));
        for (Lens lens : everyLens()) {
            Resolution r = lens.resolve(evidence);
            assertTrue(r.isEmpty(), lens.name());
            assertTrue(r.explain().contains("every claim is retracted; retracted: hr said \"Denver\""), r.explain());
        }
    }

    @Test
    void aSecondRetractionIsHarmlessAndTheFirstIsNamed() {
        Claim web = claim("web", "Denver", 5);
        Evidence evidence = evidence(web, retract(web, "ops", 9), retract(web, "web", 7));
        Resolution r = Lenses.latest().resolve(evidence);
        assertTrue(r.explain().endsWith("by web at " + at(7)), "the oldest retraction is named: " + r.explain());
        assertEquals(List.of(web), r.retracted());
    }

    @Test
    void explainIsPinnedForTrustWithARetraction() {
        long node = 0xFFL;
        Claim hr = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr")
                .hlc(Hlc.of(Instant.parse("2026-11-20T10:00:00Z").toEpochMilli(), 0, node)).confidence(0.9).build();
        Claim crm = Claim.builder("acme", "ceo", Value.text("Bob")).source("crm")
                .hlc(Hlc.of(Instant.parse("2026-11-21T08:00:00Z").toEpochMilli(), 0, node)).build();
        Claim web = Claim.builder("acme", "ceo", Value.text("Carol")).source("web")
                .hlc(Hlc.of(Instant.parse("2026-11-22T09:30:00Z").toEpochMilli(), 0, node)).confidence(0.4).build();
        Retraction withdrawn = Retraction.of(web.id(), "web", Hlc.of(Instant.parse("2026-11-23T07:15:00Z").toEpochMilli(), 0, node), null);
        Resolution r = Lenses.trust("hr", "crm").resolve(Evidence.of("acme", "ceo", List.of(withdrawn, web, crm, hr)));
        assertEquals("trust[hr > crm]: hr said \"Alice\" at 2026-11-20T10:00:00Z with confidence 0.9 (fe86e122); "
                        + "overruled: crm said \"Bob\" at 2026-11-21T08:00:00Z (4a1df2c6); "
                        + "retracted: web said \"Carol\" at 2026-11-22T09:30:00Z with confidence 0.4 (7bf94c25) "
                        + "by web at 2026-11-23T07:15:00Z",
                r.explain());
        assertEquals("acme.ceo -> " + r.explain(), r.toString());
    }

    @Test
    void explainIsPinnedWithEveryPart() {
        long node = 0xFFL;
        Instant t = Instant.parse("2026-06-01T00:00:00Z");
        Claim hr = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr")
                .hlc(Hlc.of(Instant.parse("2026-01-10T10:00:00Z").toEpochMilli(), 0, node))
                .validTo(Instant.parse("2026-05-01T00:00:00Z")).build();
        Claim crm = Claim.builder("acme", "ceo", Value.text("Bob")).source("crm")
                .hlc(Hlc.of(Instant.parse("2026-02-10T10:00:00Z").toEpochMilli(), 0, node)).build();
        Claim news = Claim.builder("acme", "ceo", Value.text("Bob")).source("news")
                .hlc(Hlc.of(Instant.parse("2026-03-10T10:00:00Z").toEpochMilli(), 0, node)).confidence(0.6).build();
        Claim web = Claim.builder("acme", "ceo", Value.text("Carol")).source("web")
                .hlc(Hlc.of(Instant.parse("2026-04-10T10:00:00Z").toEpochMilli(), 0, node)).build();
        Retraction withdrawn = Retraction.of(web.id(), "ops", Hlc.of(Instant.parse("2026-04-11T10:00:00Z").toEpochMilli(), 0, node), null);
        Resolution r = Lenses.trust("news").validAt(t).resolve(Evidence.of("acme", "ceo", List.of(hr, crm, news, web, withdrawn)));
        assertEquals("trust[news].validAt(2026-06-01T00:00:00Z): news said \"Bob\" at 2026-03-10T10:00:00Z with confidence 0.6 (ff04b241); "
                        + "overruled: crm said \"Bob\" at 2026-02-10T10:00:00Z (4f74f555); "
                        + "set aside (not validAt(2026-06-01T00:00:00Z)): hr said \"Alice\" at 2026-01-10T10:00:00Z (7d6764b6); "
                        + "retracted: web said \"Carol\" at 2026-04-10T10:00:00Z (ad3debc8) by ops at 2026-04-11T10:00:00Z",
                r.explain());
    }
}
