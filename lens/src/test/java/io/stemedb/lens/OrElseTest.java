package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.evidence;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Lens#orElse}: the fallback is asked only when the first lens chooses nothing. */
class OrElseTest {
    private final Claim hr = claim("hr", "Boston", 1);
    private final Claim web = claim("web", "Denver", 2);
    private final Lens lens = Lenses.trustOnly("hr").orElse(Lenses.latest());

    @Test
    void theFirstLensDecidesWhenItChoosesSomething() {
        Resolution r = resolve(lens, hr, web);
        assertEquals(List.of(hr), r.winners());
        assertEquals("trust[hr, others ignored]", r.lens(), "the resolution names the lens that decided");
        assertEquals("trust[hr, others ignored].orElse(latest)", lens.name());
    }

    @Test
    void theFallbackDecidesWhenTheFirstChoosesNothingAndTheResolutionSaysSo() {
        Resolution r = resolve(lens, web, hr, retract(hr, "hr", 3));
        assertEquals(List.of(web), r.winners());
        assertEquals("latest (trust[hr, others ignored] chose nothing)", r.lens());
        assertTrue(r.explain().startsWith("latest (trust[hr, others ignored] chose nothing): web said \"Denver\""), r.explain());
        assertEquals(List.of(hr), r.retracted());
    }

    @Test
    void theFallbackIsNotEvenAskedWhenTheFirstDecides() {
        AtomicInteger asked = new AtomicInteger();
        Lens counting = e -> {
            asked.incrementAndGet();
            return Resolution.none(e, "counting");
        };
        Lenses.latest().orElse(counting).resolve(evidence(hr));
        assertEquals(0, asked.get());
        Lenses.trustOnly("x").orElse(counting).resolve(evidence(hr));
        assertEquals(1, asked.get());
    }

    @Test
    void chainsFallThroughInOrderAndEmptyStaysEmpty() {
        Lens chain = Lenses.trustOnly("x").orElse(Lenses.quorum(2)).orElse(Lenses.confident());
        Claim sure = claim("web", "Denver", 3, 0.9);
        Resolution r = resolve(chain, hr, sure);
        assertEquals(List.of(sure), r.winners());
        assertEquals("confident (trust[x, others ignored].orElse(quorum(2)) chose nothing)", r.lens());
        Resolution none = chain.resolve(evidence());
        assertTrue(none.isEmpty());
        assertEquals("confident (trust[x, others ignored].orElse(quorum(2)) chose nothing): no claims", none.explain());
        assertThrows(NullPointerException.class, () -> Lenses.latest().orElse(null));
    }
}
