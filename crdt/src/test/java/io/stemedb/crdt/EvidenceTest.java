package io.stemedb.crdt;

import static io.stemedb.crdt.Fixtures.P;
import static io.stemedb.crdt.Fixtures.S;
import static io.stemedb.crdt.Fixtures.at;
import static io.stemedb.crdt.Fixtures.claim;
import static io.stemedb.crdt.Fixtures.evidence;
import static io.stemedb.crdt.Fixtures.hlc;
import static io.stemedb.crdt.Fixtures.retract;
import static io.stemedb.crdt.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EvidenceTest {

    @Test
    void claimsAreListedOldestFirstWithoutDuplicatesOrOtherFacts() {
        Claim a = text("a", "crm", 300);
        Claim b = text("b", "crm", 100);
        Claim c = claim(Value.text("c"), "crm", hlc(100, 1, 1L));
        Claim otherSubject = claim("user:2", P, Value.text("x"), "crm", hlc(50));
        Claim otherPredicate = claim(S, "phone", Value.text("x"), "crm", hlc(50));
        Evidence e = evidence(a, otherSubject, c, b, a.toBuilder().build(), otherPredicate, a);
        assertEquals(List.of(b, c, a), e.claims());
        assertEquals(List.of(b, c, a), e.live());
        assertEquals(S, e.subject());
        assertEquals(P, e.predicate());
        assertFalse(e.isEmpty());
        assertTrue(evidence(otherSubject, otherPredicate).isEmpty());
        assertEquals(e, evidence(b, c, a));
        assertEquals(e.hashCode(), evidence(c, a, b).hashCode());
    }

    @Test
    void rememberComputesOncePerKeyAndAgainWhenAnotherKeyAsked() {
        Evidence e = evidence(text("a", "crm", 100), text("b", "erp", 200));
        Object first = new Object();
        Object second = new Object();
        java.util.concurrent.atomic.AtomicInteger computed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.BiFunction<Object, Evidence, String> count = (key, of) ->
                (key == first ? "first-" : "second-") + computed.incrementAndGet() + (of == e ? "" : " of another");
        assertEquals("first-1", e.remember(first, count));
        assertEquals("first-1", e.remember(first, count));
        assertEquals("second-2", e.remember(second, count));
        assertEquals("first-3", e.remember(first, count));
        assertEquals("first-4 of another", evidence(text("a", "crm", 100), text("b", "erp", 200)).remember(first, count),
                "equal evidence remembers nothing of another instance");
        assertEquals(evidence(text("a", "crm", 100), text("b", "erp", 200)), e, "what it remembers is not part of its value");
    }

    @Test
    void retractionsAreGroupedByClaimOldestFirst() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 200);
        Retraction late = retract(a, "crm", 500);
        Retraction early = retract(a, "billing", 300);
        Retraction ofB = retract(b, "alice", 400);
        Evidence e = evidence(late, a, ofB, b, early, late);
        assertEquals(List.of(early, late), e.retractionsOf(a.id()));
        assertEquals(List.of(ofB), e.retractionsOf(b.id()));
        assertEquals(List.of(early, ofB, late), e.retractions());
        assertTrue(e.isRetracted(a.id()));
        assertTrue(e.live().isEmpty());
        assertEquals(List.of(a, b), e.claims(), "retracted claims stay in claims()");
    }

    @Test
    void aRetractionOfAnUnknownIdKillsNothing() {
        Claim a = text("a", "crm", 100);
        Claim ghost = text("never delivered", "crm", 150);
        AssertionId random = AssertionId.parse("00".repeat(31) + "01");
        Evidence e = evidence(a, retract(ghost, "crm", 200), Retraction.of(random, "crm", hlc(201), null));
        assertEquals(List.of(a), e.live());
        assertTrue(e.retractions().isEmpty(), "retractions of claims not in the evidence are not part of it");
        assertFalse(e.isRetracted(a.id()));
        assertTrue(e.retractionsOf(ghost.id()).isEmpty());
        assertEquals(Optional.of(a), LwwRegister.of(e).winner());
    }

    @Test
    void aRetractionOfARetractionKillsNothingAndRevivesNothing() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 50);
        Retraction r1 = retract(a, "crm", 200);
        Retraction r2 = retract(r1, "billing", 300);
        Retraction r3 = retract(r2, "alice", 400);
        Evidence e = evidence(a, b, r1, r2, r3);
        assertEquals(List.of(b), e.live(), "a stays dead: retracting its retraction does not revive it");
        assertEquals(List.of(r1), e.retractionsOf(a.id()));
        assertEquals(List.of(r1), e.retractions());
        assertFalse(e.isRetracted(b.id()));
        // without r1, the retractions of retractions kill nothing
        Evidence noR1 = evidence(a, b, r2, r3);
        assertEquals(List.of(b, a), noR1.live());
        assertTrue(noR1.retractions().isEmpty());
    }

    @Test
    void aRetractionOfAClaimAboutAnotherFactDoesNotLeakIn() {
        Claim mine = text("a", "crm", 100);
        Claim other = claim("user:2", P, Value.text("a"), "crm", hlc(100));
        Evidence e = evidence(mine, other, retract(other, "crm", 200));
        assertEquals(List.of(mine), e.live());
        assertTrue(e.retractions().isEmpty());
    }

    @Test
    void filterKeepsTheRetractionsOfTheClaimsItKeeps() {
        Claim crmOld = text("a", "crm", 100);
        Claim crmNew = text("b", "crm", 200);
        Claim billing = text("c", "billing", 150);
        Retraction ofCrmNew = retract(crmNew, "crm", 300);
        Retraction ofBilling = retract(billing, "billing", 310);
        Evidence e = evidence(crmOld, crmNew, billing, ofCrmNew, ofBilling);

        Evidence crm = e.filter(c -> c.source().equals("crm"));
        assertEquals(List.of(crmOld, crmNew), crm.claims());
        assertEquals(List.of(crmOld), crm.live(), "crm's retracted claim stays retracted after the filter");
        assertTrue(crm.isRetracted(crmNew.id()));
        assertEquals(List.of(ofCrmNew), crm.retractionsOf(crmNew.id()));
        assertEquals(List.of(ofCrmNew), crm.retractions(), "the retraction of a dropped claim is dropped too");
        assertEquals(Optional.of(crmOld), LwwRegister.of(crm).winner());
        assertEquals(evidence(crmOld, crmNew, ofCrmNew), crm);

        Evidence none = e.filter(c -> false);
        assertTrue(none.isEmpty());
        assertTrue(none.retractions().isEmpty());
        assertEquals(e, e.filter(c -> true));
    }

    @Test
    void asOfMakesALaterRetractedClaimLiveAgainBeforeTheRetraction() {
        Claim old = text("old", "crm", 100);
        Claim replaced = text("new", "crm", 200);
        Retraction r = retract(replaced, "crm", 300);
        Claim later = text("later", "billing", 400);
        Evidence now = evidence(old, replaced, r, later);
        assertEquals(List.of(old, later), now.live());

        Evidence before = now.asOf(at(299));
        assertEquals(List.of(old, replaced), before.live());
        assertFalse(before.isRetracted(replaced.id()));
        assertTrue(before.retractions().isEmpty());
        assertEquals(Optional.of(replaced), LwwRegister.of(before).winner());
        assertEquals(evidence(old, replaced), before);

        Evidence atRetraction = now.asOf(at(300));
        assertEquals(List.of(old), atRetraction.live(), "the bound is inclusive: a retraction at t counts at t");
        assertEquals(List.of(r), atRetraction.retractions());
        assertEquals(Optional.of(old), LwwRegister.of(atRetraction).winner());

        assertEquals(List.of(old), now.asOf(at(199)).claims());
        assertEquals(List.of(old, replaced), now.asOf(at(200)).claims());
        assertTrue(now.asOf(at(99)).isEmpty());
        assertEquals(now, now.asOf(at(400)));
        // an instant inside the millisecond after 299 is still before 300
        assertEquals(before, now.asOf(at(299).plusNanos(999_999)));
        assertThrows(NullPointerException.class, () -> now.asOf(null));
    }

    @Test
    void asOfUsesPhysicalTimeOnly() {
        Claim a = claim(Value.text("a"), "crm", hlc(100, 5, -1L));
        Retraction r = Retraction.of(a.id(), "crm", hlc(100, 9, 2L), Map.of("why", "typo"));
        Evidence e = evidence(a, r);
        assertEquals(List.of(r), e.asOf(at(100)).retractions());
        assertTrue(e.asOf(at(100)).live().isEmpty());
        assertTrue(e.asOf(at(99)).isEmpty());
    }

    @Test
    void evidenceOfDifferentContentIsNotEqual() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 100);
        assertNotEquals(evidence(a), evidence(b));
        assertNotEquals(evidence(a), evidence(a, retract(a, "crm", 200)));
        assertNotEquals(evidence(a, retract(a, "crm", 200)), evidence(a, retract(a, "billing", 200)));
        assertNotEquals(evidence(a), Evidence.of("user:2", P, List.of(a)));
    }

    @Test
    void ofOrderedTakesAnIndexListingAsItIs() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "billing", 200);
        Claim c = claim(Value.text("c"), "crm", hlc(200, 1, 1L));
        Retraction ofA = retract(a, "crm", 150);
        Retraction ofC = retract(c, "crm", 300);
        Evidence listed = Evidence.ofOrdered(S, P, List.of(a, b, c, ofA, ofC));
        assertEquals(evidence(ofC, c, a, b, ofA), listed);
        assertEquals(List.of(b), listed.live());
        assertEquals(List.of(ofA, ofC), listed.retractions());
        assertEquals(listed, Evidence.ofOrdered(S, P, List.of(a, ofA, b, c, ofC)), "claims and retractions may interleave");
        assertTrue(Evidence.ofOrdered(S, P, List.of()).isEmpty());
        Evidence unretracted = Evidence.ofOrdered(S, P, List.of(a, b));
        assertSame(unretracted.claims(), unretracted.live());
        assertTrue(unretracted.retractions().isEmpty());
    }

    @Test
    void ofOrderedRefusesWhatIsNotAnIndexListingOfTheFact() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 200);
        Claim elsewhere = claim("user:2", P, Value.text("x"), "crm", hlc(300));
        Retraction ofA = retract(a, "crm", 300);
        Retraction ofB = retract(b, "crm", 400);
        assertRefused("assertion 1 (" + a.id().shortHex() + ") is not after the claim before it in record order",
                List.of(b, a));
        assertRefused("assertion 1 (" + a.id().shortHex() + ") is not after the claim before it in record order",
                List.of(a, a), "a duplicate is out of order too");
        assertRefused("assertion 2 (" + elsewhere.id().shortHex() + ") is about user:2.email, not user:1.email",
                List.of(a, b, elsewhere));
        assertRefused("assertion 3 (" + ofA.id().shortHex() + ") is not after the retraction before it in record order",
                List.of(a, b, ofB, ofA));
        assertRefused("assertion 1 (" + ofB.id().shortHex() + ") retracts " + b.id().shortHex() + ", which is not a claim in the list",
                List.of(a, ofB));
    }

    private static void assertRefused(String start, List<Assertion> listing, String... why) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Evidence.ofOrdered(S, P, listing));
        assertTrue(x.getMessage().startsWith(start), x.getMessage() + " " + String.join("", why));
        assertTrue(x.getMessage().endsWith("use Evidence.of for anything else"), x.getMessage());
    }

    @Test
    void filterAndAsOfThatDropNothingAllocateNoNewLists() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 200);
        Evidence e = evidence(a, b);
        assertSame(e, e.filter(c -> true));
        Evidence now = e.asOf(at(500));
        assertSame(e.claims(), now.claims());
        assertSame(e.live(), now.live());
        assertEquals(Optional.of(at(500)), now.asOfInstant());
    }
}
