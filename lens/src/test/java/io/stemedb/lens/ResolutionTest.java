package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.evidence;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.shortId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Resolution}'s own rules: only live claims of the evidence may win; the rest is overruled. */
class ResolutionTest {
    private final Claim hr = claim("hr", "Boston", 1);
    private final Claim crm = claim("crm", "Austin", 2);
    private final Claim web = claim("web", "Denver", 3);

    @Test
    void ofRefusesARetractedWinner() {
        Evidence e = evidence(hr, web, retract(web, "web", 4));
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Resolution.of(e, "mine", List.of(web)));
        assertEquals("lens mine chose " + shortId(web) + ", which is retracted; a lens may only choose live claims", x.getMessage());
    }

    @Test
    void ofRefusesAForeignWinner() {
        Evidence e = evidence(hr, crm);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Resolution.of(e, "mine", List.of(web)));
        assertEquals("lens mine chose " + shortId(web) + ", which is not in the evidence; a lens may only choose live claims",
                x.getMessage());
        Claim otherFact = Claim.builder("acme", "ceo", Value.text("Boston")).source("hr").hlc(hr.hlc()).build();
        assertThrows(IllegalArgumentException.class, () -> Resolution.of(e, "mine", List.of(otherFact)));
    }

    @Test
    void everyLiveClaimThatDidNotWinIsOverruledInRecordOrder() {
        Evidence e = evidence(web, crm, hr, retract(crm, "crm", 9));
        Resolution r = Resolution.of(e, "mine", List.of(web));
        assertEquals(List.of(web), r.winners());
        assertEquals(List.of(hr), r.overruled());
        assertEquals(List.of(crm), r.retracted());
        assertEquals(List.of(), r.setAside());
        assertEquals("acme", r.subject());
        assertEquals("hq", r.predicate());
        assertEquals(e, r.evidence());
        assertEquals("mine", r.lens());
    }

    @Test
    void noneChoosesNothingAndOverrulesEveryLiveClaim() {
        Resolution r = Resolution.none(evidence(hr, crm), "cautious");
        assertTrue(r.isEmpty());
        assertEquals(Optional.empty(), r.value());
        assertEquals(List.of(hr, crm), r.overruled());
        assertTrue(r.values().isEmpty());
        assertTrue(r.explain().startsWith("cautious: no claim qualified; overruled: hr said \"Boston\""), r.explain());
    }

    @Test
    void theListsCannotBeModified() {
        Resolution r = Resolution.of(evidence(hr, crm), "mine", List.of(crm));
        assertThrows(UnsupportedOperationException.class, () -> r.winners().add(hr));
        assertThrows(UnsupportedOperationException.class, () -> r.overruled().clear());
        assertThrows(UnsupportedOperationException.class, () -> r.values().clear());
    }

    @Test
    void decidedByKeepsTheDecisionUnderAnotherName() {
        Resolution r = Resolution.of(evidence(hr, crm), "mine", List.of(crm)).decidedBy("yours");
        assertEquals("yours", r.lens());
        assertEquals(List.of(crm), r.winners());
        assertEquals(List.of(hr), r.overruled());
    }

    @Test
    void withinRestatesAResolutionOnWiderEvidence() {
        Evidence wide = evidence(hr, crm, web);
        Evidence part = wide.filter(c -> !c.source().equals("web"));
        Resolution r = Resolution.of(part, "mine", List.of(hr)).within(wide, "not mine", "mine.filtered");
        assertEquals(List.of(hr), r.winners());
        assertEquals(List.of(crm), r.overruled());
        assertEquals(List.of(new Resolution.SetAside(web, "not mine")), r.setAside());
        assertEquals(wide, r.evidence());
        assertEquals("mine.filtered", r.lens());
        assertThrows(NullPointerException.class, () -> new Resolution.SetAside(null, "x"));
        assertThrows(NullPointerException.class, () -> new Resolution.SetAside(web, null));
    }
}
