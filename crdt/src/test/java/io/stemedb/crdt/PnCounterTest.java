package io.stemedb.crdt;

import static io.stemedb.crdt.Fixtures.claim;
import static io.stemedb.crdt.Fixtures.evidence;
import static io.stemedb.crdt.Fixtures.hlc;
import static io.stemedb.crdt.Fixtures.integer;
import static io.stemedb.crdt.Fixtures.retract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import java.math.BigInteger;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PnCounterTest {

    @Test
    void sumsIncrementsAndDecrements() {
        PnCounter c = PnCounter.of(evidence(integer(5, "crm", 100), integer(3, "billing", 101),
                integer(-2, "crm", 102), integer(-7, "alice", 103), integer(0, "bob", 104)));
        assertEquals(BigInteger.valueOf(8), c.increments());
        assertEquals(BigInteger.valueOf(9), c.decrements());
        assertEquals(BigInteger.valueOf(-1), c.exact());
        assertEquals(-1L, c.value());
    }

    @Test
    void claimsThatAreNotIntegersAreNotIncrements() {
        PnCounter c = PnCounter.of(evidence(integer(4, "crm", 100),
                claim(Value.text("5"), "crm", hlc(101)),
                claim(Value.real(2.0), "crm", hlc(102)),
                claim(Value.bool(true), "crm", hlc(103)),
                claim(Value.instant(Instant.EPOCH), "crm", hlc(104)),
                claim(Value.ref("user:9"), "crm", hlc(105)),
                claim(Value.bytes(new byte[] {1}), "crm", hlc(106))));
        assertEquals(4L, c.value());
        assertEquals(BigInteger.valueOf(4), c.increments());
        assertEquals(BigInteger.ZERO, c.decrements());
        assertEquals(0L, PnCounter.of(evidence(claim(Value.real(-3.0), "crm", hlc(100)))).value());
    }

    @Test
    void retractingAnIncrementOrDecrementUndoesIt() {
        Claim plus5 = integer(5, "crm", 100);
        Claim plus3 = integer(3, "crm", 101);
        Claim minus2 = integer(-2, "billing", 102);
        assertEquals(6L, PnCounter.of(evidence(plus5, plus3, minus2)).value());
        assertEquals(3L, PnCounter.of(evidence(plus5, plus3, minus2, retract(plus3, "crm", 200))).value());
        PnCounter both = PnCounter.of(evidence(plus5, plus3, minus2, retract(plus3, "crm", 200),
                retract(minus2, "billing", 201)));
        assertEquals(5L, both.value());
        assertEquals(BigInteger.ZERO, both.decrements());
    }

    @Test
    void equalIncrementsAreCountedOncePerAssertionNotPerDelivery() {
        Claim crmPlus1 = integer(1, "crm", 100);
        Claim billingPlus1 = integer(1, "billing", 100);
        assertEquals(2L, PnCounter.of(evidence(crmPlus1, billingPlus1)).value());
        Claim again = crmPlus1.toBuilder().build();
        assertEquals(2L, PnCounter.of(evidence(crmPlus1, billingPlus1, crmPlus1, again)).value());
    }

    @Test
    void exactHandlesSumsBeyondALongAndValueThrowsThen() {
        Claim max = claim(Value.integer(Long.MAX_VALUE), "crm", hlc(100));
        Claim one = integer(1, "billing", 101);
        PnCounter c = PnCounter.of(evidence(max, one));
        BigInteger expected = BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE);
        assertEquals(expected, c.exact());
        assertEquals(expected, c.increments());
        PnCounter.CounterOverflowException e = assertThrows(PnCounter.CounterOverflowException.class, c::value);
        assertInstanceOf(StemeException.class, e);
        assertTrue(e.getMessage().contains(expected.toString()), e.getMessage());
        // retract the +1 and it fits again
        assertEquals(Long.MAX_VALUE, PnCounter.of(evidence(max, one, retract(one, "billing", 200))).value());
    }

    @Test
    void negativeExtremes() {
        Claim min = claim(Value.integer(Long.MIN_VALUE), "crm", hlc(100));
        PnCounter alone = PnCounter.of(evidence(min));
        assertEquals(Long.MIN_VALUE, alone.value(), "Long.MIN_VALUE itself fits");
        assertEquals(BigInteger.valueOf(Long.MIN_VALUE).negate(), alone.decrements());
        Claim minusOne = integer(-1, "billing", 101);
        PnCounter below = PnCounter.of(evidence(min, minusOne));
        assertEquals(BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE), below.exact());
        assertThrows(PnCounter.CounterOverflowException.class, below::value);
        // MAX + MIN = -1: the parts overflow nothing when kept apart
        Claim max = claim(Value.integer(Long.MAX_VALUE), "alice", hlc(102));
        assertEquals(-1L, PnCounter.of(evidence(min, max)).value());
        Claim max2 = claim(Value.integer(Long.MAX_VALUE), "bob", hlc(103));
        assertEquals(Long.MAX_VALUE - 1, PnCounter.of(evidence(min, max, max2, min.toBuilder().build())).value(),
                "MIN + MAX + MAX = MAX - 1 even though MAX + MAX overflows a long");
    }

    @Test
    void emptyIsZeroAndEqualityIsByParts() {
        PnCounter zero = PnCounter.of(evidence());
        assertEquals(0L, zero.value());
        assertEquals(BigInteger.ZERO, zero.exact());
        // +2 -2 is zero but not the same increments and decrements as nothing
        PnCounter plusMinus = PnCounter.of(evidence(integer(2, "crm", 100), integer(-2, "crm", 101)));
        assertEquals(0L, plusMinus.value());
        assertNotEquals(zero, plusMinus);
        assertEquals(plusMinus, PnCounter.of(evidence(integer(-2, "x", 1), integer(2, "y", 2))));
    }
}
