package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The guarantees of {@link Engine}, as a suite every engine runs: a subclass supplies
 * {@link #newEngine()} and inherits every test. The suite uses nothing but the {@link Engine}
 * interface, so it holds for the in-memory engine, the RocksDB engine and any later one.
 *
 * <p>Each test gets a fresh engine, closed after the test (closing twice is allowed, so tests may
 * close it themselves).
 */
abstract class EngineContractTest {
    static final long BASE_MS = 1_700_000_000_000L;
    static final long NODE = 0x11L;
    static final long OTHER_NODE = 0x22L;

    /** A new, empty engine. Called once per test. */
    protected abstract Engine newEngine();

    Engine engine;
    private int tick;

    @BeforeEach
    void openEngine() {
        engine = newEngine();
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    // ---------------------------------------------------------------- fixtures

    /** The next HLC on {@link #NODE}, one millisecond after the previous one. */
    Hlc nextHlc() {
        return Hlc.of(BASE_MS + tick++, 0, NODE);
    }

    Claim claim(String subject, String predicate, Value value, String source) {
        return claim(subject, predicate, value, source, nextHlc());
    }

    static Claim claim(String subject, String predicate, Value value, String source, Hlc hlc) {
        return Claim.builder(subject, predicate, value).source(source).hlc(hlc).build();
    }

    Claim claim(String subject, String predicate, String text) {
        return claim(subject, predicate, Value.text(text), "src");
    }

    Retraction retraction(Assertion target, String source) {
        return Retraction.of(target.id(), source, nextHlc(), null);
    }

    static List<AssertionId> ids(List<? extends Assertion> assertions) {
        List<AssertionId> ids = new ArrayList<>();
        assertions.forEach(a -> ids.add(a.id()));
        return ids;
    }

    static List<Long> sequences(List<Change> changes) {
        List<Long> seqs = new ArrayList<>();
        changes.forEach(c -> seqs.add(c.sequence()));
        return seqs;
    }

    static List<AssertionId> changeIds(List<Change> changes) {
        List<AssertionId> ids = new ArrayList<>();
        changes.forEach(c -> ids.add(c.assertion().id()));
        return ids;
    }

    // ---------------------------------------------------------------- commit

    @Test
    void anEmptyEngineHoldsNothing() {
        assertEquals(0, engine.lastSequence());
        assertEquals(new EngineStats(0, 0, 0), engine.stats());
        assertEquals(Optional.empty(), engine.maxHlc());
        assertEquals(List.of(), engine.changesSince(0, 10));
        assertEquals(List.of(), engine.predicates("s"));
        assertTrue(engine.evidence("s", "p").isEmpty());
    }

    @Test
    void commitReturnsEveryNewAssertionInTheOrderGivenWithSequenceNumbersFromOne() {
        Claim a = claim("s", "p", "a");
        Claim b = claim("s", "p", "b");
        Claim c = claim("t", "q", "c");

        List<Change> changes = engine.commit(List.of(a, b, c));

        assertEquals(List.of(1L, 2L, 3L), sequences(changes));
        assertEquals(List.of(a.id(), b.id(), c.id()), changeIds(changes));
        assertEquals(a, changes.get(0).assertion());
        assertEquals(3, engine.lastSequence());
    }

    @Test
    void sequenceNumbersContinueAcrossCommits() {
        engine.commit(List.of(claim("s", "p", "a"), claim("s", "p", "b")));
        Claim c = claim("s", "p", "c");
        Claim d = claim("s", "p", "d");

        List<Change> changes = engine.commit(List.of(c, d));

        assertEquals(List.of(3L, 4L), sequences(changes));
        assertEquals(List.of(c.id(), d.id()), changeIds(changes));
    }

    @Test
    void commitOfAnEmptyListStoresNothing() {
        engine.commit(List.of(claim("s", "p", "a")));

        assertEquals(List.of(), engine.commit(List.of()));
        assertEquals(1, engine.lastSequence());
        assertEquals(1, engine.stats().assertions());
    }

    @Test
    void duplicatesWithinOneCommitCountOnce() {
        Claim a = claim("s", "p", "a");
        Claim b = claim("s", "p", "b");
        // a content-equal copy, built separately: same id, different object
        Claim aCopy = a.toBuilder().build();

        List<Change> changes = engine.commit(List.of(a, b, a, aCopy, b));

        assertEquals(List.of(1L, 2L), sequences(changes));
        assertEquals(List.of(a.id(), b.id()), changeIds(changes));
        assertEquals(new EngineStats(2, 0, 2), engine.stats());
    }

    @Test
    void anAssertionAlreadyStoredIsSkippedAndKeepsItsSequenceNumber() {
        Claim a = claim("s", "p", "a");
        Claim b = claim("s", "p", "b");
        Claim c = claim("s", "p", "c");
        engine.commit(List.of(a, b));

        List<Change> again = engine.commit(List.of(b, c, a));

        assertEquals(List.of(3L), sequences(again));
        assertEquals(List.of(c.id()), changeIds(again));
        assertEquals(List.of(), engine.commit(List.of(a, b, c)), "committing only stored assertions adds nothing");
        List<Change> log = engine.changesSince(0, 100);
        assertEquals(List.of(1L, 2L, 3L), sequences(log));
        assertEquals(List.of(a.id(), b.id(), c.id()), changeIds(log));
        assertEquals(new EngineStats(3, 0, 3), engine.stats());
    }

    @Test
    void commitStoresClaimsAndRetractionsAlike() {
        Claim a = claim("s", "p", "a");
        Retraction r = retraction(a, "src");

        List<Change> changes = engine.commit(List.of(a, r));

        assertEquals(List.of(a.id(), r.id()), changeIds(changes));
        assertEquals(new EngineStats(1, 1, 2), engine.stats());
    }

    @Test
    void aRetractionMayBeStoredBeforeTheClaimItTargets() {
        Claim a = claim("s", "p", "a");
        Retraction r = retraction(a, "src");

        engine.commit(List.of(r));
        engine.commit(List.of(a));

        Evidence e = engine.evidence("s", "p");
        assertEquals(List.of(a), e.claims());
        assertTrue(e.isRetracted(a.id()));
        assertEquals(List.of(r), e.retractionsOf(a.id()));
    }

    /**
     * Atomicity on failure: a commit that fails part-way must leave nothing behind. A null element
     * is the one failure every engine can be given through the interface alone.
     */
    @Test
    void commitThatFailsOnANullElementStoresNothing() {
        Claim stored = claim("s", "p", "before");
        engine.commit(List.of(stored));
        Claim a = claim("s", "p", "a");

        assertThrows(RuntimeException.class, () -> engine.commit(Arrays.asList(a, null)));

        assertFalse(engine.contains(a.id()), "a failed commit must not store its first element");
        assertEquals(1, engine.lastSequence());
        assertEquals(new EngineStats(1, 0, 1), engine.stats());
        assertEquals(List.of(stored), engine.evidence("s", "p").claims());
        assertEquals(List.of(stored.id()), changeIds(engine.changesSince(0, 10)));
    }

    // ---------------------------------------------------------------- get / contains

    @Test
    void getAndContainsFindExactlyWhatIsStored() {
        Claim a = claim("s", "p", "a");
        Retraction r = retraction(a, "src");
        Claim notStored = claim("s", "p", "never");
        engine.commit(List.of(a, r));

        assertEquals(Optional.of(a), engine.get(a.id()));
        assertEquals(Optional.of(r), engine.get(r.id()));
        assertTrue(engine.get(a.id()).get() instanceof Claim);
        assertTrue(engine.get(r.id()).get() instanceof Retraction);
        assertTrue(engine.contains(a.id()));
        assertTrue(engine.contains(r.id()));
        assertEquals(Optional.empty(), engine.get(notStored.id()));
        assertFalse(engine.contains(notStored.id()));
        assertEquals(Engine.Kind.CLAIM, engine.kindOf(a.id()));
        assertEquals(Engine.Kind.RETRACTION, engine.kindOf(r.id()));
        assertEquals(Engine.Kind.ABSENT, engine.kindOf(notStored.id()));
    }

    @Test
    void aStoredAssertionKeepsEveryFieldAndItsBytes() {
        Claim rich = Claim.builder("acme", "ceo", Value.text("Ålice \uD83D\uDE00"))
                .source("hr").hlc(nextHlc()).confidence(0.25)
                .validFrom(java.time.Instant.parse("2020-01-01T00:00:00Z"))
                .validTo(java.time.Instant.parse("2021-01-01T00:00:00Z"))
                .metadata("url", "https://example.com").metadata("a", "b")
                .build();
        engine.commit(List.of(rich));

        Claim back = (Claim) engine.get(rich.id()).orElseThrow();
        assertEquals(rich, back);
        assertEquals(rich.id(), back.id());
        assertTrue(Arrays.equals(rich.canonicalBytes(), back.canonicalBytes()));
        assertEquals(rich.value(), back.value());
        assertEquals(rich.confidence(), back.confidence());
        assertEquals(rich.validFrom(), back.validFrom());
        assertEquals(rich.validTo(), back.validTo());
        assertEquals(rich.metadata(), back.metadata());
        assertEquals(rich.hlc(), back.hlc());
    }

    @Test
    void storedAssertionsNeverChangeAsMoreArrive() {
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a));
        Change first = engine.changesSince(0, 1).get(0);

        for (int i = 0; i < 20; i++) {
            Claim c = claim("s", "p", "x" + i);
            engine.commit(List.of(c, retraction(c, "src")));
        }
        engine.commit(List.of(retraction(a, "src")));

        assertEquals(Optional.of(a), engine.get(a.id()));
        assertEquals(first, engine.changesSince(0, 1).get(0));
        assertEquals(a, engine.evidence("s", "p").claims().get(0));
    }

    // ---------------------------------------------------------------- evidence

    @Test
    void evidenceHoldsTheClaimsOfExactlyThatFactInRecordOrder() {
        Claim late = claim("s", "p", Value.text("late"), "x", Hlc.of(BASE_MS + 50, 0, NODE));
        Claim early = claim("s", "p", Value.text("early"), "y", Hlc.of(BASE_MS + 10, 0, NODE));
        Claim sameTimeOtherNode = claim("s", "p", Value.text("tie"), "y", Hlc.of(BASE_MS + 10, 0, OTHER_NODE));
        Claim otherPredicate = claim("s", "q", Value.text("no"), "x", Hlc.of(BASE_MS + 20, 0, NODE));
        Claim otherSubject = claim("t", "p", Value.text("no"), "x", Hlc.of(BASE_MS + 30, 0, NODE));
        Claim prefixSubject = claim("s2", "p", Value.text("no"), "x", Hlc.of(BASE_MS + 31, 0, NODE));
        // stored in an order unrelated to record order
        engine.commit(List.of(late, otherPredicate, sameTimeOtherNode));
        engine.commit(List.of(otherSubject, early, prefixSubject));

        Evidence e = engine.evidence("s", "p");

        assertEquals("s", e.subject());
        assertEquals("p", e.predicate());
        assertEquals(List.of(early, sameTimeOtherNode, late), e.claims());
        assertEquals(List.of(early, sameTimeOtherNode, late), e.live());
        assertEquals(List.of(), e.retractions());
        assertEquals(List.of(otherPredicate), engine.evidence("s", "q").claims());
        assertEquals(List.of(otherSubject), engine.evidence("t", "p").claims());
        assertTrue(engine.evidence("nobody", "p").isEmpty());
        assertTrue(engine.evidence("s", "nothing").isEmpty());
    }

    @Test
    void evidenceHoldsTheRetractionsOfItsClaimsAndNoOthers() {
        Claim a = claim("s", "p", "a");
        Claim b = claim("s", "p", "b");
        Claim elsewhere = claim("s", "q", "c");
        Retraction ofA = retraction(a, "x");
        Retraction ofAAgain = retraction(a, "y");
        Retraction ofElsewhere = retraction(elsewhere, "x");
        Retraction ofRetraction = retraction(ofA, "z");
        Retraction ofUnknown = Retraction.of(claim("s", "p", "ghost").id(), "x", nextHlc(), null);
        engine.commit(List.of(a, b, elsewhere, ofA, ofElsewhere, ofRetraction, ofUnknown, ofAAgain));

        Evidence e = engine.evidence("s", "p");

        assertEquals(List.of(a, b), e.claims());
        assertEquals(List.of(b), e.live());
        assertTrue(e.isRetracted(a.id()));
        assertFalse(e.isRetracted(b.id()));
        assertEquals(List.of(ofA, ofAAgain), e.retractionsOf(a.id()));
        assertEquals(List.of(ofA, ofAAgain), e.retractions(),
                "only retractions of this fact's claims: not of other claims, retractions or unknown ids");
        assertEquals(Evidence.of("s", "p", List.of(a, b, elsewhere, ofA, ofElsewhere, ofRetraction, ofUnknown, ofAAgain)), e);
    }

    /** Reads a fact often enough that an engine that caches evidence has cached it. */
    private Evidence readOften(String subject, String predicate) {
        Evidence e = engine.evidence(subject, predicate);
        for (int i = 0; i < 3; i++) {
            assertEquals(e, engine.evidence(subject, predicate), "the same fact read again without a commit between");
        }
        return e;
    }

    @Test
    void evidenceReadManyTimesStillShowsEveryLaterCommit() {
        assertTrue(readOften("s", "p").isEmpty());
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a));
        assertEquals(List.of(a), readOften("s", "p").claims(), "a claim of a fact read before, when it had none");

        Claim b = claim("s", "p", "b");
        Claim elsewhere = claim("s", "q", "c");
        engine.commit(List.of(b, elsewhere));
        assertEquals(List.of(a, b), readOften("s", "p").claims());
        assertEquals(List.of(elsewhere), readOften("s", "q").claims());

        Retraction ofA = retraction(a, "x");
        engine.commit(List.of(ofA));
        Evidence afterRetraction = readOften("s", "p");
        assertEquals(List.of(b), afterRetraction.live(), "a retraction changes its target's fact, though it names no fact");
        assertEquals(List.of(ofA), afterRetraction.retractions());
        assertEquals(List.of(elsewhere), readOften("s", "q").live());

        Claim late = claim("s", "p", "late");
        Retraction ofLate = retraction(late, "x");
        engine.commit(List.of(ofLate));
        assertEquals(List.of(b), readOften("s", "p").live(), "an orphan retraction changes no fact until its target arrives");
        engine.commit(List.of(late));
        Evidence afterTarget = readOften("s", "p");
        assertEquals(List.of(a, b, late), afterTarget.claims());
        assertEquals(List.of(b), afterTarget.live(), "the target arrives already retracted");
    }

    /**
     * Readers filling any cache of evidence while a writer commits: once a commit returns, every
     * read of the facts it changed shows it, whatever reads ran meanwhile.
     */
    @Test
    void aCommitIsVisibleToEveryReadAfterItReturnsWhileOthersRead() throws Exception {
        int commits = 1_000;
        List<String> facts = List.of("p0", "p1", "p2");
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (!done.get()) {
                        for (String p : facts) {
                            engine.evidence("s", p);
                            reads++;
                        }
                    }
                    return reads;
                }));
            }
            Map<String, List<Claim>> committed = new HashMap<>();
            for (int i = 0; i < commits; i++) {
                String p = facts.get(i % facts.size());
                Claim c = claim("s", p, "v" + i);
                engine.commit(List.of(c));
                committed.computeIfAbsent(p, k -> new ArrayList<>()).add(c);
                assertEquals(committed.get(p), engine.evidence("s", p).claims(), "after commit " + i);
            }
            done.set(true);
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- predicates

    @Test
    void predicatesAreTheSubjectsPredicatesInCodePointOrder() {
        String supplementary = "\uD83D\uDE00"; // U+1F600: a surrogate pair, 0xD83D < 0xFF61 in UTF-16
        String halfwidth = "\uFF61"; // U+FF61
        engine.commit(List.of(
                claim("s", supplementary, "1"),
                claim("s", "b", "2"),
                claim("s", halfwidth, "3"),
                claim("s", "a", "4"),
                claim("s", "b", "5"),
                claim("s", "B", "6"),
                claim("other", "zzz", "7")));

        assertEquals(List.of("B", "a", "b", halfwidth, supplementary), engine.predicates("s"));
        assertTrue(supplementary.compareTo(halfwidth) < 0, "in UTF-16 order the supplementary character comes first");
        assertEquals(List.of("zzz"), engine.predicates("other"));
        assertEquals(List.of(), engine.predicates("nobody"));
    }

    @Test
    void aPredicateWhoseClaimsAreAllRetractedIsStillListed() {
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a, retraction(a, "src")));

        assertEquals(List.of("p"), engine.predicates("s"));
    }

    // ---------------------------------------------------------------- subjectsWith

    @Test
    void subjectsWithFindsEverySubjectWithAClaimOfThatValueInCodePointOrder() {
        String supplementary = "\uD83D\uDE00";
        String halfwidth = "\uFF61";
        Claim retracted = claim("r", "ceo", "Alice");
        engine.commit(List.of(
                claim(supplementary, "ceo", "Alice"),
                claim("b", "ceo", "Alice"),
                claim(halfwidth, "ceo", "Alice"),
                claim("a", "ceo", "Alice"),
                claim("a", "ceo", "Alice"), // same subject again: listed once
                claim("b", "ceo", "Bob"),
                claim("c", "ceo", "Bob"),
                claim("d", "cfo", "Alice"),
                retracted,
                retraction(retracted, "src")));

        assertEquals(List.of("a", "b", "r", halfwidth, supplementary), engine.subjectsWith("ceo", Value.text("Alice")),
                "retracted claims count too: subjectsWith lists candidates");
        assertEquals(List.of("b", "c"), engine.subjectsWith("ceo", Value.text("Bob")));
        assertEquals(List.of("d"), engine.subjectsWith("cfo", Value.text("Alice")));
        assertEquals(List.of(), engine.subjectsWith("ceo", Value.text("Carol")));
        assertEquals(List.of(), engine.subjectsWith("nothing", Value.text("Alice")));
    }

    @Test
    void subjectsWithMatchesTheTypedValueNotItsText() {
        engine.commit(List.of(
                claim("text", "n", Value.text("1"), "src"),
                claim("int", "n", Value.integer(1), "src"),
                claim("real", "n", Value.real(1.0), "src"),
                claim("ref", "n", Value.ref("1"), "src"),
                claim("bytes", "n", Value.bytes(new byte[] {1}), "src"),
                claim("zero", "n", Value.real(-0.0), "src")));

        assertEquals(List.of("text"), engine.subjectsWith("n", Value.text("1")));
        assertEquals(List.of("int"), engine.subjectsWith("n", Value.integer(1)));
        assertEquals(List.of("real"), engine.subjectsWith("n", Value.real(1.0)));
        assertEquals(List.of("ref"), engine.subjectsWith("n", Value.ref("1")));
        assertEquals(List.of("bytes"), engine.subjectsWith("n", Value.bytes(new byte[] {1})));
        assertEquals(List.of("zero"), engine.subjectsWith("n", Value.real(0.0)));
        assertEquals(List.of(), engine.subjectsWith("n", Value.integer(2)));
    }

    // ---------------------------------------------------------------- bySource

    @Test
    void bySourceListsTheSourcesClaimsAndRetractionsInRecordOrder() {
        Claim third = claim("s", "p", Value.text("3"), "hr", Hlc.of(BASE_MS + 30, 0, NODE));
        Claim first = claim("s", "q", Value.text("1"), "hr", Hlc.of(BASE_MS + 10, 0, NODE));
        Claim firstOtherNode = claim("t", "q", Value.text("1b"), "hr", Hlc.of(BASE_MS + 10, 0, OTHER_NODE));
        Claim second = claim("u", "p", Value.text("2"), "hr", Hlc.of(BASE_MS + 10, 1, NODE));
        Retraction fourth = Retraction.of(third.id(), "hr", Hlc.of(BASE_MS + 40, 0, NODE), null);
        Claim notHr = claim("s", "p", Value.text("x"), "crm", Hlc.of(BASE_MS + 20, 0, NODE));
        Retraction notHrRetraction = Retraction.of(first.id(), "crm", Hlc.of(BASE_MS + 25, 0, NODE), null);
        engine.commit(List.of(fourth, third, notHr));
        engine.commit(List.of(second, notHrRetraction, firstOtherNode, first));

        List<Assertion> hr = engine.bySource("hr");

        assertEquals(List.of(first, firstOtherNode, second, third, fourth), hr);
        List<Assertion> sorted = new ArrayList<>(hr);
        sorted.sort(Assertion.RECORD_ORDER);
        assertEquals(sorted, hr);
        assertEquals(List.of(notHr, notHrRetraction), engine.bySource("crm"));
        assertEquals(List.of(), engine.bySource("nobody"));
    }

    // ---------------------------------------------------------------- change feed

    @Test
    void changesSincePagesThroughTheArrivalLog() {
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            claims.add(claim("s", "p", "v" + i));
        }
        engine.commit(claims.subList(0, 3));
        engine.commit(claims.subList(3, 5));

        List<Change> page1 = engine.changesSince(0, 2);
        List<Change> page2 = engine.changesSince(2, 2);
        List<Change> page3 = engine.changesSince(4, 2);

        assertEquals(List.of(1L, 2L), sequences(page1));
        assertEquals(List.of(3L, 4L), sequences(page2));
        assertEquals(List.of(5L), sequences(page3));
        assertEquals(ids(claims.subList(0, 2)), changeIds(page1));
        assertEquals(ids(claims.subList(2, 4)), changeIds(page2));
        assertEquals(ids(claims.subList(4, 5)), changeIds(page3));
        assertEquals(ids(claims), changeIds(engine.changesSince(0, 100)), "a limit beyond the end returns the rest");
        assertEquals(List.of(2L, 3L, 4L), sequences(engine.changesSince(1, 3)));
        assertEquals(claims.get(3), engine.changesSince(3, 1).get(0).assertion());
    }

    @Test
    void changesSinceAtAndBeyondTheEndIsEmpty() {
        engine.commit(List.of(claim("s", "p", "a"), claim("s", "p", "b")));

        assertEquals(List.of(), engine.changesSince(2, 10), "after the last sequence number");
        assertEquals(List.of(), engine.changesSince(3, 10));
        assertEquals(List.of(), engine.changesSince(1_000_000, 10));
        assertEquals(List.of(), engine.changesSince(Integer.MAX_VALUE, 10));
        assertEquals(List.of(), engine.changesSince((long) Integer.MAX_VALUE + 5, 10));
    }

    /** The far end of the sequence space: {@code afterSequence + 1} overflows if computed naively. */
    @Test
    void changesSinceLongMaxValueIsEmpty() {
        engine.commit(List.of(claim("s", "p", "a"), claim("s", "p", "b")));

        assertEquals(List.of(), engine.changesSince(Long.MAX_VALUE, 10));
    }

    @Test
    void changesSinceSeesALaterCommitFromWhereTheReaderStopped() {
        engine.commit(List.of(claim("s", "p", "a")));
        long cursor = engine.changesSince(0, 10).get(0).sequence();
        Claim b = claim("s", "p", "b");
        engine.commit(List.of(b));

        List<Change> next = engine.changesSince(cursor, 10);

        assertEquals(List.of(2L), sequences(next));
        assertEquals(b, next.get(0).assertion());
    }

    // ---------------------------------------------------------------- lastSequence / stats / maxHlc

    @Test
    void lastSequenceIsTheNumberOfTheNewestStoredAssertion() {
        assertEquals(0, engine.lastSequence());
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a, claim("s", "p", "b")));
        assertEquals(2, engine.lastSequence());
        engine.commit(List.of(a));
        assertEquals(2, engine.lastSequence(), "a duplicate gets no number");
        engine.commit(List.of(retraction(a, "src")));
        assertEquals(3, engine.lastSequence());
        assertEquals(engine.lastSequence(), engine.stats().lastSequence());
    }

    @Test
    void statsCountClaimsAndRetractionsOnce() {
        Claim a = claim("s", "p", "a");
        Claim b = claim("t", "q", "b");
        Retraction r1 = retraction(a, "x");
        Retraction r2 = retraction(a, "y");
        Retraction r3 = retraction(r1, "z");
        engine.commit(List.of(a, b, r1));
        engine.commit(List.of(a, r1, r2, r3, b));

        EngineStats stats = engine.stats();

        assertEquals(2, stats.claims());
        assertEquals(3, stats.retractions());
        assertEquals(5, stats.assertions());
        assertEquals(5, stats.lastSequence());
    }

    @Test
    void maxHlcIsTheGreatestStoredTimestampWhateverTheArrivalOrder() {
        Hlc high = Hlc.of(BASE_MS + 100, 3, NODE);
        Hlc highOtherNode = Hlc.of(BASE_MS + 100, 3, OTHER_NODE); // same time, greater node
        Claim newest = claim("s", "p", Value.text("n"), "x", highOtherNode);
        Claim older = claim("s", "p", Value.text("o"), "x", Hlc.of(BASE_MS + 100, 2, NODE));
        Retraction retraction = Retraction.of(older.id(), "x", high, null);

        engine.commit(List.of(older));
        assertEquals(Optional.of(older.hlc()), engine.maxHlc());
        engine.commit(List.of(retraction));
        assertEquals(Optional.of(high), engine.maxHlc(), "retractions count too");
        engine.commit(List.of(newest));
        assertEquals(Optional.of(highOtherNode), engine.maxHlc(), "ties on time are broken by node");
        engine.commit(List.of(claim("s", "p", Value.text("past"), "x", Hlc.of(BASE_MS, 0, NODE))));
        assertEquals(Optional.of(highOtherNode), engine.maxHlc(), "an older arrival does not lower it");
    }

    // ---------------------------------------------------------------- close

    @Test
    void closeIsIdempotent() {
        engine.close();
        engine.close();
        assertThrows(EngineClosedException.class, () -> engine.lastSequence());
    }

    @Test
    void everyMethodFailsAfterClose() {
        Claim a = claim("s", "p", "a");
        engine.commit(List.of(a));
        engine.close();

        Map<String, Executable> calls = new HashMap<>();
        calls.put("commit", () -> engine.commit(List.of(claim("s", "p", "b"))));
        calls.put("commit of nothing new", () -> engine.commit(List.of(a)));
        calls.put("get", () -> engine.get(a.id()));
        calls.put("contains", () -> engine.contains(a.id()));
        calls.put("kindOf", () -> engine.kindOf(a.id()));
        calls.put("evidence", () -> engine.evidence("s", "p"));
        calls.put("predicates", () -> engine.predicates("s"));
        calls.put("subjectsWith", () -> engine.subjectsWith("p", Value.text("a")));
        calls.put("bySource", () -> engine.bySource("src"));
        calls.put("changesSince", () -> engine.changesSince(0, 10));
        calls.put("lastSequence", () -> engine.lastSequence());
        calls.put("stats", () -> engine.stats());
        calls.put("maxHlc", () -> engine.maxHlc());
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            assertThrows(EngineClosedException.class, call.getValue(), call.getKey() + " after close");
        }
        engine.close(); // still idempotent
    }

    @Test
    void nodeIdIsStable() {
        long node = engine.nodeId();
        engine.commit(List.of(claim("s", "p", "a")));
        assertEquals(node, engine.nodeId());
    }

    /** The engine's own figures: some map (empty for engines that have none), never null. */
    @Test
    void propertiesAreAMapOfNamedFigures() {
        engine.commit(List.of(claim("s", "p", "a")));
        Map<String, String> properties = engine.properties();
        assertTrue(properties != null);
        properties.forEach((k, v) -> assertTrue(k != null && !k.isEmpty() && v != null, k + "=" + v));
    }

    @Test
    void verifyFindsNothingWrongWithAHealthyEngine() {
        Claim a = claim("s", "p", "a");
        Claim b = claim("t", "q", "b");
        engine.commit(List.of(a, b, retraction(a, "x")));
        engine.commit(List.of(retraction(claim("s", "p", "ghost"), "y")));

        VerifyReport report = engine.verify();

        assertTrue(report.ok(), report.problems().toString());
        assertEquals(0, report.problemCount());
        assertEquals(List.of(), report.problems());
        assertEquals(4, report.assertionsChecked());
    }

    /**
     * Engine.close(): "afterwards every method fails". Kept apart from
     * {@link #everyMethodFailsAfterClose} because these two are the newest methods of the contract.
     */
    @Test
    void nodeIdPropertiesAndVerifyFailAfterClose() {
        engine.close();

        assertThrows(EngineClosedException.class, () -> engine.verify(), "verify after close");
        assertThrows(EngineClosedException.class, () -> engine.properties(), "properties after close");
        assertThrows(EngineClosedException.class, () -> engine.nodeId(), "nodeId after close");
    }

    // ---------------------------------------------------------------- concurrency

    /**
     * A reader polling while a writer commits batches of 100 never sees part of a batch: every
     * count it reads is a multiple of 100, and counts never go down.
     */
    @Test
    void readersNeverSeePartOfACommit() throws Exception {
        int batches = 60;
        int batchSize = 100;
        List<List<Assertion>> prepared = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<Assertion> batch = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) {
                // half claims, half retractions of this batch's claims: both counts must move together
                if (i % 2 == 0) {
                    batch.add(claim("s" + (i % 7), "p" + b, "v" + i));
                } else {
                    batch.add(retraction(batch.get(i - 1), "src"));
                }
            }
            prepared.add(batch);
        }
        AtomicBoolean writerDone = new AtomicBoolean();
        CountDownLatch readerStarted = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> reader = pool.submit(() -> {
                int observations = 0;
                long lastSeen = 0;
                readerStarted.countDown();
                boolean finalRound = false;
                while (!finalRound) {
                    finalRound = writerDone.get();
                    EngineStats s = engine.stats();
                    long seq = engine.lastSequence();
                    if (s.assertions() % batchSize != 0 || s.lastSequence() % batchSize != 0 || seq % batchSize != 0) {
                        fail("saw part of a commit: " + s + ", lastSequence " + seq);
                    }
                    if (s.claims() != s.retractions()) {
                        fail("saw part of a commit: claims and retractions differ in " + s);
                    }
                    if (s.assertions() < lastSeen) {
                        fail("counts went down from " + lastSeen + " to " + s);
                    }
                    lastSeen = s.assertions();
                    observations++;
                }
                return observations;
            });
            Future<?> writer = pool.submit((Callable<Void>) () -> {
                readerStarted.await();
                for (List<Assertion> batch : prepared) {
                    engine.commit(batch);
                }
                writerDone.set(true);
                return null;
            });
            writer.get(60, TimeUnit.SECONDS);
            int observations = reader.get(60, TimeUnit.SECONDS);
            assertTrue(observations >= 1);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new EngineStats(batches * batchSize / 2, batches * batchSize / 2, batches * batchSize), engine.stats());
    }

    /**
     * Readers of facts while a writer commits: each commit adds a claim to facts a and b and
     * retracts their previous claims. A fact read alone always shows its claim and retraction of
     * one commit together (one live claim, one retraction fewer than claims), and an id stored by
     * the commit a read showed is there to get.
     */
    @Test
    void readersOfFactsNeverSeePartOfACommit() throws Exception {
        int commits = 1_500;
        List<List<Assertion>> prepared = new ArrayList<>();
        List<Claim> bClaims = new ArrayList<>();
        Claim lastA = null;
        Claim lastB = null;
        for (int i = 0; i < commits; i++) {
            Claim a = claim("s", "a", "v" + i);
            Claim b = claim("s", "b", "v" + i);
            List<Assertion> batch = new ArrayList<>(List.of(a, b));
            if (lastA != null) {
                batch.add(retraction(lastA, "src"));
                batch.add(retraction(lastB, "src"));
            }
            prepared.add(batch);
            bClaims.add(b);
            lastA = a;
            lastB = b;
        }
        Runnable reader = () -> {
            for (String p : List.of("a", "b")) {
                Evidence e = engine.evidence("s", p);
                int n = e.claims().size();
                if (n > 0 && (e.live().size() != 1 || e.retractions().size() != n - 1)) {
                    fail("saw part of a commit in fact " + p + ": " + n + " claims, " + e.live().size() + " live, "
                            + e.retractions().size() + " retractions");
                }
                if (p.equals("a") && n > 0 && !engine.contains(bClaims.get(n - 1).id())) {
                    fail("fact a showed commit " + n + " but that commit's claim of b is not there");
                }
            }
        };
        readWhileCommitting(prepared, List.of(reader, reader));
        assertEquals(List.of(lastA), engine.evidence("s", "a").live());
        assertEquals(List.of(lastB), engine.evidence("s", "b").live());
    }

    /**
     * Commits {@code batches} one after the other while each of {@code readers} runs in a loop on
     * a thread of its own, until a last round after the last commit; fails with the first reader's
     * failure.
     */
    void readWhileCommitting(List<List<Assertion>> batches, List<Runnable> readers) throws Exception {
        AtomicBoolean writerDone = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(readers.size());
        try {
            List<Future<Integer>> rounds = new ArrayList<>();
            for (Runnable reader : readers) {
                rounds.add(pool.submit(() -> {
                    int round = 0;
                    boolean finalRound = false;
                    while (!finalRound) {
                        finalRound = writerDone.get();
                        reader.run();
                        round++;
                    }
                    return round;
                }));
            }
            for (List<Assertion> batch : batches) {
                engine.commit(batch);
            }
            writerDone.set(true);
            for (Future<Integer> r : rounds) {
                assertTrue(r.get(60, TimeUnit.SECONDS) >= 1);
            }
        } finally {
            writerDone.set(true);
            pool.shutdownNow();
        }
    }

    /**
     * Writers racing to store overlapping assertions: each assertion is reported new by exactly one
     * commit, and the arrival log numbers every assertion once, without gaps.
     */
    @Test
    void concurrentCommitsOfOverlappingAssertionsStoreEachOnce() throws Exception {
        int threads = 4;
        List<Claim> shared = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            shared.add(claim("s" + (i % 10), "p", "v" + i));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Change>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                List<Claim> mine = new ArrayList<>(shared);
                Collections.shuffle(mine, new java.util.Random(t));
                results.add(pool.submit(() -> {
                    start.await();
                    List<Change> added = new ArrayList<>();
                    for (int i = 0; i < mine.size(); i += 10) {
                        added.addAll(engine.commit(mine.subList(i, Math.min(mine.size(), i + 10))));
                    }
                    return added;
                }));
            }
            start.countDown();
            Set<AssertionId> reportedNew = new HashSet<>();
            Set<Long> sequencesReported = new HashSet<>();
            for (Future<List<Change>> f : results) {
                for (Change c : f.get(60, TimeUnit.SECONDS)) {
                    assertTrue(reportedNew.add(c.assertion().id()), "reported new twice: " + c);
                    assertTrue(sequencesReported.add(c.sequence()), "sequence given twice: " + c.sequence());
                }
            }
            assertEquals(new HashSet<>(ids(shared)), reportedNew);
        } finally {
            pool.shutdownNow();
        }
        List<Change> log = engine.changesSince(0, 1000);
        assertEquals(400, log.size());
        for (int i = 0; i < log.size(); i++) {
            assertEquals(i + 1, log.get(i).sequence());
        }
        assertEquals(new HashSet<>(ids(shared)), new HashSet<>(changeIds(log)));
        assertEquals(new EngineStats(400, 0, 400), engine.stats());
    }
}
