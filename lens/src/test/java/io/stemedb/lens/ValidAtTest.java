package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.asideClaims;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.says;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Lens#validAt}: valid time, the half-open interval [validFrom, validTo). */
class ValidAtTest {
    private static final Instant Y2020 = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant Y2022 = Instant.parse("2022-01-01T00:00:00Z");

    private final Claim until2020 = says("hr", "Boston", 1).validTo(Y2020).build();
    private final Claim from2020To2022 = says("hr", "Austin", 2).validFrom(Y2020).validTo(Y2022).build();
    private final Claim from2022 = says("hr", "Denver", 3).validFrom(Y2022).build();
    private final Claim always = says("web", "Miami", 0).build();

    @Test
    void validFromIsInclusiveAndValidToExclusive() {
        Lens at2020 = Lenses.trust("hr").validAt(Y2020);
        assertEquals(List.of(from2020To2022), resolve(at2020, until2020, from2020To2022, from2022).winners(),
                "at exactly 2020: the interval ending then is over, the one starting then has begun");
        Lens justBefore = Lenses.trust("hr").validAt(Y2020.minusNanos(1));
        assertEquals(List.of(until2020), resolve(justBefore, until2020, from2020To2022, from2022).winners());
        assertEquals(List.of(from2022), resolve(Lenses.trust("hr").validAt(Y2022), until2020, from2020To2022, from2022).winners());
    }

    @Test
    void aClaimWithoutAnIntervalIsAlwaysValid() {
        for (Instant t : List.of(Instant.EPOCH, Y2020, Instant.parse("2999-01-01T00:00:00Z"))) {
            Resolution r = resolve(Lenses.latest().validAt(t), always);
            assertEquals(List.of(always), r.winners(), t.toString());
        }
        // web's open claim is always valid; it loses to hr's valid claim under trust, but it is overruled, not set aside
        Resolution r = resolve(Lenses.trust("hr").validAt(Y2020), always, from2020To2022, from2022);
        assertEquals(List.of(from2020To2022), r.winners());
        assertEquals(List.of(always), r.overruled());
    }

    @Test
    void invalidClaimsAreSetAsideWithTheReasonNotOverruled() {
        Lens lens = Lenses.latest().validAt(Y2020);
        Resolution r = resolve(lens, until2020, from2020To2022, from2022, always);
        assertEquals(List.of(from2020To2022), r.winners());
        assertEquals(List.of(always), r.overruled());
        assertEquals(List.of(until2020, from2022), asideClaims(r));
        r.setAside().forEach(s -> assertEquals("not validAt(2020-01-01T00:00:00Z)", s.reason()));
        assertFalse(r.overruled().contains(until2020));
        assertEquals("latest.validAt(2020-01-01T00:00:00Z)", r.lens());
        assertEquals("latest.validAt(2020-01-01T00:00:00Z)", lens.name());
        assertTrue(r.explain().contains("; set aside (not validAt(2020-01-01T00:00:00Z)): hr said \"Boston\""), r.explain());
    }

    @Test
    void retractedInvalidClaimsAreReportedAsRetractedNotSetAside() {
        Resolution r = resolve(Lenses.latest().validAt(Y2020), until2020, from2020To2022, retract(until2020, "hr", 9));
        assertEquals(List.of(from2020To2022), r.winners());
        assertEquals(List.of(), r.setAside(), "set aside lists live claims only");
        assertEquals(List.of(until2020), r.retracted());
    }

    @Test
    void nothingValidMeansNoAnswer() {
        Resolution r = resolve(Lenses.latest().validAt(Instant.parse("2010-01-01T00:00:00Z")), from2020To2022, from2022);
        assertTrue(r.isEmpty());
        assertEquals(2, r.setAside().size());
        assertTrue(r.explain().startsWith("latest.validAt(2010-01-01T00:00:00Z): no claim qualified; set aside"), r.explain());
        assertThrows(NullPointerException.class, () -> Lenses.latest().validAt(null));
    }
}
