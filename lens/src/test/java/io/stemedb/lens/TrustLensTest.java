package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Lenses#trust} and {@link Lenses#trustOnly}: rank first, then the newest claim. */
class TrustLensTest {
    private final Claim hrOld = claim("hr", "Boston", 1);
    private final Claim hrNew = claim("hr", "Salem", 2);
    private final Claim crm = claim("crm", "Austin", 3);
    private final Claim web = claim("web", "Denver", 4);
    private final Claim blog = claim("blog", "Miami", 5);

    @Test
    void theHighestRankedSourceWinsOverNewerClaimsOfLowerOnes() {
        Lens trust = Lenses.trust("hr", "crm");
        Resolution r = resolve(trust, web, crm, hrOld, blog);
        assertEquals(List.of(hrOld), r.winners());
        assertEquals(List.of(crm, web, blog), r.overruled());
        assertEquals("trust[hr > crm]", trust.name());
        assertEquals("trust[hr > crm]", r.lens());
        assertEquals(List.of(crm), resolve(trust, web, crm, blog).winners(), "without hr, crm is next");
    }

    @Test
    void withinOneSourceTheNewestClaimWins() {
        assertEquals(List.of(hrNew), resolve(Lenses.trust("hr", "crm"), hrNew, crm, hrOld).winners());
    }

    @Test
    void aRetractedClaimOfTheTrustedSourceHandsOverToItsOlderLiveClaimNotToLowerSources() {
        Resolution r = resolve(Lenses.trust("hr", "crm"), hrOld, hrNew, crm, retract(hrNew, "hr", 6));
        assertEquals(List.of(hrOld), r.winners());
        assertEquals(List.of(hrNew), r.retracted());
        Resolution none = resolve(Lenses.trust("hr", "crm"), hrNew, crm, retract(hrNew, "hr", 6));
        assertEquals(List.of(crm), none.winners(), "with hr's only claim retracted, crm wins");
    }

    @Test
    void unrankedSourcesRankBelowRankedOnesAndTheNewestOfThemWins() {
        Lens trust = Lenses.trust("hr");
        Resolution unranked = resolve(trust, crm, web, blog);
        assertEquals(List.of(blog), unranked.winners(), "all unranked: equal rank, so the newest wins");
        assertEquals(List.of(crm, web), unranked.overruled());
        assertEquals(List.of(hrOld), resolve(trust, hrOld, blog, web, crm).winners(), "hr is ranked: it beats every newer unranked claim");
    }

    @Test
    void trustOnlyChoosesNothingWithoutALiveRankedClaim() {
        Lens only = Lenses.trustOnly("hr", "crm");
        assertEquals("trust[hr > crm, others ignored]", only.name());
        assertEquals(List.of(crm), resolve(only, web, crm, blog).winners());
        Resolution r = resolve(only, web, blog, hrNew, retract(hrNew, "hr", 6));
        assertTrue(r.isEmpty(), "web and blog are not ranked, hr's claim is retracted");
        assertEquals(List.of(web, blog), r.overruled(), "ignored claims are still accounted for");
        assertEquals("trust[hr > crm, others ignored]: no claim qualified", r.explain().split("; overruled")[0]);
        assertEquals(List.of(blog), Lenses.trustOnly("hr").orElse(Lenses.latest()).resolve(LensFixtures.evidence(web, blog)).winners());
    }

    @Test
    void aRankingWithDuplicatesOrNoSourcesIsRejectedWithAClearMessage() {
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> Lenses.trust("hr", "crm", "hr"));
        assertEquals("source 'hr' appears twice in the trust ranking [hr, crm, hr]; give each source one place", twice.getMessage());
        IllegalArgumentException twiceOnly = assertThrows(IllegalArgumentException.class, () -> Lenses.trustOnly("a", "a"));
        assertTrue(twiceOnly.getMessage().startsWith("source 'a' appears twice"), twiceOnly.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, Lenses::trust);
        assertEquals("a trust ranking needs at least one source, most trusted first", empty.getMessage());
        assertThrows(IllegalArgumentException.class, Lenses::trustOnly);
        assertThrows(NullPointerException.class, () -> Lenses.trust("hr", null));
    }
}
