package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.stemedb.model.Claim;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Lenses#confident()}: the highest confidence; no confidence ranks below 0; ties to the newest. */
class ConfidentLensTest {
    private static final Lens CONFIDENT = Lenses.confident();

    @Test
    void theHighestConfidenceWinsWhateverItsAge() {
        Claim sure = claim("registry", "Boston", 1, 0.95);
        Claim unsure = claim("web", "Denver", 2, 0.4);
        Claim middling = claim("crm", "Austin", 3, 0.7);
        Resolution r = resolve(CONFIDENT, middling, unsure, sure);
        assertEquals(List.of(sure), r.winners());
        assertEquals(List.of(unsure, middling), r.overruled());
        assertEquals("confident", r.lens());
        assertSame(CONFIDENT, Lenses.confident());
    }

    @Test
    void aClaimWithoutConfidenceRanksBelowEvenZero() {
        Claim zero = claim("registry", "Boston", 1, 0.0);
        Claim none = claim("web", "Denver", 2);
        assertEquals(List.of(zero), resolve(CONFIDENT, none, zero).winners());
        Claim noneOlder = claim("crm", "Austin", 0);
        assertEquals(List.of(none), resolve(CONFIDENT, noneOlder, none).winners(), "among claims without confidence, the newest");
    }

    @Test
    void aTieGoesToTheNewest() {
        Claim older = claim("registry", "Boston", 1, 0.8);
        Claim newer = claim("crm", "Austin", 2, 0.8);
        assertEquals(List.of(newer), resolve(CONFIDENT, newer, older).winners());
        assertEquals(List.of(newer), resolve(CONFIDENT, older, newer).winners());
    }

    @Test
    void aRetractedSureClaimHandsOverToTheNextSurest() {
        Claim sure = claim("web", "Denver", 1, 0.99);
        Claim next = claim("registry", "Boston", 2, 0.9);
        Claim low = claim("crm", "Austin", 3, 0.1);
        assertEquals(List.of(next), resolve(CONFIDENT, sure, next, low, retract(sure, "web", 4)).winners());
    }
}
