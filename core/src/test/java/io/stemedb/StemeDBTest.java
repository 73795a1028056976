package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.Assertion.InvalidAssertionException;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The behaviour of every public method of {@link StemeDB}, {@link ReadView} and the builder. */
class StemeDBTest {
    static final long T0 = 1_700_000_000_000L;
    static final long NODE = 0xABL;
    static final long OTHER_NODE = 0xCDL;
    static final Lens LATEST = Lenses.latest();

    final ManualClock clock = new ManualClock(T0);
    StemeDB db;

    @BeforeEach
    void open() {
        db = StemeDB.builder().nodeId(NODE).clock(clock).inMemory();
    }

    @AfterEach
    void close() {
        db.close();
    }

    // ---------------------------------------------------------------- helpers

    static Instant t(long offsetMillis) {
        return Instant.ofEpochMilli(T0 + offsetMillis);
    }

    /** Records a text claim with the wall clock at T0 + {@code offsetMillis}. */
    AssertionId say(String subject, String predicate, String text, String source, long offsetMillis) {
        clock.set(T0 + offsetMillis);
        return db.assertion(subject, predicate, Value.text(text)).source(source).commit();
    }

    AssertionId retractAt(AssertionId target, String source, long offsetMillis) {
        clock.set(T0 + offsetMillis);
        return db.retract(target, source);
    }

    /** A claim made on another replica at T0 + {@code offsetMillis}. */
    static Claim remote(String subject, String predicate, String text, String source, long offsetMillis) {
        return Claim.builder(subject, predicate, Value.text(text)).source(source)
                .hlc(Hlc.of(T0 + offsetMillis, 0, OTHER_NODE)).build();
    }

    Claim claimOf(AssertionId id) {
        return (Claim) db.get(id).orElseThrow();
    }

    static List<AssertionId> idsOf(List<? extends Assertion> assertions) {
        List<AssertionId> ids = new ArrayList<>();
        assertions.forEach(a -> ids.add(a.id()));
        return ids;
    }

    List<Change> allChanges() {
        return db.changesSince(0, Integer.MAX_VALUE);
    }

    static void assertStats(Stats s, long assertions, long claims, long retractions, long lastSequence) {
        assertEquals(assertions, s.assertions(), "assertions in " + s);
        assertEquals(claims, s.claims(), "claims in " + s);
        assertEquals(retractions, s.retractions(), "retractions in " + s);
        assertEquals(lastSequence, s.lastSequence(), "lastSequence in " + s);
    }

    void assertNothingStoredSince(Stats before) {
        assertEquals(before, db.stats());
        assertEquals(List.of(), db.changesSince(before.lastSequence(), 100));
    }

    // ---------------------------------------------------------------- opening, builder, stats

    @Test
    void inMemoryOpensAnEmptyDatabaseWithARandomNodeId() {
        try (StemeDB a = StemeDB.inMemory(); StemeDB b = StemeDB.inMemory()) {
            assertStats(a.stats(), 0, 0, 0, 0);
            assertEquals(a.nodeId(), a.stats().nodeId());
            assertEquals("in-memory", a.stats().engine());
            assertNotEquals(a.nodeId(), b.nodeId(), "two random 64-bit node ids");
            assertEquals(List.of(), a.changesSince(0, 10));
        }
    }

    @Test
    void theBuilderSetsNodeIdAndClock() {
        assertEquals(NODE, db.nodeId());
        assertEquals(NODE, db.stats().nodeId());
        clock.set(T0 + 42);
        AssertionId id = db.assertion("s", "p", Value.integer(1)).source("x").commit();
        assertEquals(Hlc.of(T0 + 42, 0, NODE), claimOf(id).hlc());
    }

    @Test
    void maxValueBytesMustBeBetweenOneAnd16MiB() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> StemeDB.builder().maxValueBytes(0));
        assertTrue(zero.getMessage().contains("maxValueBytes"), zero.getMessage());
        assertTrue(zero.getMessage().contains("got 0"), zero.getMessage());
        assertTrue(zero.getMessage().contains("16,777,216"), zero.getMessage());
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> StemeDB.builder().maxValueBytes(Assertion.MAX_VALUE_BYTES + 1));
        assertTrue(over.getMessage().contains("maxValueBytes"), over.getMessage());
        assertTrue(over.getMessage().contains("16,777,217"), over.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StemeDB.builder().maxValueBytes(-1));
        // both ends are allowed
        StemeDB.builder().maxValueBytes(1).inMemory().close();
        StemeDB.builder().maxValueBytes(Assertion.MAX_VALUE_BYTES).inMemory().close();
        assertThrows(NullPointerException.class, () -> StemeDB.builder().clock(null));
    }

    @Test
    void maxValueBytesIsTheLargestValueAWriteAccepts() {
        try (StemeDB small = StemeDB.builder().maxValueBytes(8).clock(clock).inMemory()) {
            small.assertion("s", "p", Value.text("12345678")).source("x").commit();
            small.assertion("s", "p", Value.integer(Long.MAX_VALUE)).source("x").commit(); // 8 bytes
            Stats before = small.stats();

            InvalidAssertionException e = assertThrows(InvalidAssertionException.class,
                    () -> small.assertion("s", "p", Value.text("123456789")).source("x").commit());

            assertEquals("value", e.field());
            assertTrue(e.getMessage().contains("maxValueBytes"), e.getMessage());
            assertEquals(before, small.stats());
            assertEquals(2, before.claims());
        }
    }

    @Test
    void statsCountClaimsRetractionsAndSequence() {
        AssertionId a = say("s", "p", "a", "x", 0);
        say("s", "q", "b", "x", 1);
        db.retract(a, "x");
        db.merge(List.of(remote("t", "p", "c", "y", 5), remote("t", "p", "c", "y", 5)));

        Stats stats = db.stats();
        assertStats(stats, 4, 3, 1, 4);
        assertEquals(NODE, stats.nodeId());
        assertEquals("in-memory", stats.engine());
        assertEquals(Map.of(), stats.engineProperties(), "the heap engine has no figures of its own");
    }

    @Test
    void verifyFindsNothingWrongWithAHealthyDatabase() {
        AssertionId a = say("s", "p", "a", "x", 0);
        db.retract(a, "x");
        db.merge(List.of(remote("t", "p", "c", "y", 5), Retraction.of(remote("u", "p", "ghost", "y", 6).id(), "y",
                Hlc.of(T0 + 7, 0, OTHER_NODE), null)));

        VerifyReport report = db.verify();

        assertTrue(report.ok(), report.problems().toString());
        assertEquals(4, report.assertionsChecked());
    }

    @Test
    void toStringNamesEngineAndNode() {
        assertEquals("StemeDB[in-memory, node 00000000000000ab]", db.toString());
        db.close();
        assertEquals("StemeDB[in-memory, node 00000000000000ab, closed]", db.toString());
    }

    // ---------------------------------------------------------------- single writes

    @Test
    void aCommittedClaimKeepsEveryFieldAndGetsTheNextTimestamp() {
        clock.set(T0 + 7);
        AssertionId id = db.assertion("acme", "ceo", Value.text("Alice")).source("hr").confidence(0.9)
                .validDuring(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:00:00Z"))
                .metadata("url", "https://hr.example/1").metadata("evidence", "first").metadata("evidence", "contract")
                .commit();

        Claim c = claimOf(id);
        assertEquals(id, c.id());
        assertEquals("acme", c.subject());
        assertEquals("ceo", c.predicate());
        assertEquals(Value.text("Alice"), c.value());
        assertEquals("hr", c.source());
        assertEquals(OptionalDouble.of(0.9), c.confidence());
        assertEquals(Optional.of(Instant.parse("2020-01-01T00:00:00Z")), c.validFrom());
        assertEquals(Optional.of(Instant.parse("2030-01-01T00:00:00Z")), c.validTo());
        assertEquals(Map.of("url", "https://hr.example/1", "evidence", "contract"), c.metadata());
        assertEquals(Hlc.of(T0 + 7, 0, NODE), c.hlc());
        List<Change> changes = allChanges();
        assertEquals(1, changes.size());
        assertEquals(1, changes.get(0).sequence());
        assertEquals(c, changes.get(0).assertion());
        assertEquals(Optional.of(Value.text("Alice")), db.resolve("acme", "ceo", LATEST).value());
    }

    @Test
    void validFromAndValidToMaySeparatelyBeOpen() {
        AssertionId from = db.assertion("s", "p", Value.bool(true)).source("x").validFrom(t(0)).commit();
        AssertionId to = db.assertion("s", "p", Value.bool(false)).source("x").validTo(t(0)).commit();

        assertEquals(Optional.of(t(0)), claimOf(from).validFrom());
        assertEquals(Optional.empty(), claimOf(from).validTo());
        assertEquals(Optional.empty(), claimOf(to).validFrom());
        assertEquals(Optional.of(t(0)), claimOf(to).validTo());
    }

    @Test
    void anInvalidClaimFailsWithTheFieldNamedAndStoresNothing() {
        say("s", "p", "ok", "x", 0);
        Stats before = db.stats();
        Map<String, Executable> cases = new LinkedHashMap<>();
        cases.put("source", () -> db.assertion("s", "p", Value.text("v")).commit());
        cases.put("subject", () -> db.assertion("", "p", Value.text("v")).source("x").commit());
        cases.put("predicate", () -> db.assertion("s", "", Value.text("v")).source("x").commit());
        cases.put("confidence", () -> db.assertion("s", "p", Value.text("v")).source("x").confidence(1.5).commit());
        cases.put("confidence ", () -> db.assertion("s", "p", Value.text("v")).source("x").confidence(-0.1).commit());
        cases.put("confidence  ", () -> db.assertion("s", "p", Value.text("v")).source("x").confidence(Double.NaN).commit());
        cases.put("validTo", () -> db.assertion("s", "p", Value.text("v")).source("x").validDuring(t(5), t(5)).commit());
        cases.put("validTo ", () -> db.assertion("s", "p", Value.text("v")).source("x").validDuring(t(5), t(4)).commit());
        cases.put("value", () -> db.assertion("s", "p", Value.bytes(new byte[StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES + 1]))
                .source("x").commit());
        for (Map.Entry<String, Executable> c : cases.entrySet()) {
            InvalidAssertionException e = assertThrows(InvalidAssertionException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey().trim(), e.field(), e.getMessage());
            assertNothingStoredSince(before);
        }
        assertThrows(NullPointerException.class, () -> db.assertion("s", "p", null));
    }

    @Test
    void theDefaultValueLimitIsOneMebibyte() {
        AssertionId id = db.assertion("s", "p", Value.bytes(new byte[StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES])).source("x").commit();
        assertEquals(StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES, claimOf(id).value().encodedSize());
    }

    // ---------------------------------------------------------------- batches

    @Test
    void writeStoresABatchAndReturnsItsIdsInOrder() {
        AssertionId earlier = say("acme", "ceo", "Alice", "hr", 0);
        clock.set(T0 + 10);

        List<AssertionId> ids = db.write(batch -> {
            batch.assertion("acme", "ceo", Value.text("Bob")).source("crm").confidence(0.5);
            batch.retract(earlier, "hr", Map.of("reason", "left"));
            batch.assertion("acme", "hq", Value.text("Paris")).source("crm").metadata("k", "v");
        });

        assertEquals(3, ids.size());
        List<Change> changes = db.changesSince(1, 10);
        assertEquals(ids, idsOf(changes.stream().map(Change::assertion).toList()));
        assertEquals(List.of(2L, 3L, 4L), changes.stream().map(Change::sequence).toList());
        Claim bob = claimOf(ids.get(0));
        Retraction r = (Retraction) db.get(ids.get(1)).orElseThrow();
        Claim paris = claimOf(ids.get(2));
        assertEquals(OptionalDouble.of(0.5), bob.confidence());
        assertEquals(earlier, r.target());
        assertEquals(Map.of("reason", "left"), r.metadata());
        assertEquals(Map.of("k", "v"), paris.metadata());
        assertTrue(bob.hlc().compareTo(r.hlc()) < 0 && r.hlc().compareTo(paris.hlc()) < 0,
                "a batch is stamped in the order its elements were added");
        assertEquals(Optional.of(Value.text("Bob")), db.resolve("acme", "ceo", LATEST).value());
        assertTrue(db.history("acme", "ceo").isRetracted(earlier));
    }

    @Test
    void aBatchWithAnInvalidThirdElementStoresNothing() {
        say("s", "p", "before", "x", 0);
        Stats before = db.stats();

        InvalidAssertionException e = assertThrows(InvalidAssertionException.class, () -> db.write(batch -> {
            batch.assertion("s", "p", Value.text("one")).source("x");
            batch.assertion("t", "p", Value.text("two")).source("x");
            batch.assertion("u", "p", Value.text("three")); // no source
            batch.assertion("v", "p", Value.text("four")).source("x");
        }));

        assertEquals("source", e.field());
        assertNothingStoredSince(before);
        assertEquals(List.of(), db.history("t", "p").claims());
        assertEquals(List.of(Value.text("before")), db.history("s", "p").claims().stream().map(Claim::value).toList());
    }

    @Test
    void aBatchWithAnUnknownRetractionTargetOrAnOversizedValueStoresNothing() {
        AssertionId known = say("s", "p", "before", "x", 0);
        AssertionId unknown = remote("s", "p", "never stored", "x", 0).id();
        Stats before = db.stats();

        StemeDB.UnknownTargetException e = assertThrows(StemeDB.UnknownTargetException.class, () -> db.write(batch -> {
            batch.assertion("s", "p", Value.text("one")).source("x");
            batch.retract(known, "x");
            batch.retract(unknown, "x");
        }));
        assertEquals(unknown, e.target());
        assertNothingStoredSince(before);
        assertFalse(db.history("s", "p").isRetracted(known));

        assertThrows(InvalidAssertionException.class, () -> db.write(batch -> {
            batch.assertion("s", "p", Value.text("one")).source("x");
            batch.retract(known, "x");
            batch.assertion("s", "p", Value.bytes(new byte[StemeDBBuilder.DEFAULT_MAX_VALUE_BYTES + 1])).source("x");
        }));
        assertNothingStoredSince(before);
    }

    @Test
    void aBatchWhoseBodyThrowsStoresNothingAndTheExceptionPropagates() {
        say("s", "p", "before", "x", 0);
        Stats before = db.stats();
        IllegalStateException boom = new IllegalStateException("boom");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> db.write(batch -> {
            batch.assertion("s", "p", Value.text("one")).source("x");
            batch.assertion("s", "p", Value.text("two")).source("x");
            throw boom;
        }));

        assertSame(boom, thrown);
        assertNothingStoredSince(before);
    }

    @Test
    void anEmptyBatchStoresNothing() {
        assertEquals(List.of(), db.write(batch -> { }));
        assertEquals(0, db.stats().assertions());
        assertThrows(NullPointerException.class, () -> db.write(null));
    }

    // ---------------------------------------------------------------- retraction

    @Test
    void aRetractedClaimStaysInHistoryMarkedRetracted() {
        AssertionId alice = say("acme", "ceo", "Alice", "hr", 0);
        clock.set(T0 + 5);
        AssertionId r = db.retract(alice, "audit", Map.of("reason", "typo"));

        Evidence history = db.history("acme", "ceo");
        assertEquals(List.of(claimOf(alice)), history.claims());
        assertEquals(List.of(), history.live());
        assertTrue(history.isRetracted(alice));
        Retraction retraction = history.retractionsOf(alice).get(0);
        assertEquals(r, retraction.id());
        assertEquals("audit", retraction.source());
        assertEquals(Map.of("reason", "typo"), retraction.metadata());
        assertEquals(Hlc.of(T0 + 5, 0, NODE), retraction.hlc());
        assertEquals(Optional.of(retraction), db.get(r));
        assertTrue(db.get(alice).isPresent(), "nothing is deleted");
        Resolution res = db.resolve("acme", "ceo", LATEST);
        assertTrue(res.isEmpty());
        assertEquals(List.of(claimOf(alice)), res.retracted());
        assertTrue(res.explain().contains("every claim is retracted"), res.explain());
        assertTrue(res.explain().contains("by audit"), res.explain());
    }

    @Test
    void resolveHandsOverToThePreviousClaimWhenTheWinnerIsRetracted() {
        AssertionId alice = say("acme", "ceo", "Alice", "hr", 0);
        AssertionId bob = say("acme", "ceo", "Bob", "crm", 10);
        assertEquals(List.of(claimOf(bob)), db.resolve("acme", "ceo", LATEST).winners());

        retractAt(bob, "crm", 20);

        Resolution r = db.resolve("acme", "ceo", LATEST);
        assertEquals(List.of(claimOf(alice)), r.winners());
        assertEquals(Optional.of(Value.text("Alice")), r.value());
        assertEquals(List.of(), r.overruled());
        assertEquals(List.of(claimOf(bob)), r.retracted());
    }

    @Test
    void retractingAnUnknownIdFailsAndStoresNothing() {
        say("s", "p", "v", "x", 0);
        AssertionId unknown = remote("s", "p", "elsewhere", "x", 1).id();
        Stats before = db.stats();

        StemeDB.UnknownTargetException e = assertThrows(StemeDB.UnknownTargetException.class, () -> db.retract(unknown, "x"));

        assertEquals(unknown, e.target());
        assertTrue(e.getMessage().contains(unknown.toString()), e.getMessage());
        assertNothingStoredSince(before);
        assertThrows(NullPointerException.class, () -> db.retract(null, "x"));
    }

    @Test
    void retractingARetractionIsInvalid() {
        AssertionId claim = say("s", "p", "v", "x", 0);
        AssertionId retraction = retractAt(claim, "x", 1);
        Stats before = db.stats();

        InvalidAssertionException e = assertThrows(InvalidAssertionException.class, () -> db.retract(retraction, "x"));

        assertEquals("target", e.field());
        assertNothingStoredSince(before);
    }

    @Test
    void aRetractionWithoutASourceIsInvalid() {
        AssertionId claim = say("s", "p", "v", "x", 0);
        Stats before = db.stats();

        InvalidAssertionException e = assertThrows(InvalidAssertionException.class, () -> db.retract(claim, ""));

        assertEquals("source", e.field());
        assertNothingStoredSince(before);
    }

    @Test
    void aClaimMayBeRetractedTwice() {
        AssertionId claim = say("s", "p", "v", "x", 0);
        AssertionId r1 = retractAt(claim, "x", 1);
        AssertionId r2 = retractAt(claim, "y", 1);

        assertNotEquals(r1, r2);
        assertEquals(List.of(r1, r2), idsOf(db.history("s", "p").retractionsOf(claim)));
        assertEquals(2, db.stats().retractions());
    }

    // ---------------------------------------------------------------- history

    @Test
    void historyListsClaimsInRecordOrderWhateverTheArrivalOrder() {
        AssertionId second = say("acme", "ceo", "B", "hr", 200);
        Claim first = remote("acme", "ceo", "A", "crm", 100); // older, but arrives later
        Claim tieOtherNode = remote("acme", "ceo", "T", "crm", 200); // same millisecond as 'second', greater node
        db.merge(List.of(tieOtherNode, first));
        AssertionId third = say("acme", "ceo", "C", "hr", 300);
        say("acme", "cfo", "not this", "hr", 50);
        say("other", "ceo", "not this", "hr", 50);

        Evidence h = db.history("acme", "ceo");

        assertEquals(List.of(first.id(), second, tieOtherNode.id(), third), idsOf(h.claims()));
        assertEquals("acme", h.subject());
        assertEquals("ceo", h.predicate());
        assertTrue(db.history("acme", "nothing").isEmpty());
        assertThrows(NullPointerException.class, () -> db.history(null, "ceo"));
        assertThrows(NullPointerException.class, () -> db.history("acme", null));
    }

    // ---------------------------------------------------------------- resolve

    @Test
    void resolveExplainsTheWinnerAndTheOverruled() {
        AssertionId alice = say("acme", "ceo", "Alice", "hr", 0);
        AssertionId bob = say("acme", "ceo", "Bob", "crm", 1000);

        Resolution r = db.resolve("acme", "ceo", LATEST);

        assertEquals("acme", r.subject());
        assertEquals("ceo", r.predicate());
        assertEquals("latest", r.lens());
        assertEquals(List.of(claimOf(bob)), r.winners());
        assertEquals(List.of(claimOf(alice)), r.overruled());
        assertEquals(db.history("acme", "ceo"), r.evidence());
        String explain = r.explain();
        assertTrue(explain.startsWith("latest: crm said \"Bob\" at " + t(1000)), explain);
        assertTrue(explain.contains("(" + bob.shortHex() + ")"), explain);
        assertTrue(explain.contains("; overruled: hr said \"Alice\" at " + t(0) + " (" + alice.shortHex() + ")"), explain);
    }

    @Test
    void resolveAcceptsALambdaLensAndRejectsNull() {
        AssertionId alice = say("acme", "ceo", "Alice", "hr", 0);
        say("acme", "ceo", "Bob", "crm", 1000);
        Lens oldest = (Evidence e) -> Resolution.of(e, "oldest", e.live().isEmpty() ? List.of() : List.of(e.live().get(0)));

        assertEquals(List.of(claimOf(alice)), db.resolve("acme", "ceo", oldest).winners());
        assertThrows(NullPointerException.class, () -> db.resolve("acme", "ceo", null));
        Lens broken = e -> null;
        assertThrows(NullPointerException.class, () -> db.resolve("acme", "ceo", broken));
        assertTrue(db.resolve("nobody", "ceo", LATEST).isEmpty());
        assertTrue(db.resolve("nobody", "ceo", LATEST).explain().contains("no claims"));
    }

    // ---------------------------------------------------------------- entity

    @Test
    void entityResolvesEveryPredicateInCodePointOrderAndOmitsFullyRetractedOnes() {
        String supplementary = "\uD83D\uDE00";
        String halfwidth = "\uFF61";
        say("acme", supplementary, "smile", "x", 0);
        say("acme", halfwidth, "dot", "x", 1);
        say("acme", "ceo", "Alice", "hr", 2);
        say("acme", "ceo", "Bob", "crm", 3);
        AssertionId gone1 = say("acme", "fax", "123", "x", 4);
        AssertionId gone2 = say("acme", "fax", "456", "y", 5);
        say("other", "name", "Other", "x", 6);
        retractAt(gone1, "x", 7);
        retractAt(gone2, "y", 8);

        SortedMap<String, Resolution> entity = db.entity("acme", LATEST);

        assertEquals(List.of("ceo", halfwidth, supplementary), new ArrayList<>(entity.keySet()));
        assertEquals(Optional.of(Value.text("Bob")), entity.get("ceo").value());
        assertEquals(Optional.of(Value.text("dot")), entity.get(halfwidth).value());
        assertEquals(Optional.of(Value.text("smile")), entity.get(supplementary).value());
        assertFalse(entity.containsKey("fax"), "every claim of fax is retracted");
        assertTrue(db.entity("nobody", LATEST).isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> entity.put("x", entity.get("ceo")));
        assertThrows(NullPointerException.class, () -> db.entity("acme", null));
    }

    @Test
    void entityOmitsPredicatesTheLensChoosesNothingFor() {
        say("acme", "ceo", "Alice", "hr", 0);
        say("acme", "hq", "Paris", "crm", 1);
        Lens onlyHr = e -> Resolution.of(e, "hr-only", e.live().stream().filter(c -> c.source().equals("hr")).toList());

        assertEquals(List.of("ceo"), new ArrayList<>(db.entity("acme", onlyHr).keySet()));
    }

    // ---------------------------------------------------------------- conflicts

    @Test
    void conflictsListTheFactsWhoseLiveClaimsDisagree() {
        AssertionId alice = say("acme", "ceo", "Alice", "hr", 0);
        AssertionId bob = say("acme", "ceo", "Bob", "crm", 1);
        AssertionId aliceAgain = say("acme", "ceo", "Alice", "web", 2);
        say("acme", "hq", "Paris", "hr", 3);
        say("acme", "hq", "Paris", "crm", 4); // agreement is no conflict
        say("acme", "cfo", "Carol", "hr", 5);
        AssertionId dan = say("acme", "cfo", "Dan", "crm", 6);
        retractAt(dan, "crm", 7); // a retracted claim no longer disagrees
        say("acme", "\uFF61", "x", "hr", 8);
        say("acme", "\uFF61", "y", "crm", 9);
        say("acme", "\uD83D\uDE00", "1", "hr", 10);
        say("acme", "\uD83D\uDE00", "2", "crm", 11);
        say("other", "ceo", "Eve", "crm", 12);
        say("other", "ceo", "Frank", "hr", 13);

        List<Conflict> conflicts = db.conflicts("acme");

        assertEquals(List.of("ceo", "\uFF61", "\uD83D\uDE00"), conflicts.stream().map(Conflict::predicate).toList());
        Conflict ceo = conflicts.get(0);
        assertEquals("acme", ceo.subject());
        assertEquals(new TreeSet<>(List.of(Value.text("Alice"), Value.text("Bob"))), ceo.values());
        assertEquals(List.of(Value.text("Alice"), Value.text("Bob")), new ArrayList<>(ceo.values()));
        assertEquals(List.of(claimOf(alice), claimOf(bob), claimOf(aliceAgain)), ceo.claims());
        assertEquals(List.of(), db.conflicts("nobody"));
        assertEquals(1, db.conflicts("other").size());
    }

    // ---------------------------------------------------------------- find

    @Test
    void findReturnsASubjectOnlyWhenTheLensResolvesToTheValue() {
        say("live", "ceo", "Alice", "hr", 0);
        say("overruled", "ceo", "Alice", "hr", 1);
        say("overruled", "ceo", "Bob", "crm", 2);
        AssertionId gone = say("retracted", "ceo", "Alice", "hr", 3);
        retractAt(gone, "hr", 4);
        say("twice", "ceo", "Alice", "hr", 5);
        say("twice", "ceo", "Alice", "crm", 6);
        say("otherPredicate", "cfo", "Alice", "hr", 7);
        say("\uD83D\uDE00", "ceo", "Alice", "hr", 8);
        say("\uFF61", "ceo", "Alice", "hr", 9);

        assertEquals(List.of("live", "twice", "\uFF61", "\uD83D\uDE00"), db.find("ceo", Value.text("Alice"), LATEST));
        assertEquals(List.of("overruled"), db.find("ceo", Value.text("Bob"), LATEST));
        assertEquals(List.of("otherPredicate"), db.find("cfo", Value.text("Alice"), LATEST));
        assertEquals(List.of(), db.find("ceo", Value.text("Nobody"), LATEST));
        assertEquals(List.of(), db.find("ceo", Value.ref("Alice"), LATEST), "values are typed");

        Lens oldest = (Evidence e) -> Resolution.of(e, "oldest", e.live().isEmpty() ? List.of() : List.of(e.live().get(0)));
        assertEquals(List.of("live", "overruled", "twice", "\uFF61", "\uD83D\uDE00"), db.find("ceo", Value.text("Alice"), oldest));
        assertThrows(NullPointerException.class, () -> db.find("ceo", null, LATEST));
        assertThrows(NullPointerException.class, () -> db.find("ceo", Value.text("Alice"), null));
    }

    // ---------------------------------------------------------------- bySource

    @Test
    void bySourceListsTheSourcesClaimsAndRetractionsInRecordOrder() {
        AssertionId a = say("s", "p", "a", "hr", 100);
        AssertionId other = say("s", "p", "o", "crm", 150);
        Claim olderRemote = remote("t", "q", "r", "hr", 50);
        db.merge(List.of(olderRemote));
        AssertionId r = retractAt(other, "hr", 200);
        AssertionId b = say("u", "p", "b", "hr", 300);

        assertEquals(List.of(olderRemote.id(), a, r, b), idsOf(db.bySource("hr")));
        assertEquals(List.of(other), idsOf(db.bySource("crm")));
        assertEquals(List.of(), db.bySource("nobody"));
        assertThrows(NullPointerException.class, () -> db.bySource(null));
    }

    // ---------------------------------------------------------------- change feed

    @Test
    void changesSincePagesThroughEveryArrival() {
        List<AssertionId> written = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            written.add(say("s", "p", "v" + i, "x", i));
        }
        Claim merged = remote("s", "p", "m", "y", 1);
        db.merge(List.of(merged));
        written.add(merged.id());

        List<AssertionId> read = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        for (List<Change> page = db.changesSince(cursor, 3); !page.isEmpty(); page = db.changesSince(cursor, 3)) {
            assertTrue(page.size() <= 3);
            for (Change c : page) {
                read.add(c.assertion().id());
                sequences.add(c.sequence());
                cursor = c.sequence();
            }
            pages++;
        }

        assertEquals(3, pages);
        assertEquals(written, read, "arrival order, not record order: the merged older claim comes last");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), sequences);
        assertEquals(List.of(), db.changesSince(8, 1));
        assertEquals(List.of(), db.changesSince(1_000, 1));
        assertEquals(1, db.changesSince(7, 100).size());
    }

    @Test
    void changesSinceRejectsBadArguments() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> db.changesSince(-1, 10));
        assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> db.changesSince(0, 0));
        assertTrue(zero.getMessage().contains("limit"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> db.changesSince(0, -5));
    }

    /** A consumer that passes the greatest possible cursor gets nothing, not an exception. */
    @Test
    void changesSinceLongMaxValueIsEmpty() {
        say("s", "p", "v", "x", 0);

        assertEquals(List.of(), db.changesSince(Long.MAX_VALUE, 10));
    }

    // ---------------------------------------------------------------- asOf

    @Test
    void asOfHidesWhatWasRecordedAfterTheInstant() {
        AssertionId alice = say("acme", "ceo", "Alice", "hr", 0);
        AssertionId bob = say("acme", "ceo", "Bob", "crm", 1000);
        say("acme", "hq", "Paris", "crm", 2000);

        ReadView before = db.asOf(t(500));
        ReadView atBob = db.asOf(t(1000)); // the boundary is inclusive

        assertEquals(List.of(claimOf(alice)), before.history("acme", "ceo").claims());
        assertEquals(Optional.of(Value.text("Alice")), before.resolve("acme", "ceo", LATEST).value());
        assertEquals(Optional.of(Value.text("Bob")), atBob.resolve("acme", "ceo", LATEST).value());
        assertEquals(List.of("ceo"), new ArrayList<>(before.entity("acme", LATEST).keySet()));
        assertEquals(List.of(), before.conflicts("acme"));
        assertEquals(1, atBob.conflicts("acme").size());
        assertEquals(List.of(), before.find("hq", Value.text("Paris"), LATEST));
        assertEquals(List.of("acme"), db.find("hq", Value.text("Paris"), LATEST));
        assertEquals(List.of(), before.bySource("crm"));
        assertEquals(List.of(bob), idsOf(atBob.bySource("crm")));
        assertTrue(db.asOf(t(-1)).history("acme", "ceo").isEmpty());
        assertThrows(NullPointerException.class, () -> db.asOf(null));
    }

    @Test
    void asOfSeesAClaimRetractedLaterAsLive() {
        AssertionId alice = say("acme", "ceo", "Alice", "hr", 0);
        AssertionId bob = say("acme", "ceo", "Bob", "crm", 1000);
        AssertionId retraction = retractAt(bob, "crm", 2000);

        ReadView past = db.asOf(t(1500));

        assertEquals(Optional.of(Value.text("Bob")), past.resolve("acme", "ceo", LATEST).value());
        assertFalse(past.history("acme", "ceo").isRetracted(bob));
        assertEquals(List.of("acme"), past.find("ceo", Value.text("Bob"), LATEST));
        assertEquals(List.of(bob), idsOf(past.bySource("crm")), "the later retraction by crm is hidden too");
        assertEquals(Optional.of(Value.text("Alice")), db.resolve("acme", "ceo", LATEST).value());
        assertEquals(List.of(bob, retraction), idsOf(db.bySource("crm")));
        assertEquals(List.of(), db.find("ceo", Value.text("Bob"), LATEST));
        assertEquals(Optional.of(Value.text("Alice")), db.asOf(t(2000)).resolve("acme", "ceo", LATEST).value());
        assertTrue(db.asOf(t(2000)).history("acme", "ceo").isRetracted(bob));
        assertFalse(db.history("acme", "ceo").isRetracted(alice));
    }

    @Test
    void asOfGetHidesLaterAssertions() {
        AssertionId early = say("s", "p", "early", "x", 0);
        AssertionId late = say("s", "p", "late", "x", 1000);
        AssertionId retraction = retractAt(early, "x", 2000);

        ReadView past = db.asOf(t(999));

        assertTrue(past.get(early).isPresent());
        assertEquals(Optional.empty(), past.get(late));
        assertEquals(Optional.empty(), past.get(retraction));
        assertTrue(db.asOf(t(1000)).get(late).isPresent());
        assertTrue(db.get(retraction).isPresent());
    }

    @Test
    void asOfJudgesByTheAssertionsOwnTimestampsNotByArrival() {
        say("acme", "ceo", "Local", "hr", 1000);
        Claim old = remote("acme", "ceo", "Remote", "crm", 100);
        ReadView view = db.asOf(t(500));
        assertTrue(view.history("acme", "ceo").isEmpty());

        db.merge(List.of(old)); // arrives after the view was made, but was recorded at t(100)

        assertEquals(Optional.of(Value.text("Remote")), view.resolve("acme", "ceo", LATEST).value());
        assertEquals(Optional.of(old), view.get(old.id()));
    }

    // ---------------------------------------------------------------- merge

    @Test
    void mergeStoresNewAssertionsAndCountsDuplicates() {
        Claim a = remote("s", "p", "a", "x", 1);
        Claim b = remote("s", "p", "b", "x", 2);
        Claim c = remote("s", "q", "c", "y", 3);

        assertEquals(new MergeResult(2, 0, List.of()), db.merge(List.of(a, b)));
        assertEquals(new MergeResult(1, 2, List.of()), db.merge(List.of(b, c, a)));
        assertEquals(new MergeResult(0, 3, List.of()), db.merge(List.of(a, b, c)));
        assertEquals(new MergeResult(0, 0, List.of()), db.merge(List.of()));
        MergeResult doubled = db.merge(List.of(remote("t", "p", "d", "x", 4), remote("t", "p", "d", "x", 4)));
        assertEquals(1, doubled.added(), "a duplicate within one merge is stored once");
        assertEquals(1, doubled.duplicates(), "and the repeat counts as a duplicate");
        assertEquals(4, db.stats().assertions());
        assertEquals(List.of(a, b), db.history("s", "p").claims());
    }

    @Test
    void mergeAdvancesTheClockPastATimestampAheadOfTheWallClock() {
        say("acme", "ceo", "Alice", "hr", 0);
        long ahead = T0 + 59 * 60 * 1000; // 59 minutes ahead: within the default drift of one hour
        Claim future = Claim.builder("acme", "ceo", Value.text("FromTheFuture")).source("crm")
                .hlc(Hlc.of(ahead, 7, OTHER_NODE)).build();

        assertEquals(1, db.merge(List.of(future)).added());
        clock.set(T0 + 10); // the local wall clock is far behind
        AssertionId local = db.assertion("acme", "ceo", Value.text("Bob")).source("hr").commit();

        Hlc stamp = claimOf(local).hlc();
        assertTrue(stamp.isAfter(future.hlc()), stamp + " must order after " + future.hlc());
        assertEquals(Hlc.of(ahead, 8, NODE), stamp, "same physical time, next logical tick");
        assertEquals(Optional.of(Value.text("Bob")), db.resolve("acme", "ceo", LATEST).value());
    }

    @Test
    void mergeAdvancesTheClockPastAFarFutureTimestampWhenTheDriftAllowsIt() {
        try (StemeDB tolerant = StemeDB.builder().nodeId(NODE).clock(clock).maxClockDrift(Duration.ofDays(365)).inMemory()) {
            long farFuture = T0 + 300L * 24 * 3600 * 1000;
            Claim future = Claim.builder("acme", "ceo", Value.text("FromTheFuture")).source("crm")
                    .hlc(Hlc.of(farFuture, 7, OTHER_NODE)).build();

            assertEquals(new MergeResult(1, 0, List.of()), tolerant.merge(List.of(future)));
            AssertionId local = tolerant.assertion("acme", "ceo", Value.text("Bob")).source("hr").commit();

            Hlc stamp = tolerant.get(local).orElseThrow().hlc();
            assertTrue(stamp.isAfter(future.hlc()), stamp + " must order after " + future.hlc());
            assertEquals(Optional.of(Value.text("Bob")), tolerant.resolve("acme", "ceo", LATEST).value());
        }
    }

    @Test
    void mergeRefusesATimestampBeyondTheMaximumClockDriftAndKeepsTheClock() {
        Claim ok = remote("acme", "ceo", "Alice", "hr", 1000);
        Claim tooFar = Claim.builder("acme", "ceo", Value.text("FromTheFuture")).source("crm")
                .hlc(Hlc.of(T0 + 3_600_000 + 1, 0, OTHER_NODE)).build(); // one hour and 1 ms ahead

        MergeResult result = db.merge(List.of(ok, tooFar));
        MergeResult encoded = db.mergeEncoded(List.of(EncodedAssertion.of(tooFar)));

        assertEquals(1, result.added());
        assertEquals(List.of(tooFar.id()), result.rejected().stream().map(MergeResult.Rejected::id).toList());
        assertTrue(result.rejected().get(0).reason().contains("hlc"), result.rejected().get(0).reason());
        assertEquals(List.of(tooFar.id()), encoded.rejected().stream().map(MergeResult.Rejected::id).toList());
        assertEquals(Optional.empty(), db.get(tooFar.id()));
        AssertionId local = say("acme", "ceo", "Bob", "hr", 2000);
        assertEquals(Hlc.of(T0 + 2000, 0, NODE), claimOf(local).hlc(), "the refused timestamp did not move the clock");
    }

    @Test
    void maxClockDriftMustBeBetweenOneSecondAnd365Days() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> StemeDB.builder().maxClockDrift(Duration.ofMillis(999)));
        assertTrue(small.getMessage().contains("maxClockDrift"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StemeDB.builder().maxClockDrift(Duration.ofDays(365).plusMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> StemeDB.builder().maxClockDrift(Duration.ofSeconds(-5)));
        assertThrows(NullPointerException.class, () -> StemeDB.builder().maxClockDrift(null));
        StemeDB.builder().maxClockDrift(Duration.ofSeconds(1)).inMemory().close();
        StemeDB.builder().maxClockDrift(Duration.ofDays(365)).inMemory().close();
    }

    @Test
    void mergeAcceptsARetractionOfAClaimNotSeenYet() {
        Claim claim = remote("acme", "ceo", "Alice", "hr", 1);
        Retraction retraction = Retraction.of(claim.id(), "hr", Hlc.of(T0 + 2, 0, OTHER_NODE), null);

        MergeResult first = db.merge(List.of(retraction));
        assertEquals(new MergeResult(1, 0, List.of()), first);
        assertEquals(1, db.stats().retractions());
        assertEquals(Optional.of(retraction), db.get(retraction.id()));

        db.merge(List.of(claim));
        Evidence h = db.history("acme", "ceo");
        assertEquals(List.of(claim), h.claims());
        assertTrue(h.isRetracted(claim.id()), "the retraction that arrived first applies");
        assertTrue(db.resolve("acme", "ceo", LATEST).isEmpty());
        assertEquals(List.of(), db.find("ceo", Value.text("Alice"), LATEST));
    }

    @Test
    void mergeRefusesAValueOverTheLimitAndStoresTheRest() {
        try (StemeDB small = StemeDB.builder().nodeId(NODE).clock(clock).maxValueBytes(16).inMemory()) {
            Claim ok1 = remote("s", "p", "short", "x", 1);
            Claim big = remote("s", "p", "this text is longer than sixteen bytes", "x", 2);
            Claim ok2 = remote("s", "q", "also short", "x", 3);

            MergeResult result = small.merge(List.of(ok1, big, ok2));

            assertEquals(2, result.added());
            assertEquals(0, result.duplicates());
            assertEquals(1, result.rejected().size());
            assertEquals(big.id(), result.rejected().get(0).id());
            assertTrue(result.rejected().get(0).reason().contains("value"), result.rejected().get(0).reason());
            assertTrue(small.get(ok1.id()).isPresent());
            assertTrue(small.get(ok2.id()).isPresent());
            assertEquals(Optional.empty(), small.get(big.id()));
            assertEquals(2, small.stats().assertions());
            assertEquals(List.of(ok1), small.history("s", "p").claims());
        }
    }

    @Test
    void mergeEncodedVerifiesEveryRecord() {
        Claim good1 = remote("s", "p", "good", "x", 1);
        Claim good2 = remote("s", "q", "also good", "x", 2);
        Claim flipped = remote("s", "p", "flipped", "x", 3);
        Claim victim = remote("s", "p", "id borrowed", "x", 4);
        byte[] damaged = flipped.canonicalBytes();
        damaged[damaged.length - 1] ^= 0x01;
        byte[] garbage = {1, 2, 3, 4, 5};
        AssertionId garbageId = AssertionId.hashOf(garbage);
        byte[] empty = {};
        AssertionId emptyId = AssertionId.hashOf(empty);

        MergeResult result = db.mergeEncoded(List.of(
                EncodedAssertion.of(good1),
                new EncodedAssertion(flipped.id(), damaged),
                new EncodedAssertion(victim.id(), good2.canonicalBytes()), // good bytes under a wrong id
                new EncodedAssertion(garbageId, garbage), // hashes right, but is no record
                new EncodedAssertion(emptyId, empty),
                EncodedAssertion.of(good2)));

        assertEquals(2, result.added());
        assertEquals(List.of(flipped.id(), victim.id(), garbageId, emptyId),
                result.rejected().stream().map(MergeResult.Rejected::id).toList());
        assertTrue(result.rejected().get(0).reason().contains(flipped.id().toString()), result.rejected().get(0).reason());
        assertEquals(Optional.of(good1), db.get(good1.id()));
        assertEquals(Optional.of(good2), db.get(good2.id()));
        assertEquals(Optional.empty(), db.get(flipped.id()));
        assertEquals(Optional.empty(), db.get(victim.id()));
        assertEquals(2, db.stats().assertions());
        assertEquals(new MergeResult(0, 2, List.of()), db.mergeEncoded(List.of(EncodedAssertion.of(good1), EncodedAssertion.of(good2))));
    }

    @Test
    void mergeEncodedRefusesAValueOverTheLimit() {
        try (StemeDB small = StemeDB.builder().maxValueBytes(4).inMemory()) {
            Claim big = remote("s", "p", "too long", "x", 1);
            Claim ok = remote("s", "p", "ok", "x", 2);

            MergeResult result = small.mergeEncoded(List.of(EncodedAssertion.of(big), EncodedAssertion.of(ok)));

            assertEquals(1, result.added());
            assertEquals(List.of(big.id()), result.rejected().stream().map(MergeResult.Rejected::id).toList());
            assertEquals(List.of(ok), small.history("s", "p").claims());
        }
    }

    // ---------------------------------------------------------------- HLC order

    /** A wall clock that replays a fixed list of readings, then repeats the last one. */
    static final class ScriptedClock extends Clock {
        private final long[] readings;
        private final AtomicInteger next = new AtomicInteger();

        ScriptedClock(long... readings) {
            this.readings = readings;
        }

        @Override
        public long millis() {
            int i = next.getAndIncrement();
            return readings[Math.min(i, readings.length - 1)];
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void timestampsStrictlyIncreaseInCommitOrderEvenWhenTheWallClockStepsBack() {
        ScriptedClock wall = new ScriptedClock(T0 + 500, T0 + 100, T0 + 100, T0 + 900, T0, T0 - 5000, T0 + 900, T0 + 901,
                T0 + 10, T0 + 10, T0 + 10, T0 + 2000);
        try (StemeDB stepping = StemeDB.builder().nodeId(NODE).clock(wall).inMemory()) {
            List<AssertionId> inCommitOrder = new ArrayList<>();
            AssertionId first = stepping.assertion("s", "p", Value.integer(0)).source("x").commit();
            inCommitOrder.add(first);
            inCommitOrder.add(stepping.assertion("s", "p", Value.integer(1)).source("x").commit());
            inCommitOrder.addAll(stepping.write(b -> {
                b.assertion("s", "p", Value.integer(2)).source("x");
                b.assertion("s", "q", Value.integer(3)).source("x");
                b.retract(first, "x");
            }));
            for (int i = 4; i < 12; i++) {
                inCommitOrder.add(stepping.assertion("t", "p", Value.integer(i)).source("x").commit());
            }

            List<Hlc> stamps = new ArrayList<>();
            for (AssertionId id : inCommitOrder) {
                stamps.add(stepping.get(id).orElseThrow().hlc());
            }
            for (int i = 1; i < stamps.size(); i++) {
                assertTrue(stamps.get(i).isAfter(stamps.get(i - 1)), "stamp " + i + ": " + stamps);
            }
            assertEquals(Hlc.of(T0 + 500, 0, NODE), stamps.get(0));
            assertEquals(Hlc.of(T0 + 500, 1, NODE), stamps.get(1), "the clock stepped back: the logical counter moves on");
            assertEquals(T0 + 2000, stamps.get(stamps.size() - 1).physicalMillis());
            List<Hlc> feed = stepping.changesSince(0, 100).stream().map(c -> c.assertion().hlc()).toList();
            assertEquals(stamps, feed, "the change feed is in commit order, which is timestamp order");
        }
    }

    // ---------------------------------------------------------------- close

    @Test
    void closeIsIdempotent() {
        db.close();
        db.close();
        assertThrows(StemeDB.ClosedException.class, () -> db.stats());
    }

    @Test
    void everyMethodFailsWithClosedExceptionAfterClose() {
        AssertionId id = say("s", "p", "v", "x", 0);
        Claim remoteClaim = remote("s", "p", "r", "y", 1);
        ReadView viewBeforeClose = db.asOf(t(10));
        PendingClaim pending = db.assertion("s", "p", Value.text("pending")).source("x");
        db.close();

        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("assertion", () -> db.assertion("s", "p", Value.text("w")));
        calls.put("PendingClaim.commit", pending::commit);
        calls.put("write", () -> db.write(b -> b.assertion("s", "p", Value.text("w")).source("x")));
        calls.put("write of an empty batch", () -> db.write(b -> { }));
        calls.put("retract", () -> db.retract(id, "x"));
        calls.put("retract with metadata", () -> db.retract(id, "x", Map.of("k", "v")));
        calls.put("merge", () -> db.merge(List.of(remoteClaim)));
        calls.put("merge of nothing", () -> db.merge(List.of()));
        calls.put("mergeEncoded", () -> db.mergeEncoded(List.of(EncodedAssertion.of(remoteClaim))));
        calls.put("changesSince", () -> db.changesSince(0, 10));
        calls.put("asOf", () -> db.asOf(t(0)));
        calls.put("stats", () -> db.stats());
        calls.put("verify", () -> db.verify());
        calls.put("get", () -> db.get(id));
        calls.put("history", () -> db.history("s", "p"));
        calls.put("resolve", () -> db.resolve("s", "p", LATEST));
        calls.put("entity", () -> db.entity("s", LATEST));
        calls.put("conflicts", () -> db.conflicts("s"));
        calls.put("find", () -> db.find("p", Value.text("v"), LATEST));
        calls.put("bySource", () -> db.bySource("x"));
        calls.put("asOf view get", () -> viewBeforeClose.get(id));
        calls.put("asOf view history", () -> viewBeforeClose.history("s", "p"));
        calls.put("asOf view resolve", () -> viewBeforeClose.resolve("s", "p", LATEST));
        calls.put("asOf view entity", () -> viewBeforeClose.entity("s", LATEST));
        calls.put("asOf view conflicts", () -> viewBeforeClose.conflicts("s"));
        calls.put("asOf view find", () -> viewBeforeClose.find("p", Value.text("v"), LATEST));
        calls.put("asOf view bySource", () -> viewBeforeClose.bySource("x"));
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            StemeDB.ClosedException e = assertThrows(StemeDB.ClosedException.class, call.getValue(), call.getKey());
            assertTrue(e instanceof StemeException);
        }
    }

    /** close(): "further calls fail with ClosedException" — nodeId() included. */
    @Test
    void nodeIdAfterCloseThrowsClosedException() {
        db.close();

        assertThrows(StemeDB.ClosedException.class, () -> db.nodeId());
    }
}
