package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Lenses#quorum(int)}: the majority's value, but only once at least k distinct sources agree on it. */
class QuorumLensTest {

    @Test
    void nothingUntilKSourcesAgree() {
        Lens quorum = Lenses.quorum(3);
        assertEquals("quorum(3)", quorum.name());
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Boston", 2);
        Claim other = claim("c", "Austin", 3);
        Resolution two = resolve(quorum, a, b, other);
        assertTrue(two.isEmpty(), "only two sources agree");
        assertEquals(List.of(a, b, other), two.overruled());
        assertTrue(two.explain().startsWith("quorum(3): no claim qualified; overruled: a said"), two.explain());

        Claim c = claim("d", "Boston", 4);
        Resolution three = resolve(quorum, a, b, other, c);
        assertEquals(List.of(a, b, c), three.winners());
        assertEquals(Optional.of(text("Boston")), three.value());
    }

    @Test
    void repeatsOfOneSourceDoNotMakeAQuorum() {
        Claim a1 = claim("a", "Boston", 1);
        Claim a2 = claim("a", "Boston", 2);
        Claim a3 = claim("a", "Boston", 3);
        assertTrue(resolve(Lenses.quorum(2), a1, a2, a3).isEmpty());
        assertEquals(List.of(a3), resolve(Lenses.quorum(1), a1, a2, a3).winners(), "quorum(1) is majority: the source's newest");
    }

    @Test
    void aRetractionCanBreakAQuorum() {
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Boston", 2);
        assertEquals(List.of(a, b), resolve(Lenses.quorum(2), a, b).winners());
        assertTrue(resolve(Lenses.quorum(2), a, b, retract(b, "b", 3)).isEmpty());
    }

    @Test
    void theQuorumIsCheckedOnTheMajorityWinner() {
        // Boston has 2 sources, Austin 2: the tie goes to Austin (newest supporter); both reach 2.
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Boston", 2);
        Claim c = claim("c", "Austin", 3);
        Claim d = claim("d", "Austin", 4);
        assertEquals(Optional.of(text("Austin")), resolve(Lenses.quorum(2), a, b, c, d).value());
        assertTrue(resolve(Lenses.quorum(3), a, b, c, d).isEmpty());
    }

    @Test
    void aQuorumBelowOneIsRejected() {
        assertEquals("a quorum needs at least 1 source, got 0",
                assertThrows(IllegalArgumentException.class, () -> Lenses.quorum(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Lenses.quorum(-3));
    }
}
