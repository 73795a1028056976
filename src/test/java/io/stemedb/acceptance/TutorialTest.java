package io.stemedb.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.Conflict;
import io.stemedb.MergeResult;
import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.crdt.Evidence;
import io.stemedb.junit.ManualClock;
import io.stemedb.junit.StemeDBExtension;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tour of StemeDB, to be read from top to bottom. Every step is a test that runs on its own and
 * asserts what it shows, so this tutorial cannot drift from what the library does.
 *
 * <p>StemeDB stores <em>claims</em>: "source S says that subject X's predicate P is V". Claims are
 * never overwritten or deleted. When sources disagree, you decide what is true at read time by
 * choosing a <em>lens</em>.
 *
 * <p>From step 2 on, each step gets its database from {@link StemeDBExtension} (module
 * {@code stemedb-junit}): a fresh in-memory {@code StemeDB} per test, closed after it, whose clock
 * is a {@link ManualClock} the step moves by hand, so that the timestamps in explanations are
 * predictable. {@code @StemeDBTest} on the class does the same with a clock that starts at the
 * current time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TutorialTest {
    /** Every step's clock starts here. */
    @RegisterExtension
    static final StemeDBExtension STEMEDB = StemeDBExtension.withClockAt("2026-01-05T08:00:00Z");

    /**
     * Step 1. Open a database. {@code StemeDB.inMemory()} keeps everything on the Java heap: no
     * files, no native code, ideal for tests. A StemeDB is {@link AutoCloseable}; use
     * try-with-resources. (The next steps let the extension open and close it for them.)
     */
    @Test
    @Order(1)
    void openAnInMemoryDatabase() {
        try (StemeDB db = StemeDB.inMemory()) {
            assertEquals(0, db.stats().assertions(), "a new database is empty");
            assertEquals("in-memory", db.stats().engine());
        }
    }

    /**
     * Step 2. Record claims. Start a claim with {@code assertion(subject, predicate, value)}, say
     * who claims it with {@code source(...)} (required), optionally add a confidence or metadata,
     * then {@code commit()}. The id you get back is the BLAKE3 hash of the claim's content.
     */
    @Test
    @Order(2)
    void recordClaimsFromTwoSources(StemeDB db) {
        AssertionId fromHr = db.assertion("acme", "ceo", Value.text("Alice"))
                .source("hr").confidence(0.9).metadata("evidence", "board minutes").commit();
        AssertionId fromCrm = db.assertion("acme", "ceo", Value.text("Bob"))
                .source("crm").commit();

        assertEquals(64, fromHr.toString().length(), "an id prints as 64 hex digits");
        assertNotEquals(fromHr, fromCrm);

        // Read a claim back by its id: every field is there.
        Claim claim = (Claim) db.get(fromHr).orElseThrow();
        assertEquals("hr", claim.source());
        assertEquals(Value.text("Alice"), claim.value());
        assertEquals(0.9, claim.confidence().getAsDouble());
        assertEquals("board minutes", claim.metadata().get("evidence"));
        // The database stamped it with its hybrid logical clock, carrying this replica's node id.
        assertEquals(db.nodeId(), claim.hlc().node());

        // A claim without a source is refused, and nothing is stored.
        assertThrows(Assertion.InvalidAssertionException.class,
                () -> db.assertion("acme", "ceo", Value.text("Carol")).commit());
        assertEquals(2, db.stats().claims());
    }

    /**
     * Step 3. See the conflict. Both claims are kept; {@code conflicts(subject)} lists the
     * predicates whose live claims disagree.
     */
    @Test
    @Order(3)
    void seeTheConflict(StemeDB db) {
        db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        db.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();
        db.assertion("acme", "hq", Value.text("Paris")).source("hr").commit();
        db.assertion("acme", "hq", Value.text("Paris")).source("crm").commit(); // agreement: no conflict

        List<Conflict> conflicts = db.conflicts("acme");

        assertEquals(1, conflicts.size());
        Conflict ceo = conflicts.get(0);
        assertEquals("ceo", ceo.predicate());
        assertEquals(List.of(Value.text("Alice"), Value.text("Bob")), new ArrayList<>(ceo.values()));
        assertEquals(2, ceo.claims().size(), "the claims behind the disagreement");
    }

    /**
     * Step 4. Resolve with a lens. {@code Lenses.latest()} lets the most recently recorded live
     * claim win. A {@link Resolution} gives the answer and its evidence: the winners, the claims
     * they overruled, and {@code explain()}, a sentence you can show to a user.
     */
    @Test
    @Order(4)
    void resolveWithLatestAndReadTheExplanation(StemeDB db, ManualClock clock) {
        AssertionId alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        clock.set("2026-01-05T09:00:00Z");
        AssertionId bob = db.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();

        Resolution r = db.resolve("acme", "ceo", Lenses.latest());

        assertEquals(Optional.of(Value.text("Bob")), r.value());
        assertEquals(bob, r.winners().get(0).id());
        assertEquals(alice, r.overruled().get(0).id());
        assertEquals("latest: crm said \"Bob\" at 2026-01-05T09:00:00Z (" + bob.shortHex() + ")"
                + "; overruled: hr said \"Alice\" at 2026-01-05T08:00:00Z (" + alice.shortHex() + ")", r.explain());

        // A lens is a plain function from the evidence to a resolution: a lambda will do.
        Lens trustHr = evidence -> Resolution.of(evidence, "trust-hr",
                evidence.live().stream().filter(c -> c.source().equals("hr")).toList());
        assertEquals(Optional.of(Value.text("Alice")), db.resolve("acme", "ceo", trustHr).value());
    }

    /**
     * Step 5. Retract. Nothing is ever deleted: a retraction is a new assertion that names the claim
     * it withdraws. No lens will choose a retracted claim, so the previous claim takes over.
     */
    @Test
    @Order(5)
    void retractAClaim(StemeDB db, ManualClock clock) {
        db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        clock.set("2026-01-05T09:00:00Z");
        AssertionId bob = db.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();
        clock.set("2026-01-05T10:00:00Z");

        AssertionId retraction = db.retract(bob, "crm", java.util.Map.of("reason", "typo"));

        Resolution r = db.resolve("acme", "ceo", Lenses.latest());
        assertEquals(Optional.of(Value.text("Alice")), r.value(), "Alice is the newest live claim again");
        assertTrue(r.explain().contains("; retracted: crm said \"Bob\""), r.explain());
        assertTrue(db.get(bob).isPresent(), "the retracted claim is still stored");
        assertEquals(bob, ((Retraction) db.get(retraction).orElseThrow()).target());

        // Only stored claims can be retracted locally.
        AssertionId unknown = AssertionId.parse("00".repeat(32));
        assertThrows(StemeDB.UnknownTargetException.class, () -> db.retract(unknown, "crm"));
    }

    /**
     * Step 6. Look at the history. {@code history(subject, predicate)} is the full evidence about
     * a fact: every claim, oldest first, retracted or not, with the retractions.
     */
    @Test
    @Order(6)
    void lookAtTheHistory(StemeDB db) {
        AssertionId alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        AssertionId bob = db.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();
        db.retract(bob, "crm");

        Evidence history = db.history("acme", "ceo");

        assertEquals(List.of(alice, bob), history.claims().stream().map(Claim::id).toList(), "oldest first");
        assertEquals(List.of(alice), history.live().stream().map(Claim::id).toList());
        assertTrue(history.isRetracted(bob));
        assertEquals("crm", history.retractionsOf(bob).get(0).source());
    }

    /**
     * Step 7. Write a batch. {@code write(batch -> ...)} stores everything the lambda adds in one
     * atomic step: all of it, or, if anything is invalid or the lambda throws, none of it.
     */
    @Test
    @Order(7)
    void writeABatchAtomically(StemeDB db) {
        AssertionId old = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();

        List<AssertionId> ids = db.write(batch -> {
            batch.assertion("acme", "ceo", Value.text("Bob")).source("hr");
            batch.assertion("acme", "employees", Value.integer(120)).source("hr");
            batch.retract(old, "hr");
        });
        assertEquals(3, ids.size(), "one id per element, in order");
        assertEquals(Optional.of(Value.integer(120)), db.resolve("acme", "employees", Lenses.latest()).value());

        long before = db.stats().assertions();
        assertThrows(Assertion.InvalidAssertionException.class, () -> db.write(batch -> {
            batch.assertion("acme", "cfo", Value.text("Carol")).source("hr");
            batch.assertion("acme", "cto", Value.text("Dan")).source("hr").confidence(2.0); // not a probability
        }));
        assertEquals(before, db.stats().assertions(), "the valid first element was not stored either");
        assertTrue(db.history("acme", "cfo").isEmpty());
    }

    /**
     * Step 8. Valid time. A claim may say when it holds in the world ({@code validDuring}),
     * independently of when it was recorded. To ask "who was CEO on a given day", filter the
     * evidence to the claims valid then, and resolve what is left.
     */
    @Test
    @Order(8)
    void askAboutValidTimeByFilteringTheEvidence(StemeDB db) {
        db.assertion("acme", "ceo", Value.text("Alice")).source("hr")
                .validDuring(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2024-01-01T00:00:00Z")).commit();
        db.assertion("acme", "ceo", Value.text("Bob")).source("hr")
                .validFrom(Instant.parse("2024-01-01T00:00:00Z")).commit();

        Instant day = Instant.parse("2022-06-15T00:00:00Z");
        Evidence thatDay = db.history("acme", "ceo").filter(c -> c.isValidAt(day));

        assertEquals(Optional.of(Value.text("Alice")), Lenses.latest().resolve(thatDay).value());
        assertEquals(Optional.of(Value.text("Bob")), db.resolve("acme", "ceo", Lenses.latest()).value(),
                "without the filter, the latest recorded claim wins");
    }

    /**
     * Step 9. Travel back in record time. {@code asOf(instant)} is a read-only view of the database
     * as it was then, judged by each assertion's own timestamp: later claims are invisible and
     * claims retracted later are live again.
     */
    @Test
    @Order(9)
    void readTheDatabaseAsItWas(StemeDB db, ManualClock clock) {
        AssertionId alice = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        clock.set("2026-02-01T08:00:00Z");
        db.assertion("acme", "ceo", Value.text("Bob")).source("hr").commit();
        clock.set("2026-03-01T08:00:00Z");
        db.retract(alice, "hr");

        ReadView january = db.asOf(Instant.parse("2026-01-15T00:00:00Z"));

        assertEquals(Optional.of(Value.text("Alice")), january.resolve("acme", "ceo", Lenses.latest()).value());
        assertEquals(1, january.history("acme", "ceo").claims().size(), "Bob was not recorded yet");
        assertFalse(db.asOf(Instant.parse("2026-02-15T00:00:00Z")).history("acme", "ceo").isRetracted(alice),
                "in February Alice's claim was not retracted yet");
        assertTrue(db.history("acme", "ceo").isRetracted(alice));
    }

    /**
     * Step 10. Follow the change feed. Every stored assertion gets the next local sequence number;
     * {@code changesSince(n, limit)} pages through everything that arrived after {@code n}.
     * Remember the last number you read and continue from it.
     */
    @Test
    @Order(10)
    void followTheChangeFeed(StemeDB db) {
        for (int i = 1; i <= 5; i++) {
            db.assertion("sensor", "reading", Value.integer(i)).source("probe").commit();
        }

        long cursor = 0;
        List<Long> seen = new ArrayList<>();
        List<Change> page;
        while (!(page = db.changesSince(cursor, 2)).isEmpty()) {
            for (Change change : page) {
                seen.add(((Claim) change.assertion()).value().asLong());
                cursor = change.sequence();
            }
        }

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen);
        assertEquals(5, cursor);
        db.assertion("sensor", "reading", Value.integer(6)).source("probe").commit();
        assertEquals(1, db.changesSince(cursor, 2).size(), "only what is new since the cursor");
    }

    /**
     * Step 11. Merge two replicas. Each replica has its own node id. Replicas exchange assertions
     * (here from the change feed) and {@code merge} them: a set union, so order and repetition do
     * not matter, and both then give the same answers. Bytes from the network go through
     * {@code mergeEncoded}, which re-hashes each record and refuses damaged ones.
     */
    @Test
    @Order(11)
    void mergeTwoReplicas(StemeDB paris, StemeDB tokyo) {
        paris.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        tokyo.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();
        tokyo.assertion("acme", "hq", Value.text("Tokyo")).source("crm").commit();

        List<Assertion> fromParis = paris.changesSince(0, 100).stream().map(Change::assertion).toList();
        List<Assertion> fromTokyo = tokyo.changesSince(0, 100).stream().map(Change::assertion).toList();
        MergeResult intoTokyo = tokyo.merge(fromParis);
        MergeResult intoParis = paris.mergeEncoded(fromTokyo.stream().map(EncodedAssertion::of).toList());

        assertEquals(1, intoTokyo.added());
        assertEquals(2, intoParis.added());
        assertEquals(0, tokyo.merge(fromParis).added(), "merging again changes nothing");
        assertEquals(paris.resolve("acme", "ceo", Lenses.latest()).winners(),
                tokyo.resolve("acme", "ceo", Lenses.latest()).winners(), "both replicas agree");
        assertEquals(paris.history("acme", "ceo"), tokyo.history("acme", "ceo"));

        // A damaged record is refused, and reported with the id it claimed.
        Assertion claim = fromTokyo.get(0);
        byte[] damaged = claim.canonicalBytes();
        damaged[damaged.length - 1] ^= 1;
        MergeResult bad = paris.mergeEncoded(List.of(new EncodedAssertion(claim.id(), damaged)));
        assertEquals(claim.id(), bad.rejected().get(0).id());
    }
}
