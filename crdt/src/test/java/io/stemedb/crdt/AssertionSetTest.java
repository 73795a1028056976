package io.stemedb.crdt;

import static io.stemedb.crdt.Fixtures.P;
import static io.stemedb.crdt.Fixtures.S;
import static io.stemedb.crdt.Fixtures.claim;
import static io.stemedb.crdt.Fixtures.hlc;
import static io.stemedb.crdt.Fixtures.retract;
import static io.stemedb.crdt.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssertionSetTest {

    @Test
    void aSetHoldsEachIdOnce() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 200);
        AssertionSet set = AssertionSet.of(List.of(a, b, a, a.toBuilder().build()));
        assertEquals(2, set.size());
        assertEquals(Set.of(a.id(), b.id()), set.ids());
        assertTrue(set.contains(a.id()));
        assertEquals(0, AssertionSet.empty().size());
        assertFalse(AssertionSet.empty().contains(a.id()));
    }

    @Test
    void withAddsAndLeavesTheOriginalAlone() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 200);
        AssertionSet one = AssertionSet.empty().with(a);
        AssertionSet two = one.with(b);
        assertEquals(1, one.size());
        assertFalse(one.contains(b.id()));
        assertEquals(2, two.size());
        assertSame(two, two.with(a.toBuilder().build()));
        assertTrue(AssertionSet.empty().ids().isEmpty());
    }

    @Test
    void mergeIsUnionAndEqualityIsById() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 200);
        Claim c = text("c", "crm", 300);
        AssertionSet ab = AssertionSet.of(List.of(a, b));
        AssertionSet bc = AssertionSet.of(List.of(b.toBuilder().build(), c));
        AssertionSet abc = AssertionSet.of(List.of(c, b, a));
        assertEquals(abc, ab.merge(bc));
        assertEquals(abc, bc.merge(ab));
        assertEquals(abc.hashCode(), bc.merge(ab).hashCode());
        assertNotEquals(ab, bc);
        assertEquals(ab, ab.merge(AssertionSet.of(List.of(a))));
        assertEquals(3, AssertionSet.of(List.of(a)).merge(bc).size());
    }

    @Test
    void isLiveUntilARetractionOfTheClaimArrives() {
        Claim a = text("a", "crm", 100);
        Retraction r = retract(a, "billing", 200);
        AssertionSet set = AssertionSet.of(List.of(a));
        assertTrue(set.isLive(a.id()));
        AssertionSet retracted = set.with(r);
        assertFalse(retracted.isLive(a.id()));
        assertTrue(set.isLive(a.id()), "the older set is unchanged");
        assertFalse(retracted.isLive(r.id()), "a retraction is not a live claim");
        assertFalse(retracted.merge(set).isLive(a.id()));
        assertFalse(set.merge(retracted).isLive(a.id()));
        assertFalse(AssertionSet.empty().isLive(a.id()), "a claim not in the set is not live");
    }

    @Test
    void aRetractionThatArrivesBeforeItsClaimKillsTheClaimOnArrival() {
        Claim a = text("a", "crm", 100);
        Retraction r = retract(a, "crm", 200);
        AssertionSet early = AssertionSet.empty().with(r);
        assertFalse(early.isLive(a.id()));
        assertTrue(early.evidence(S, P).isEmpty());
        AssertionSet both = early.with(a);
        assertFalse(both.isLive(a.id()));
        assertTrue(both.evidence(S, P).live().isEmpty());
        assertEquals(List.of(r), both.evidence(S, P).retractionsOf(a.id()));
    }

    @Test
    void retractionsOfUnknownIdsOrOfRetractionsKillNothing() {
        Claim a = text("a", "crm", 100);
        Retraction ofUnknown = Retraction.of(AssertionId.parse("ab".repeat(32)), "crm", hlc(150), null);
        Retraction ofItself = retract(ofUnknown, "crm", 160);
        AssertionSet set = AssertionSet.of(List.of(a, ofUnknown, ofItself));
        assertTrue(set.isLive(a.id()));
        assertFalse(set.isLive(ofUnknown.id()));
        assertEquals(List.of(a), set.evidence(S, P).live());
    }

    @Test
    void evidenceAndFactsComeFromTheClaims() {
        Claim a = text("a", "crm", 100);
        Claim phone = claim(S, "phone", Value.text("555"), "crm", hlc(100));
        Claim other = claim("user:2", P, Value.text("b"), "crm", hlc(100));
        AssertionSet set = AssertionSet.of(List.of(a, phone, other, retract(other, "crm", 200)));
        assertEquals(Set.of(Map.entry(S, P), Map.entry(S, "phone"), Map.entry("user:2", P)), set.facts());
        assertEquals(List.of(a), set.evidence(S, P).claims());
        assertEquals(List.of(phone), set.evidence(S, "phone").claims());
        assertTrue(set.evidence("user:2", P).live().isEmpty());
        assertTrue(set.evidence("nobody", P).isEmpty());
        assertTrue(AssertionSet.of(List.of(retract(a, "crm", 1))).facts().isEmpty());
    }

    @Test
    void theSetIsReadOnly() {
        Claim a = text("a", "crm", 100);
        AssertionSet set = AssertionSet.of(List.of(a));
        assertThrows(UnsupportedOperationException.class, () -> set.ids().clear());
        assertThrows(UnsupportedOperationException.class, () -> set.assertions().clear());
        assertEquals(1, set.size());
    }
}
