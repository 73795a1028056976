package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link Lenses#weighted}: the value with the greatest sum of weight x confidence, one vote per
 * source (its newest live claim); unlisted sources weigh nothing; ties go to the value whose
 * newest supporter is newest.
 */
class WeightedLensTest {

    @Test
    void theValueWithTheGreatestSummedWeightTimesConfidenceWins() {
        Lens lens = Lenses.weighted(Map.of("registry", 3.0, "crm", 1.0, "news", 1.0));
        Claim registry = claim("registry", "Boston", 1, 0.5); // 3 x 0.5 = 1.5
        Claim crm = claim("crm", "Austin", 2, 0.9);           // 1 x 0.9
        Claim news = claim("news", "Austin", 3, 0.8);         // 1 x 0.8 -> Austin 1.7 > 1.5
        Resolution r = resolve(lens, registry, crm, news);
        assertEquals(List.of(crm, news), r.winners(), "every supporter of the winning value, one per source");
        assertEquals(List.of(registry), r.overruled());
        assertEquals(Optional.of(text("Austin")), r.value());

        Claim registrySure = claim("registry", "Boston", 1, 0.6); // 3 x 0.6 = 1.8 > 1.7
        assertEquals(List.of(registrySure), resolve(lens, registrySure, crm, news).winners());
    }

    @Test
    void aClaimWithoutConfidenceVotesWithItsFullWeight() {
        Lens lens = Lenses.weighted(Map.of("registry", 2.0, "crm", 1.5));
        Claim registry = claim("registry", "Boston", 1, 0.7); // 1.4
        Claim crm = claim("crm", "Austin", 2);                // 1.5 x 1
        assertEquals(List.of(crm), resolve(lens, registry, crm).winners());
    }

    @Test
    void aChattySourceVotesOnceWithItsNewestClaim() {
        Lens lens = Lenses.weighted(Map.of("crm", 1.0, "news", 1.0, "web", 1.0));
        Claim news = claim("news", "Boston", 1);
        Claim web = claim("web", "Boston", 2);
        Claim crm1 = claim("crm", "Austin", 3);
        Claim crm2 = claim("crm", "Austin", 4, 0.99);
        Claim crm3 = claim("crm", "Austin", 5);
        Resolution r = resolve(lens, news, web, crm1, crm2, crm3);
        assertEquals(List.of(text("Boston")), List.copyOf(r.values()), "crm's three repeats count once: 2 against 1");
        assertEquals(List.of(news, web), r.winners());

        // crm's newest claim is its vote: its older Boston claim counts for nothing
        Claim crmOldBoston = claim("crm", "Boston", 6);
        Claim crmNewAustin = claim("crm", "Austin", 7);
        Claim webAustin = claim("web", "Austin", 8);
        Resolution changedMind = resolve(lens, news, crmOldBoston, crmNewAustin, webAustin);
        assertEquals(List.of(crmNewAustin, webAustin), changedMind.winners());
    }

    @Test
    void unlistedSourcesWeighNothingAndAZeroTotalChoosesNothing() {
        Lens lens = Lenses.weighted(Map.of("registry", 1.0, "silent", 0.0));
        Claim registry = claim("registry", "Boston", 1, 0.1);
        Claim crowd1 = claim("a", "Austin", 2);
        Claim crowd2 = claim("b", "Austin", 3);
        Claim crowd3 = claim("c", "Austin", 4);
        assertEquals(List.of(registry), resolve(lens, registry, crowd1, crowd2, crowd3).winners());
        Resolution nobody = resolve(lens, crowd1, crowd2, claim("silent", "Austin", 5));
        assertTrue(nobody.isEmpty(), "no listed source with a positive weight voted");
        assertEquals(3, nobody.overruled().size());
        Resolution zeroConfidence = resolve(lens, claim("registry", "Boston", 1, 0.0));
        assertTrue(zeroConfidence.isEmpty(), "weight x 0 confidence is no vote");
    }

    @Test
    void aTieGoesToTheValueWithTheNewestSupporter() {
        Lens lens = Lenses.weighted(Map.of("a", 2.0, "b", 1.0, "c", 1.0));
        Claim a = claim("a", "Boston", 5);  // 2
        Claim b = claim("b", "Austin", 1);  // 1
        Claim c = claim("c", "Austin", 3);  // 1 -> Austin 2, newest supporter at 3 < 5
        assertEquals(List.of(a), resolve(lens, a, b, c).winners());
        Claim aEarly = claim("a", "Boston", 2);
        assertEquals(List.of(b, c), resolve(lens, aEarly, b, c).winners(), "now Austin's supporter c (3) is newer than a (2)");
    }

    @Test
    void theNameListsTheWeightsBySource() {
        assertEquals("weighted[crm=0.5, hr=2.0]", Lenses.weighted(Map.of("hr", 2.0, "crm", 0.5)).name());
    }

    @Test
    void invalidWeightsAreRejected() {
        assertEquals("weighted needs at least one source weight",
                assertThrows(IllegalArgumentException.class, () -> Lenses.weighted(Map.of())).getMessage());
        assertEquals("the weight of source 'hr' must be a finite number >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> Lenses.weighted(Map.of("hr", -1.0))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Lenses.weighted(Map.of("hr", Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Lenses.weighted(Map.of("hr", Double.POSITIVE_INFINITY)));
        Map<String, Double> nullWeight = new HashMap<>();
        nullWeight.put("hr", null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Lenses.weighted(nullWeight)).getMessage().endsWith("got null"));
        Map<String, Double> nullSource = new HashMap<>();
        nullSource.put(null, 1.0);
        assertThrows(NullPointerException.class, () -> Lenses.weighted(nullSource));
        assertThrows(NullPointerException.class, () -> Lenses.weighted(null));
    }

    @Test
    void theLensKeepsItsOwnCopyOfTheWeights() {
        Map<String, Double> weights = new HashMap<>(Map.of("hr", 1.0));
        Lens lens = Lenses.weighted(weights);
        weights.put("crm", 100.0);
        Claim hr = claim("hr", "Boston", 1);
        Claim crm = claim("crm", "Austin", 2);
        assertEquals(List.of(hr), resolve(lens, hr, crm).winners(), "a later change to the caller's map changes nothing");
    }

    @Test
    void retractedClaimsDoNotVote() {
        Lens lens = Lenses.weighted(Map.of("a", 1.0, "b", 1.0, "c", 1.0));
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Austin", 2);
        Claim c = claim("c", "Austin", 3);
        Resolution r = resolve(lens, a, b, c, retract(c, "c", 4), retract(b, "b", 5));
        assertEquals(List.of(a), r.winners());
        assertEquals(List.of(b, c), r.retracted());
    }
}
