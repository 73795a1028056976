package io.stemedb.junit;

import static io.stemedb.junit.StemeDBAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

@StemeDBTest
class StemeDBAssertionsTest {
    private AssertionId alice;
    private AssertionId bob;

    /** hr says Alice at 08:00, crm says Bob at 09:00. */
    @BeforeEach
    void twoSourcesDisagree(StemeDB db, ManualClock clock) {
        clock.set("2026-01-05T08:00:00Z");
        alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        clock.advance(Duration.ofHours(1));
        bob = db.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();
    }

    @Test
    void passingChecks(StemeDB db) {
        assertThat(db).resolves("acme", "ceo", Lenses.latest()).to(Value.text("Bob")).wonBy("crm");
        assertThat(db).resolves("acme", "ceo", Lenses.trust("hr", "crm")).to(Value.text("Alice")).wonBy("hr");
        assertThat(db).resolves("acme", "ceo", Lenses.all()).isAmbiguous()
                .toValues(Value.text("Bob"), Value.text("Alice"));
        assertThat(db).resolves("acme", "cfo", Lenses.latest()).toNothing();
        assertThat(db.asOf(Instant.parse("2026-01-05T08:30:00Z"))).resolves("acme", "ceo", Lenses.latest())
                .to(Value.text("Alice"));
        assertThat(db.asOf(Instant.parse("2026-01-05T07:00:00Z"))).resolves("acme", "ceo", Lenses.latest()).toNothing();
        assertThat(db.resolve("acme", "ceo", Lenses.latest())).to(Value.text("Bob"));
    }

    @Test
    void aWrongValueFailsWithExpectedActualAndTheExplanation(StemeDB db) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "ceo", Lenses.latest()).to(Value.text("Alice")));

        assertEquals("expected acme.ceo through lens latest to resolve to \"Alice\", but it resolved to \"Bob\"\n"
                + "explanation: latest: crm said \"Bob\" at 2026-01-05T09:00:00Z (" + bob.shortHex() + ")"
                + "; overruled: hr said \"Alice\" at 2026-01-05T08:00:00Z (" + alice.shortHex() + ")", e.getMessage());
        // Value is not Serializable, so opentest4j keeps its string form (what IDEs compare)
        assertEquals("\"Alice\"", e.getExpected().getStringRepresentation());
        assertEquals("\"Bob\"", e.getActual().getStringRepresentation());
    }

    @Test
    void toNothingFailsWhenTheLensChoseAClaim(StemeDB db) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "ceo", Lenses.latest()).toNothing());
        assertTrue(e.getMessage().startsWith(
                "expected acme.ceo through lens latest to resolve to nothing, but it resolved to \"Bob\"\nexplanation: latest: crm said"),
                e.getMessage());
    }

    @Test
    void toNothingHoldsWhenEveryClaimIsRetracted(StemeDB db) {
        db.retract(alice, "hr");
        db.retract(bob, "crm");
        assertThat(db).resolves("acme", "ceo", Lenses.latest()).toNothing();
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "ceo", Lenses.latest()).to(Value.text("Bob")));
        assertTrue(e.getMessage().contains("but it resolved to nothing\nexplanation: latest: every claim is retracted; retracted: "),
                e.getMessage());
        assertEquals("nothing", e.getActual().getStringRepresentation());
    }

    @Test
    void anAmbiguousResolutionIsNotOneValue(StemeDB db) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "ceo", Lenses.all()).to(Value.text("Bob")));
        assertTrue(e.getMessage().contains("but it resolved to 2 values [\"Alice\", \"Bob\"]\n"), e.getMessage());
        assertEquals(new TreeSet<>(List.of(Value.text("Alice"), Value.text("Bob"))).toString(),
                e.getActual().getStringRepresentation());
    }

    @Test
    void isAmbiguousFailsOnASingleValue(StemeDB db) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "ceo", Lenses.latest()).isAmbiguous());
        assertTrue(e.getMessage().startsWith("expected acme.ceo through lens latest to be ambiguous"), e.getMessage());
        assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "cfo", Lenses.all()).isAmbiguous(), "nothing is not ambiguous");
    }

    @Test
    void toValuesWantsExactlyTheseValues(StemeDB db) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "ceo", Lenses.all()).toValues(Value.text("Alice")));
        assertTrue(e.getMessage().contains("to resolve to the values [\"Alice\"], but it resolved to 2 values"), e.getMessage());
        assertThrows(AssertionFailedError.class, () -> assertThat(db).resolves("acme", "ceo", Lenses.all())
                .toValues(Value.text("Alice"), Value.text("Bob"), Value.text("Carol")));
        assertThrows(IllegalArgumentException.class, () -> assertThat(db).resolves("acme", "ceo", Lenses.all())
                .toValues(Value.text("Alice"), Value.text("Alice")));
    }

    @Test
    void wonByNamesTheWinningSources(StemeDB db) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(db).resolves("acme", "ceo", Lenses.latest()).wonBy("hr"));
        assertTrue(e.getMessage().startsWith("expected acme.ceo through lens latest to be won by claims of hr, but it resolved to [crm]"),
                e.getMessage());
        assertThrows(AssertionFailedError.class, () -> assertThat(db).resolves("acme", "ceo", Lenses.all()).wonBy("crm"),
                "hr won too");
        assertThrows(AssertionFailedError.class, () -> assertThat(db).resolves("acme", "cfo", Lenses.latest()).wonBy("crm"),
                "nobody won");
        assertEquals(Set.of(), Set.copyOf(db.resolve("acme", "cfo", Lenses.latest()).winners()));
    }
}
