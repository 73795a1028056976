package io.stemedb.crdt;

import static io.stemedb.crdt.Fixtures.claim;
import static io.stemedb.crdt.Fixtures.evidence;
import static io.stemedb.crdt.Fixtures.hlc;
import static io.stemedb.crdt.Fixtures.retract;
import static io.stemedb.crdt.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LwwRegisterTest {

    @Test
    void theNewestHlcWinsWhateverTheInputOrder() {
        Claim old = text("old", "crm", 100);
        Claim newest = text("newest", "billing", 300);
        Claim middle = text("middle", "alice", 200);
        for (List<Claim> order : List.of(List.of(old, newest, middle), List.of(newest, middle, old),
                List.of(middle, old, newest))) {
            LwwRegister r = LwwRegister.of(evidence(order));
            assertEquals(Optional.of(newest), r.winner());
            assertEquals(Optional.of(Value.text("newest")), r.value());
        }
    }

    @Test
    void physicalTimeOutranksLogicalCounterAndNode() {
        Claim earlierMsHighLogical = claim(Value.text("a"), "crm", hlc(100, 9, -1L));
        Claim laterMs = claim(Value.text("b"), "crm", hlc(101, 0, 1L));
        assertEquals(Optional.of(laterMs), LwwRegister.of(evidence(laterMs, earlierMsHighLogical)).winner());
    }

    @Test
    void equalPhysicalTimesAreOrderedByTheLogicalCounter() {
        Claim logical1 = claim(Value.text("a"), "crm", hlc(100, 1, 1L));
        Claim logical0 = claim(Value.text("b"), "billing", hlc(100, 0, 2L));
        assertEquals(Optional.of(logical1), LwwRegister.of(evidence(logical0, logical1)).winner());
        assertEquals(Optional.of(logical1), LwwRegister.of(evidence(logical1, logical0)).winner());
    }

    @Test
    void equalPhysicalAndLogicalAreOrderedByTheNodeAsUnsigned() {
        Claim node1 = claim(Value.text("a"), "crm", hlc(100, 0, 1L));
        Claim node2 = claim(Value.text("b"), "crm", hlc(100, 0, 2L));
        assertEquals(Optional.of(node2), LwwRegister.of(evidence(node2, node1)).winner());
        assertEquals(Optional.of(node2), LwwRegister.of(evidence(node1, node2)).winner());
        // node -1 is 0xffffffffffffffff: the greatest node, not the smallest
        Claim nodeMinus1 = claim(Value.text("c"), "crm", hlc(100, 0, -1L));
        assertEquals(Optional.of(nodeMinus1), LwwRegister.of(evidence(node2, nodeMinus1, node1)).winner());
        Claim nodeMinValue = claim(Value.text("d"), "crm", hlc(100, 0, Long.MIN_VALUE));
        assertEquals(Optional.of(nodeMinValue), LwwRegister.of(evidence(nodeMinValue, node2)).winner());
    }

    @Test
    void equalWholeTimestampsAreOrderedByTheId() {
        Claim x = claim(Value.text("x"), "crm", hlc(100, 3, 7L));
        Claim y = claim(Value.text("y"), "billing", hlc(100, 3, 7L));
        assertNotEquals(x.id(), y.id());
        // ids order as unsigned big-endian numbers, which is the order of their lowercase hex
        Claim greater = x.id().toString().compareTo(y.id().toString()) > 0 ? x : y;
        assertEquals(Optional.of(greater), LwwRegister.of(evidence(x, y)).winner());
        assertEquals(Optional.of(greater), LwwRegister.of(evidence(y, x)).winner());
    }

    @Test
    void aRetractedWinnerHandsOverToTheNextNewestLiveClaim() {
        Claim first = text("first", "crm", 100);
        Claim second = text("second", "billing", 200);
        Claim third = text("third", "crm", 300);
        Retraction retractThird = retract(third, "crm", 400);
        assertEquals(Optional.of(second), LwwRegister.of(evidence(first, second, third, retractThird)).winner());
        Retraction retractSecond = retract(second, "billing", 401);
        assertEquals(Optional.of(Value.text("first")),
                LwwRegister.of(evidence(first, second, third, retractThird, retractSecond)).value());
        // retracting an older claim does not touch the winner
        Retraction retractFirst = retract(first, "crm", 500);
        assertEquals(Optional.of(third), LwwRegister.of(evidence(first, second, third, retractFirst)).winner());
    }

    @Test
    void aRetractionKillsItsClaimWhateverTheRetractionsOwnTimestamp() {
        Claim older = text("older", "crm", 100);
        Claim newer = text("newer", "crm", 300);
        // the retraction carries an earlier timestamp than the claim it names (a skewed clock): still dead
        Retraction early = retract(newer, "billing", 50);
        assertEquals(Optional.of(older), LwwRegister.of(evidence(older, newer, early)).winner());
    }

    @Test
    void everythingRetractedOrNothingClaimedIsEmpty() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "billing", 200);
        LwwRegister dead = LwwRegister.of(evidence(a, b, retract(a, "crm", 300), retract(b, "crm", 301)));
        assertTrue(dead.winner().isEmpty());
        assertTrue(dead.value().isEmpty());
        assertTrue(LwwRegister.of(evidence()).winner().isEmpty());
        assertEquals(LwwRegister.of(evidence()), dead);
    }

    @Test
    void claimsOfOtherFactsDoNotCompete() {
        Claim mine = text("mine", "crm", 100);
        Claim otherSubject = claim("user:2", Fixtures.P, Value.text("other"), "crm", hlc(900));
        Claim otherPredicate = claim(Fixtures.S, "phone", Value.text("other"), "crm", hlc(900));
        assertEquals(Optional.of(mine), LwwRegister.of(evidence(otherSubject, mine, otherPredicate)).winner());
    }

    @Test
    void registersAreEqualWhenTheirWinnersAre() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 200);
        assertEquals(LwwRegister.of(evidence(a, b)), LwwRegister.of(evidence(b)));
        assertEquals(LwwRegister.of(evidence(a, b)).hashCode(), LwwRegister.of(evidence(b)).hashCode());
        assertNotEquals(LwwRegister.of(evidence(a, b)), LwwRegister.of(evidence(a)));
    }
}
