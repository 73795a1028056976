package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.at;
import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.evidence;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Lens#asOf}: record time, by the assertions' own HLC timestamps. */
class AsOfLensTest {
    private final Claim registry = claim("registry", "Boston", 10);
    private final Claim news = claim("news", "Austin", 20);
    private final Retraction newsWithdrawn = retract(news, "news", 30);
    private final Claim web = claim("web", "Denver", 40);

    @Test
    void aClaimRecordedAfterTheInstantIsNotSeenAtAll() {
        Resolution r = resolve(Lenses.latest().asOf(at(15)), registry, news, web);
        assertEquals(List.of(registry), r.winners());
        assertEquals(List.of(), r.overruled(), "news and web did not exist yet: neither overruled nor set aside");
        assertEquals(List.of(), r.setAside());
        assertEquals(List.of(registry), r.evidence().claims(), "the resolution's evidence is the past evidence");
    }

    @Test
    void aClaimRecordedExactlyAtTheInstantIsSeen() {
        assertEquals(List.of(news), resolve(Lenses.latest().asOf(at(20)), registry, news).winners());
        assertEquals(List.of(registry),
                resolve(Lenses.latest().asOf(at(20).minusMillis(1)), registry, news).winners());
    }

    @Test
    void aClaimRetractedAfterTheInstantIsLiveAndCanWinAsOfThen() {
        Resolution now = resolve(Lenses.latest(), registry, news, newsWithdrawn);
        assertEquals(List.of(registry), now.winners());
        assertEquals(List.of(news), now.retracted());

        Resolution then = resolve(Lenses.latest().asOf(at(25)), registry, news, newsWithdrawn, web);
        assertEquals(List.of(news), then.winners(), "the retraction at 30 had not happened at 25");
        assertEquals(List.of(registry), then.overruled());
        assertEquals(List.of(), then.retracted());
        assertEquals("latest.asOf(" + at(25) + ")", then.lens());
    }

    @Test
    void aRetractionRecordedExactlyAtTheInstantHolds() {
        assertEquals(List.of(registry), resolve(Lenses.latest().asOf(at(30)), registry, news, newsWithdrawn).winners());
        assertEquals(List.of(news), resolve(Lenses.latest().asOf(at(30).minusMillis(1)), registry, news, newsWithdrawn).winners());
    }

    @Test
    void aRetractionBeforeTheInstantHolds() {
        Resolution r = resolve(Lenses.latest().asOf(at(35)), registry, news, newsWithdrawn, web);
        assertEquals(List.of(registry), r.winners());
        assertEquals(List.of(news), r.retracted());
        assertTrue(r.explain().contains("retracted: news said \"Austin\""), r.explain());
    }

    @Test
    void beforeAnythingWasRecordedThereAreNoClaims() {
        Resolution r = resolve(Lenses.trust("registry").asOf(at(5)), registry, news);
        assertTrue(r.isEmpty());
        assertEquals("trust[registry].asOf(" + at(5) + "): no claims", r.explain());
        assertThrows(NullPointerException.class, () -> Lenses.latest().asOf(null));
    }

    @Test
    void asOfAppliesToEveryLensItWraps() {
        Claim hrLate = claim("hr", "Salem", 50);
        Lens trust = Lenses.trust("hr", "registry");
        assertEquals(List.of(hrLate), resolve(trust, registry, hrLate).winners());
        assertEquals(List.of(registry), resolve(trust.asOf(at(45)), registry, hrLate).winners());
        assertEquals(List.of(registry), trust.asOf(at(45)).resolve(evidence(registry, hrLate)).evidence().live());
    }
}
