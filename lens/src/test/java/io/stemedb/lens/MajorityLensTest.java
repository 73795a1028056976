package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Lenses#majority()}: the value claimed by the most distinct sources; ties to the newest supporter. */
class MajorityLensTest {
    private static final Lens MAJORITY = Lenses.majority();

    @Test
    void theValueOfMostSourcesWinsAndItsSupportersAreTheWinners() {
        Claim registry = claim("registry", "Boston", 1);
        Claim crm = claim("crm", "Austin", 2);
        Claim news = claim("news", "Austin", 3);
        Claim web = claim("web", "Denver", 4);
        Resolution r = resolve(MAJORITY, web, news, crm, registry);
        assertEquals(Optional.of(text("Austin")), r.value());
        assertEquals(List.of(crm, news), r.winners());
        assertEquals(List.of(registry, web), r.overruled());
        assertEquals("majority", r.lens());
        assertSame(MAJORITY, Lenses.majority());
    }

    @Test
    void aSourceCountsOnceHoweverOftenItRepeatsItself() {
        Claim registry = claim("registry", "Boston", 1);
        Claim hr = claim("hr", "Boston", 2);
        Claim crm1 = claim("crm", "Austin", 3);
        Claim crm2 = claim("crm", "Austin", 4);
        Claim crm3 = claim("crm", "Austin", 5);
        Resolution r = resolve(MAJORITY, registry, hr, crm1, crm2, crm3);
        assertEquals(Optional.of(text("Boston")), r.value(), "two sources beat one source's three claims");
        assertEquals(List.of(registry, hr), r.winners());
    }

    @Test
    void aSourceVotesWithItsNewestClaimOnly() {
        Claim crmOld = claim("crm", "Boston", 1);
        Claim registry = claim("registry", "Boston", 2);
        Claim crmNew = claim("crm", "Austin", 3);
        Claim news = claim("news", "Austin", 4);
        Resolution r = resolve(MAJORITY, crmOld, registry, crmNew, news);
        assertEquals(Optional.of(text("Austin")), r.value(), "crm changed its mind: Austin 2 (crm, news), Boston 1");
        assertEquals(List.of(crmNew, news), r.winners(), "one winning claim per source");
        assertTrue(r.overruled().contains(crmOld));
    }

    @Test
    void aTieGoesToTheValueWithTheNewestSupporter() {
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Austin", 2);
        Claim c = claim("c", "Boston", 3);
        Claim d = claim("d", "Austin", 4);
        assertEquals(Optional.of(text("Austin")), resolve(MAJORITY, a, b, c, d).value(), "2-2; d (4) is newest");
        Claim dEarly = claim("d", "Austin", 0);
        assertEquals(Optional.of(text("Boston")), resolve(MAJORITY, a, b, c, dEarly).value(), "2-2; c (3) is newest");
        Claim x = claim("x", "Zurich", 1);
        Claim y = claim("y", "Athens", 2);
        assertEquals(List.of(y), resolve(MAJORITY, x, y).winners(), "1-1, whatever the value order: the newest");
    }

    @Test
    void aRetractedClaimDoesNotVoteButTheSourcesOlderLiveClaimDoes() {
        Claim crmOld = claim("crm", "Boston", 1);
        Claim registry = claim("registry", "Austin", 2);
        Claim crmNew = claim("crm", "Austin", 3);
        Claim web = claim("web", "Boston", 4);
        Resolution r = resolve(MAJORITY, crmOld, registry, crmNew, web, retract(crmNew, "crm", 5));
        assertEquals(Optional.of(text("Boston")), r.value());
        assertEquals(List.of(crmOld, web), r.winners());
    }
}
