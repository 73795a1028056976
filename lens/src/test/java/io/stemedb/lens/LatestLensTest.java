package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.BASE;
import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.evidence;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Lenses#latest()}: the newest live claim; ties by node id (unsigned), then assertion id. */
class LatestLensTest {
    private static final Lens LATEST = Lenses.latest();

    private static Claim at(String source, String value, long millis, int logical, long node) {
        return Claim.builder("acme", "hq", Value.text(value)).source(source).hlc(Hlc.of(BASE + millis, logical, node)).build();
    }

    @Test
    void theNewestHlcWinsWhateverTheSource() {
        Claim old = claim("registry", "Boston", 1);
        Claim newer = claim("web", "Denver", 2);
        Resolution r = resolve(LATEST, newer, old);
        assertEquals(List.of(newer), r.winners());
        assertEquals(List.of(old), r.overruled());
        assertEquals(Optional.of(Value.text("Denver")), r.value());
        assertEquals("latest", r.lens());
        assertEquals("latest", LATEST.name());
        assertSame(LATEST, Lenses.latest(), "a shared immutable instance");
    }

    @Test
    void theLogicalCounterOrdersClaimsWithinOneMillisecond() {
        Claim first = at("a", "x", 5, 1, 9);
        Claim second = at("b", "y", 5, 2, 1); // lower node, but a later logical tick
        assertEquals(List.of(second), resolve(LATEST, second, first).winners());
        Claim laterMillis = at("c", "z", 6, 0, 0);
        assertEquals(List.of(laterMillis), resolve(LATEST, first, second, laterMillis).winners());
    }

    @Test
    void equalPhysicalAndLogicalTimeIsBrokenByNodeIdComparedUnsigned() {
        Claim node1 = at("a", "one", 5, 0, 1L);
        Claim node2 = at("b", "two", 5, 0, 2L);
        assertEquals(List.of(node2), resolve(LATEST, node2, node1).winners());
        assertEquals(List.of(node2), resolve(LATEST, node1, node2).winners());
        // -1 is 0xffff_ffff_ffff_ffff: the greatest node id unsigned, though the smallest signed
        Claim nodeMax = at("c", "max", 5, 0, -1L);
        assertEquals(List.of(nodeMax), resolve(LATEST, node1, nodeMax, node2).winners());
        Claim nodeMinSigned = at("d", "min", 5, 0, Long.MIN_VALUE); // 0x8000..., above 2 unsigned
        assertEquals(List.of(nodeMinSigned), resolve(LATEST, node1, node2, nodeMinSigned).winners());
    }

    @Test
    void equalHlcIsBrokenByAssertionId() {
        // Same timestamp, same node: only different content, hence different ids, tells them apart.
        Claim a = at("a", "x", 5, 0, 7);
        Claim b = at("a", "y", 5, 0, 7);
        Claim expected = a.id().compareTo(b.id()) > 0 ? a : b;
        assertEquals(List.of(expected), resolve(LATEST, a, b).winners());
        assertEquals(List.of(expected), resolve(LATEST, b, a).winners());
        assertEquals(List.of(expected == a ? b : a), resolve(LATEST, a, b).overruled());
    }

    @Test
    void aRetractedNewestClaimHandsOverToTheNewestLiveOne() {
        Claim old = claim("registry", "Boston", 1);
        Claim mid = claim("crm", "Austin", 2);
        Claim newest = claim("web", "Denver", 3);
        Resolution r = resolve(LATEST, old, mid, newest, retract(newest, "web", 4));
        assertEquals(List.of(mid), r.winners());
        assertEquals(List.of(old), r.overruled());
        assertEquals(List.of(newest), r.retracted());
    }

    @Test
    void nothingLiveMeansNoAnswer() {
        Resolution empty = LATEST.resolve(evidence());
        assertTrue(empty.isEmpty());
        assertEquals(Optional.empty(), empty.value());
        assertEquals("latest: no claims", empty.explain());
        Claim only = claim("web", "Denver", 1);
        Resolution dead = resolve(LATEST, only, retract(only, "web", 2));
        assertTrue(dead.isEmpty());
        assertTrue(dead.explain().startsWith("latest: every claim is retracted; retracted: web said \"Denver\""), dead.explain());
    }
}
