package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.asideClaims;
import static io.stemedb.lens.LensFixtures.asideWithReasons;
import static io.stemedb.lens.LensFixtures.at;
import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.evidence;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.says;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The filters ({@link Lens#onlySources}, {@link Lens#minConfidence}, {@link Lens#withMetadata},
 * {@link Lens#filter}), {@link Lens#named}, and nesting: a filter's dropped claims are set aside
 * with its description as the reason, never overruled.
 */
class FilterLensTest {
    private final Claim hr = claim("hr", "Boston", 1, 0.9);
    private final Claim crm = claim("crm", "Austin", 2, 0.5);
    private final Claim web = claim("web", "Denver", 3);

    @Test
    void onlySourcesSetsTheOthersAside() {
        Lens lens = Lenses.latest().onlySources("hr", "crm");
        Resolution r = resolve(lens, hr, crm, web);
        assertEquals(List.of(crm), r.winners());
        assertEquals(List.of(hr), r.overruled());
        assertEquals(List.of("web \"Denver\": not onlySources(hr, crm)"), asideWithReasons(r));
        assertEquals("latest.onlySources(hr, crm)", lens.name());
        assertEquals("latest.onlySources(hr, crm)", r.lens());
        assertEquals("onlySources needs at least one source",
                assertThrows(IllegalArgumentException.class, () -> Lenses.latest().onlySources()).getMessage());
    }

    @Test
    void minConfidenceKeepsClaimsAtOrAboveItAndSetsAsideThoseWithoutOne() {
        Resolution r = resolve(Lenses.latest().minConfidence(0.5), hr, crm, web);
        assertEquals(List.of(crm), r.winners(), "0.5 >= 0.5: the bound is inclusive");
        assertEquals(List.of("web \"Denver\": not minConfidence(0.5)"), asideWithReasons(r),
                "a claim with no confidence does not meet any minimum");
        Resolution strict = resolve(Lenses.latest().minConfidence(0.6), hr, crm, web);
        assertEquals(List.of(hr), strict.winners());
        assertEquals(List.of(crm, web), asideClaims(strict));
        Resolution zero = resolve(Lenses.latest().minConfidence(0.0), hr, crm, web);
        assertEquals(List.of(crm), zero.winners(), "even minConfidence(0) sets aside a claim with no confidence");
        for (double bad : new double[] {-0.1, 1.01, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lenses.latest().minConfidence(bad));
            assertEquals("minConfidence must be in [0, 1], got " + bad, e.getMessage());
        }
    }

    @Test
    void withMetadataKeepsClaimsWhoseMetadataMatchesExactly() {
        Claim filed = says("registry", "Boston", 1).metadata("evidence", "filing").build();
        Claim rumour = says("news", "Austin", 2).metadata("evidence", "rumour").build();
        Claim bare = says("web", "Denver", 3).build();
        Resolution r = resolve(Lenses.latest().withMetadata("evidence", "filing"), filed, rumour, bare);
        assertEquals(List.of(filed), r.winners());
        assertEquals(List.of("news \"Austin\": not withMetadata(evidence=filing)", "web \"Denver\": not withMetadata(evidence=filing)"),
                asideWithReasons(r));
        assertThrows(NullPointerException.class, () -> Lenses.latest().withMetadata(null, "x"));
        assertThrows(NullPointerException.class, () -> Lenses.latest().withMetadata("x", null));
    }

    @Test
    void aCustomFilterSetsAsideWithItsDescription() {
        Lens lens = Lenses.latest().filter("in Texas", c -> c.value().equals(Value.text("Austin")));
        Resolution r = resolve(lens, hr, crm, web);
        assertEquals(List.of(crm), r.winners());
        assertEquals(List.of("hr \"Boston\": not in Texas", "web \"Denver\": not in Texas"), asideWithReasons(r));
        assertEquals("latest.in Texas", r.lens());
        assertTrue(r.explain().contains("; set aside (not in Texas): hr said \"Boston\""), r.explain());
        assertThrows(NullPointerException.class, () -> Lenses.latest().filter(null, c -> true));
        assertThrows(NullPointerException.class, () -> Lenses.latest().filter("x", null));
    }

    @Test
    void aFilterThatDropsEverythingLeavesNoAnswerButAccountsForEveryClaim() {
        Resolution r = resolve(Lenses.majority().onlySources("nobody"), hr, crm, web);
        assertTrue(r.isEmpty());
        assertEquals(List.of(), r.overruled());
        assertEquals(List.of(hr, crm, web), asideClaims(r));
        assertTrue(r.explain().startsWith("majority.onlySources(nobody): no claim qualified; set aside (not onlySources(nobody)): "),
                r.explain());
    }

    @Test
    void aRetractedClaimAFilterWouldDropIsStillReportedRetracted() {
        Resolution r = resolve(Lenses.latest().onlySources("hr"), hr, web, retract(web, "web", 4));
        assertEquals(List.of(hr), r.winners());
        assertEquals(List.of(), r.setAside());
        assertEquals(List.of(web), r.retracted());
        assertEquals(evidence(hr, web, retract(web, "web", 4)), r.evidence(), "the evidence accounted for is the whole");
    }

    @Test
    void namedRenamesTheLensAndItsResolutions() {
        Lens lens = Lenses.trust("hr", "crm").orElse(Lenses.latest()).named("hr first");
        assertEquals("hr first", lens.name());
        Resolution r = resolve(lens, crm, web);
        assertEquals("hr first", r.lens());
        assertEquals(List.of(crm), r.winners());
        assertTrue(r.explain().startsWith("hr first: crm said \"Austin\""), r.explain());
        assertThrows(NullPointerException.class, () -> Lenses.latest().named(null));
        // a composition over a named lens uses the new name
        assertEquals("hr first.onlySources(crm)", lens.onlySources("crm").name());
    }

    @Test
    void nestedFiltersAccumulateTheirReasons() {
        Instant t = Instant.parse("2020-06-01T00:00:00Z");
        Claim hrValid = says("hr", "Boston", 1).validFrom(Instant.parse("2020-01-01T00:00:00Z")).build();
        Claim hrExpired = says("hr", "Salem", 2).validTo(Instant.parse("2020-01-01T00:00:00Z")).build();
        Claim crmValid = says("crm", "Austin", 3).build();
        Claim crmExpired = says("crm", "Dallas", 4).validTo(Instant.parse("2020-01-01T00:00:00Z")).build();
        Lens lens = Lenses.latest().validAt(t).onlySources("hr");
        Resolution r = resolve(lens, hrValid, hrExpired, crmValid, crmExpired);
        assertEquals(List.of(hrValid), r.winners());
        assertEquals(List.of(), r.overruled());
        // the outer filter (onlySources) runs first: a crm claim is set aside for its source, valid or not;
        // the inner filter (validAt) then sets aside the hr claim that has expired
        assertEquals(List.of(
                        "hr \"Salem\": not validAt(2020-06-01T00:00:00Z)",
                        "crm \"Austin\": not onlySources(hr)",
                        "crm \"Dallas\": not onlySources(hr)"),
                asideWithReasons(r));
        assertEquals("latest.validAt(2020-06-01T00:00:00Z).onlySources(hr)", r.lens());
        String explain = r.explain();
        assertTrue(explain.contains("; set aside (not validAt(2020-06-01T00:00:00Z)): hr said \"Salem\""), explain);
        assertTrue(explain.contains("; set aside (not onlySources(hr)): crm said \"Austin\""), explain);

        // the same filters the other way round choose the same winner, with the reasons swapped for claims both drop
        Resolution swapped = resolve(Lenses.latest().onlySources("hr").validAt(t), hrValid, hrExpired, crmValid, crmExpired);
        assertEquals(r.winners(), swapped.winners());
        assertEquals(List.of(
                        "crm \"Austin\": not onlySources(hr)",
                        "hr \"Salem\": not validAt(2020-06-01T00:00:00Z)",
                        "crm \"Dallas\": not validAt(2020-06-01T00:00:00Z)"),
                asideWithReasons(swapped));
    }

    @Test
    void aFilterUnderOrElseFallsBackWhenItKeepsNothing() {
        Lens lens = Lenses.latest().onlySources("hr").orElse(Lenses.latest());
        Resolution r = resolve(lens, crm, web);
        assertEquals(List.of(web), r.winners());
        assertEquals("latest (latest.onlySources(hr) chose nothing)", r.lens());
        assertEquals(List.of(), r.setAside(), "the fallback looked at everything");
    }

    @Test
    void aFilterOverAsOfSeesThePastNotTheSetAside() {
        // asOf inside a filter: claims recorded after the instant must stay unseen, not be "set aside".
        Claim hrEarly = claim("hr", "Boston", 10);
        Claim crmLate = claim("crm", "Austin", 30);
        Resolution r = resolve(Lenses.latest().asOf(at(20)).onlySources("hr", "crm"), hrEarly, crmLate);
        assertEquals(List.of(hrEarly), r.winners());
        assertEquals(List.of(), r.setAside(), "crm's claim of 30 did not exist at 20; it was not set aside by onlySources");
    }

    @Test
    void aFilterOverAsOfLetsAClaimRetractedLaterWin() {
        // Bitemporal reading written filter-outside: the as-of part must behave as it does alone.
        Claim hrEarly = claim("hr", "Boston", 10);
        Claim hrMid = claim("hr", "Salem", 15);
        Lens lens = Lenses.latest().asOf(at(20)).onlySources("hr");
        Resolution r = resolve(lens, hrEarly, hrMid, retract(hrMid, "hr", 25));
        assertEquals(List.of(hrMid), r.winners(), "as of 20, Salem (retracted only at 25) was hr's newest claim");
        assertEquals(resolve(Lenses.latest().onlySources("hr").asOf(at(20)), hrEarly, hrMid, retract(hrMid, "hr", 25)).winners(),
                r.winners(), "onlySources and asOf commute");
    }
}
