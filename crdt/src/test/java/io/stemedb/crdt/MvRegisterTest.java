package io.stemedb.crdt;

import static io.stemedb.crdt.Fixtures.evidence;
import static io.stemedb.crdt.Fixtures.retract;
import static io.stemedb.crdt.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MvRegisterTest {

    @Test
    void keepsEachSourcesNewestLiveClaim() {
        Claim crmOld = text("a@old", "crm", 100);
        Claim crmNew = text("a@new", "crm", 200);
        Claim billing = text("b", "billing", 150);
        MvRegister mv = MvRegister.of(evidence(crmNew, billing, crmOld));
        assertEquals(new TreeMap<>(Map.of("crm", crmNew, "billing", billing)), mv.heads());
        assertEquals(List.of("billing", "crm"), List.copyOf(mv.heads().keySet()));
        assertEquals(List.of(Value.text("a@new"), Value.text("b")), List.copyOf(mv.values()));
        assertTrue(mv.isConflicted());
    }

    @Test
    void aSourcesNewerClaimSupersedesItsOlderOneEvenIfOthersAreNewer() {
        Claim crmOld = text("x", "crm", 100);
        Claim crmNew = text("y", "crm", 200);
        Claim alice = text("y", "alice", 300);
        MvRegister mv = MvRegister.of(evidence(crmOld, crmNew, alice));
        assertEquals(Map.of("crm", crmNew, "alice", alice), mv.heads());
        assertEquals(List.of(Value.text("y")), List.copyOf(mv.values()));
        assertFalse(mv.isConflicted(), "both heads say y; x was superseded by crm itself");
    }

    @Test
    void aRetractedHeadHandsOverToTheSourcesOlderLiveClaim() {
        Claim crmOld = text("x", "crm", 100);
        Claim crmNew = text("y", "crm", 200);
        Claim billing = text("x", "billing", 150);
        MvRegister mv = MvRegister.of(evidence(crmOld, crmNew, billing, retract(crmNew, "crm", 300)));
        assertEquals(Map.of("crm", crmOld, "billing", billing), mv.heads());
        assertFalse(mv.isConflicted());
    }

    @Test
    void aSourceWithEveryClaimRetractedHasNoHead() {
        Claim crm = text("x", "crm", 100);
        Claim billing = text("y", "billing", 150);
        MvRegister mv = MvRegister.of(evidence(crm, billing, retract(billing, "billing", 200)));
        assertEquals(Map.of("crm", crm), mv.heads());
        assertFalse(mv.isConflicted());
        MvRegister none = MvRegister.of(evidence(crm, retract(crm, "crm", 200)));
        assertTrue(none.heads().isEmpty());
        assertTrue(none.values().isEmpty());
        assertFalse(none.isConflicted());
        assertEquals(MvRegister.of(evidence()), none);
    }

    @Test
    void isConflictedOnlyWhenHeadValuesDiffer() {
        Claim crm = text("x", "crm", 100);
        Claim billing = text("x", "billing", 200);
        assertFalse(MvRegister.of(evidence(crm, billing)).isConflicted());
        Claim alice = Fixtures.integer(1, "alice", 50);
        MvRegister three = MvRegister.of(evidence(crm, billing, alice));
        assertTrue(three.isConflicted());
        assertEquals(List.of(Value.text("x"), Value.integer(1)), List.copyOf(three.values()));
    }

    @Test
    void equalityFollowsTheHeads() {
        Claim crmOld = text("x", "crm", 100);
        Claim crmNew = text("y", "crm", 200);
        assertEquals(MvRegister.of(evidence(crmOld, crmNew)), MvRegister.of(evidence(crmNew)));
        assertNotEquals(MvRegister.of(evidence(crmOld)), MvRegister.of(evidence(crmNew)));
    }
}
