package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.ErasedClaim;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What erasure guarantees on every {@link Engine}, as a suite each engine runs (a subclass supplies
 * {@link #newEngine()}): the content of the claims an erasure covers is gone from every read, list,
 * feed and digest, their ids stay known and marked, their content is refused afterwards, a claim
 * made before the erasure but arriving later is erased on arrival, one made after it is kept, and
 * the engine still verifies clean.
 */
abstract class ErasureContractTest {
    static final long BASE_MS = 1_700_000_000_000L;
    static final long NODE = 0x11L;

    protected abstract Engine newEngine();

    /** Closes the engine and opens the same store again (a fresh engine where there is nothing to reopen). */
    protected abstract Engine reopen(Engine engine);

    Engine engine;
    private int tick;

    @BeforeEach
    void openEngine() {
        engine = newEngine();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    Hlc nextHlc() {
        return Hlc.of(BASE_MS + 10 * tick++, 0, NODE);
    }

    Claim claim(String subject, String predicate, Value value, String source) {
        return Claim.builder(subject, predicate, value).source(source).hlc(nextHlc()).build();
    }

    Claim claim(String subject, String predicate, Value value, String source, Map<String, String> metadata) {
        return Claim.builder(subject, predicate, value).source(source).hlc(nextHlc()).metadata(metadata).build();
    }

    Erasure erasure(Erasure.Scope scope) {
        return Erasure.of(scope, "dpo", nextHlc(), "request 17", null);
    }

    /** Every stored id, in order. */
    List<AssertionId> allIds() {
        return engine.ids(new byte[0], null, 1_000_000);
    }

    void assertConsistent() {
        assertEquals(IdDigest.of(allIds()), engine.digest(), "the digest is the digest of the stored ids");
        IdDigest buckets = IdDigest.empty();
        for (int b = 0; b < Engine.BUCKETS; b++) {
            buckets = buckets.plus(engine.bucketDigest(b));
        }
        assertEquals(engine.digest(), buckets, "the buckets add up to the digest");
        VerifyReport report = engine.verify();
        assertEquals(0, report.problemCount(), report.problems().toString());
    }

    /** Nothing the engine lists or reads holds {@code erased}. */
    void assertGone(Claim erased) {
        assertEquals(Optional.empty(), engine.get(erased.id()));
        assertFalse(engine.contains(erased.id()));
        assertEquals(Engine.Kind.ABSENT, engine.kindOf(erased.id()));
        assertFalse(engine.evidence(erased.subject(), erased.predicate()).claims().contains(erased));
        assertFalse(engine.bySource(erased.source()).contains(erased));
        assertFalse(allIds().contains(erased.id()));
        for (Change c : engine.changesSince(0, 1_000_000)) {
            assertFalse(c.assertion().equals(erased), "the change feed holds " + erased);
        }
    }

    @Test
    void erasingASubjectDeletesItsClaimsFromEveryReadAndMarksTheirIds() {
        Claim name = claim("person:1", "name", Value.text("Ada Example"), "crm", Map.of("evidence", "signup form"));
        Claim email = claim("person:1", "email", Value.text("ada@example.org"), "crm");
        Claim otherEmail = claim("person:1", "email", Value.text("ada@work.example"), "hr");
        Claim bob = claim("person:2", "email", Value.text("ada@example.org"), "crm");
        Retraction retraction = Retraction.of(email.id(), "crm", nextHlc(), null);
        engine.commit(List.of(name, email, otherEmail, bob, retraction));
        Erasure erasure = erasure(Erasure.Scope.subject("person:1"));

        List<Change> stored = engine.commit(List.of(erasure));

        assertEquals(List.of(erasure), stored.stream().map(Change::assertion).toList());
        for (Claim c : List.of(name, email, otherEmail)) {
            assertGone(c);
            assertEquals(Optional.of(erasure), engine.erasedBy(c.id()));
        }
        assertTrue(engine.evidence("person:1", "name").isEmpty());
        assertTrue(engine.evidence("person:1", "email").isEmpty());
        assertEquals(List.of(), engine.predicates("person:1"));
        assertEquals(List.of("person:2"), engine.subjectsWith("email", Value.text("ada@example.org")));
        assertEquals(List.of(), engine.subjectsWith("email", Value.text("ada@work.example")));
        assertEquals(List.of("person:2"), engine.subjects(null, 10));
        List<ErasedClaim> erasedEmails = engine.evidence("person:1", "email").erased();
        Set<AssertionId> erasedIds = new HashSet<>();
        erasedEmails.forEach(e -> erasedIds.add(e.claim()));
        assertEquals(Set.of(email.id(), otherEmail.id()), erasedIds);
        erasedEmails.forEach(e -> assertEquals(erasure, e.erasure()));
        assertEquals(List.of(bob), engine.evidence("person:2", "email").claims(), "other subjects are untouched");
        assertEquals(Optional.of(retraction), engine.get(retraction.id()), "the retraction of an erased claim stays");
        assertEquals(Engine.Kind.ERASURE, engine.kindOf(erasure.id()));
        assertEquals(Optional.of(erasure), engine.get(erasure.id()));
        assertEquals(Set.of(bob.id(), retraction.id(), erasure.id()), new HashSet<>(allIds()));
        assertEquals(new EngineStats(1, 1, 6), engine.stats());
        assertEquals(new ErasureStats(1, 3, 0), engine.erasureStats());
        assertConsistent();
    }

    @Test
    void theContentOfAnErasedIdIsRefusedAndCounted() {
        Claim c = claim("person:1", "email", Value.text("ada@example.org"), "crm");
        engine.commit(List.of(c));
        engine.commit(List.of(erasure(Erasure.Scope.subject("person:1"))));
        IdDigest before = engine.digest();

        assertEquals(List.of(), engine.commit(List.of(c)));
        assertEquals(List.of(), engine.commit(List.of(c)));

        assertGone(c);
        assertEquals(before, engine.digest());
        assertEquals(2, engine.erasureStats().refused());
        assertConsistent();
    }

    @Test
    void aClaimMadeBeforeTheErasureButArrivingLaterIsErasedOnArrival() {
        Claim early = claim("person:1", "phone", Value.text("+44 20 7946 0000"), "crm");
        Erasure erasure = erasure(Erasure.Scope.subject("person:1"));
        engine.commit(List.of(erasure));

        assertEquals(List.of(), engine.commit(List.of(early)));

        assertGone(early);
        assertEquals(Optional.of(erasure), engine.erasedBy(early.id()));
        assertEquals(List.of(early.id()), engine.evidence("person:1", "phone").erased().stream().map(ErasedClaim::claim).toList());
        assertEquals(1, engine.erasureStats().refused());
        assertConsistent();
    }

    @Test
    void aClaimMadeAfterTheErasureIsKept() {
        engine.commit(List.of(claim("person:1", "city", Value.text("Leeds"), "crm")));
        engine.commit(List.of(erasure(Erasure.Scope.subject("person:1"))));
        Claim later = claim("person:1", "city", Value.text("York"), "crm");

        assertEquals(1, engine.commit(List.of(later)).size());

        assertEquals(List.of(later), engine.evidence("person:1", "city").claims());
        assertEquals(List.of("city"), engine.predicates("person:1"));
        assertEquals(Optional.empty(), engine.erasedBy(later.id()));
        assertConsistent();
    }

    @Test
    void anErasureAndTheClaimsItCoversInOneCommitStoreNoneOfThemInAnyOrder() {
        Claim a = claim("person:1", "email", Value.text("a@example.org"), "crm");
        Claim b = claim("person:1", "name", Value.text("A"), "crm");
        Erasure erasure = erasure(Erasure.Scope.subject("person:1"));
        Claim after = claim("person:1", "name", Value.text("B"), "crm");

        List<Change> changes = engine.commit(List.of(a, erasure, b, after));

        assertEquals(Set.of(erasure, after), new HashSet<>(changes.stream().map(Change::assertion).toList()));
        assertGone(a);
        assertGone(b);
        assertEquals(List.of(after), engine.evidence("person:1", "name").claims());
        assertConsistent();
    }

    @Test
    void anIdsErasureErasesTheListedClaimsWheneverTheyArriveAndNothingElse() {
        Claim kept = claim("s", "p", Value.integer(1), "crm");
        Claim listedStored = claim("s", "p", Value.integer(2), "crm");
        Claim listedLater = claim("s", "p", Value.integer(3), "crm");
        engine.commit(List.of(kept, listedStored));
        Erasure erasure = erasure(Erasure.Scope.ids(List.of(listedStored.id(), listedLater.id())));
        engine.commit(List.of(erasure));
        Claim madeAfterButListed = Claim.builder("s", "p", Value.integer(4)).source("crm").hlc(nextHlc()).build();

        engine.commit(List.of(listedLater, madeAfterButListed));

        assertGone(listedStored);
        assertGone(listedLater);
        assertEquals(List.of(kept, madeAfterButListed), engine.evidence("s", "p").claims());
        assertEquals(Optional.of(erasure), engine.erasedBy(listedLater.id()));
        assertConsistent();
    }

    @Test
    void erasingTheNewestClaimKeepsItsTimestampAsTheNewestSeenAndVerifiesClean() {
        Hlc erasedAt = nextHlc();
        Claim older = claim("s", "p", Value.integer(1), "crm");
        Claim newest = claim("s", "q", Value.integer(2), "crm");
        // an ids erasure covers the listed claims whatever their time, so it may be older than they are
        Erasure listsNewest = Erasure.of(Erasure.Scope.ids(List.of(newest.id())), "dpo", erasedAt, "request 18", null);
        engine.commit(List.of(older, newest));

        engine.commit(List.of(listsNewest));

        assertGone(newest);
        assertEquals(Optional.of(newest.hlc()), engine.maxHlc(), "the clock must never step back behind a claim it has seen");
        assertConsistent();
    }

    @Test
    void aFactScopeAndASourceScopeEraseOnlyWithinTheirScope() {
        Claim email = claim("p:1", "email", Value.text("x@example.org"), "crm");
        Claim name = claim("p:1", "name", Value.text("X"), "crm");
        Claim hrName = claim("p:1", "name", Value.text("X."), "hr");
        engine.commit(List.of(email, name, hrName));

        engine.commit(List.of(erasure(Erasure.Scope.fact("p:1", "email"))));
        engine.commit(List.of(erasure(Erasure.Scope.bySourceAbout("crm", "p:1"))));

        assertGone(email);
        assertGone(name);
        assertEquals(List.of(hrName), engine.evidence("p:1", "name").claims());
        assertEquals(List.of("name"), engine.predicates("p:1"));
        assertConsistent();
    }

    @Test
    void aRetractionOfAnErasedClaimArrivingLaterIsStoredAndRetractsNothing() {
        Claim c = claim("p:1", "email", Value.text("x@example.org"), "crm");
        engine.commit(List.of(c));
        engine.commit(List.of(erasure(Erasure.Scope.ids(List.of(c.id())))));
        Retraction late = Retraction.of(c.id(), "crm", nextHlc(), null);

        assertEquals(1, engine.commit(List.of(late)).size());

        assertEquals(Optional.of(late), engine.get(late.id()));
        assertTrue(engine.evidence("p:1", "email").isEmpty());
        assertConsistent();
    }

    @Test
    void erasureSurvivesAReopen() {
        Claim c = claim("p:1", "email", Value.text("x@example.org"), "crm");
        Claim other = claim("p:2", "email", Value.text("y@example.org"), "crm");
        engine.commit(List.of(c, other));
        Erasure erasure = erasure(Erasure.Scope.subject("p:1"));
        engine.commit(List.of(erasure));

        engine = reopen(engine);

        assertGone(c);
        assertEquals(Optional.of(erasure), engine.erasedBy(c.id()));
        assertEquals(List.of(), engine.commit(List.of(c)), "still refused after a reopen");
        Claim early = Claim.builder("p:1", "name", Value.text("X")).source("crm").hlc(Hlc.of(BASE_MS - 1, 0, NODE)).build();
        assertEquals(List.of(), engine.commit(List.of(early)), "the scope still erases arrivals after a reopen");
        assertEquals(List.of(other), engine.evidence("p:2", "email").claims());
        assertConsistent();
    }

    @Test
    void theErasureMethodsFailAfterClose() {
        Claim c = claim("p:1", "email", Value.text("x@example.org"), "crm");
        engine.commit(List.of(c, erasure(Erasure.Scope.ids(List.of(c.id())))));
        engine.close();

        assertThrows(EngineClosedException.class, () -> engine.erasedBy(c.id()));
        assertThrows(EngineClosedException.class, () -> engine.evidence("p:1", "email").erased());
        assertThrows(EngineClosedException.class, () -> engine.erasureStats());
        assertThrows(EngineClosedException.class,
                () -> engine.commit(List.of(erasure(Erasure.Scope.subject("p:1")))));
    }

    @Test
    void manyClaimsOfOneFactAreErasedAcrossItsChunks() {
        List<Assertion> batch = new ArrayList<>();
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Claim c = claim("big", "p", Value.integer(i), i % 2 == 0 ? "even" : "odd");
            claims.add(c);
            batch.add(c);
            if (batch.size() == 3) {
                engine.commit(batch);
                batch = new ArrayList<>();
            }
        }
        engine.commit(batch);

        engine.commit(List.of(erasure(Erasure.Scope.bySourceAbout("odd", "big"))));

        List<Claim> expected = new ArrayList<>();
        for (Claim c : claims) {
            if (c.source().equals("even")) {
                expected.add(c);
            } else {
                assertGone(c);
            }
        }
        assertEquals(expected, engine.evidence("big", "p").claims());
        Claim more = claim("big", "p", Value.integer(1000), "odd");
        engine.commit(List.of(more));
        expected.add(more);
        assertEquals(expected, engine.evidence("big", "p").claims(), "appending after the rewrite keeps what remains");
        assertConsistent();
    }
}
