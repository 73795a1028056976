package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Lenses#all()}: each source's newest live claim, so the disagreement itself is the answer. */
class AllLensTest {
    private static final Lens ALL = Lenses.all();

    @Test
    void eachSourcesNewestLiveClaimWinsInRecordOrder() {
        Claim crmOld = claim("crm", "Boston", 1);
        Claim registry = claim("registry", "Boston", 2);
        Claim crmNew = claim("crm", "Austin", 3);
        Claim web = claim("web", "Denver", 4);
        Claim webNewest = claim("web", "Dallas", 5);
        Resolution r = resolve(ALL, webNewest, web, crmNew, registry, crmOld, retract(webNewest, "web", 6));
        assertEquals(List.of(registry, crmNew, web), r.winners(), "web's newest is retracted: its older claim stands");
        assertEquals(List.of(crmOld), r.overruled(), "crm's older claim is superseded by its own newer one");
        assertEquals(List.of(text("Austin"), text("Boston"), text("Denver")), List.copyOf(r.values()));
        assertEquals("all", r.lens());
    }

    @Test
    void valueThrowsWhenTheSourcesDisagree() {
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Austin", 2);
        Resolution r = resolve(ALL, a, b);
        Resolution.AmbiguousResolutionException e = assertThrows(Resolution.AmbiguousResolutionException.class, r::value);
        assertEquals("lens all resolved acme.hq to 2 values [\"Austin\", \"Boston\"]; read values() or choose a lens that picks one",
                e.getMessage());
    }

    @Test
    void valueIsTheCommonValueWhenTheyAgree() {
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Boston", 2);
        Resolution r = resolve(ALL, a, b);
        assertEquals(List.of(a, b), r.winners());
        assertEquals(Optional.of(Value.text("Boston")), r.value());
    }
}
