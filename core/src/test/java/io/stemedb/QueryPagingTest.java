package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.lens.Lenses;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The listings that run over the whole database, on both engines: {@link ReadView#subjects} in
 * storage order and its paging, {@link ReadView#conflicts(String, int)} pages, the subjects of an
 * as-of view, and {@link ReadView#find} resolving its candidates through the lens.
 */
class QueryPagingTest {
    static final long T0 = 1_700_000_000_000L;
    static final long NODE = 0x5EL;

    /**
     * Storage order, written out: shorter UTF-8 encodings first, then by unsigned bytes. The last
     * pair differs from Java's String order: U+FF5A is 0xEF.. in UTF-8 but above the surrogates
     * of U+1F600 in UTF-16.
     */
    static final List<String> STORAGE_ORDER = List.of(
            "Z", "z",                     // 1 byte
            "aa", "ab", "é",              // 2 bytes (é = c3 a9)
            "abc", "日",                  // 3 bytes (日 = e6 97 a5)
            "zzzz", "😀",                 // 4 bytes (😀 = f0 9f 98 80)
            "ｚab", "😀a");               // 5 bytes (ｚ = ef bd 9a)

    /** The same order, computed. */
    static final Comparator<String> STORAGE = Comparator
            .comparingInt((String s) -> s.getBytes(StandardCharsets.UTF_8).length)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

    @TempDir
    Path dir;
    private final List<StemeDB> opened = new ArrayList<>();

    private StemeDB db(String engine) {
        StemeDB db = engine.equals("memory")
                ? StemeDB.builder().nodeId(NODE).inMemory()
                : StemeDB.builder().nodeId(NODE).open(dir.resolve("db" + opened.size()));
        opened.add(db);
        return db;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(StemeDB::close);
    }

    private static Claim claim(String subject, String predicate, Value value, String source, long millis) {
        return Claim.builder(subject, predicate, value).source(source).hlc(Hlc.of(T0 + millis, 0, 1)).build();
    }

    private static Claim claim(String subject, String predicate, String value, String source, long millis) {
        return claim(subject, predicate, Value.text(value), source, millis);
    }

    /** Every subject, a page of {@code limit} at a time. */
    private static List<String> allSubjects(ReadView view, int limit) {
        List<String> all = new ArrayList<>();
        String after = null;
        for (int pages = 0; ; pages++) {
            List<String> page = view.subjects(after, limit);
            assertTrue(page.size() <= limit, "a page holds at most limit subjects");
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.get(page.size() - 1);
            assertTrue(pages < 10_000, "paging does not end");
        }
    }

    // =================================================================== subjects

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void subjectsComeInStorageOrderShorterUtf8First(String engine) {
        List<String> sorted = new ArrayList<>(STORAGE_ORDER);
        sorted.sort(STORAGE);
        assertEquals(STORAGE_ORDER, sorted, "the written-out order is the storage order");

        StemeDB db = db(engine);
        List<Assertion> claims = new ArrayList<>();
        for (String s : STORAGE_ORDER) {
            claims.add(claim(s, "name", s, "hr", 1));
        }
        Collections.shuffle(claims, new Random(7));
        db.merge(claims);
        assertEquals(STORAGE_ORDER, db.subjects(null, 100));
        assertEquals(STORAGE_ORDER.subList(0, 3), db.subjects(null, 3));
        assertEquals(List.of("é", "abc", "日"), db.subjects("ab", 3), "after a name: strictly after it");
        assertEquals(List.of("abc", "日", "zzzz"), db.subjects("aaa", 3), "after a name that is not stored: from its place");
        assertEquals(List.of("ｚab", "😀a"), db.subjects("😀", 100), "4-byte emoji before the 5-byte names");
        assertEquals(List.of(), db.subjects("😀a", 100), "after the last");
        for (int limit = 1; limit <= STORAGE_ORDER.size() + 1; limit++) {
            assertEquals(STORAGE_ORDER, allSubjects(db, limit), "pages of " + limit);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void pagingVisitsEverySubjectOnceAcrossManySubjects(String engine) {
        StemeDB db = db(engine);
        List<String> expected = new ArrayList<>();
        List<Assertion> claims = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String s = (i % 3 == 0 ? "ü" : i % 3 == 1 ? "u" : "東") + i;
            expected.add(s);
            claims.add(claim(s, "size", Value.integer(i), "crm", i));
            claims.add(claim(s, "name", "n" + i, "hr", i)); // two predicates: a subject is listed once
        }
        expected.sort(STORAGE);
        Collections.shuffle(claims, new Random(3));
        db.merge(claims);
        for (int limit : new int[] {1, 7, 64, 65, 299, 300, 1000}) {
            assertEquals(expected, allSubjects(db, limit), "pages of " + limit);
        }
        assertThrows(IllegalArgumentException.class, () -> db.subjects(null, 0));
        assertThrows(IllegalArgumentException.class, () -> db.subjects(null, -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void anAsOfViewListsOnlySubjectsWithClaimsRecordedByThen(String engine) {
        StemeDB db = db(engine);
        List<String> early = new ArrayList<>();
        List<String> all = new ArrayList<>();
        List<Assertion> claims = new ArrayList<>();
        // 200 subjects, more than one engine batch of the as-of filter; every third is recorded late
        for (int i = 0; i < 200; i++) {
            String s = "s" + i + (i % 2 == 0 ? "é" : "");
            all.add(s);
            boolean late = i % 3 == 0;
            Claim c = claim(s, "name", "v", "hr", late ? 1_000 : 10);
            claims.add(c);
            if (!late) {
                early.add(s);
            }
            if (i % 10 == 1) {
                // an early claim retracted later: its subject is still visible then, and now
                claims.add(Retraction.of(c.id(), "hr", Hlc.of(T0 + 2_000, 0, 1), null));
            }
        }
        early.sort(STORAGE);
        all.sort(STORAGE);
        db.merge(claims);
        ReadView then = db.asOf(Instant.ofEpochMilli(T0 + 500));
        for (int limit : new int[] {1, 5, 63, 64, 65, 200}) {
            assertEquals(early, allSubjects(then, limit), "as of then, pages of " + limit);
        }
        assertEquals(all, allSubjects(db, 50), "now every subject");
        assertEquals(all, allSubjects(db.asOf(Instant.ofEpochMilli(T0 + 1_000)), 50), "as of the late instant itself");
        assertEquals(List.of(), db.asOf(Instant.ofEpochMilli(T0 + 9)).subjects(null, 10), "before anything");
        assertThrows(IllegalArgumentException.class, () -> then.subjects(null, 0));
    }

    // =================================================================== conflicts

    /** Subjects with 0 to 3 conflicting predicates, and one with a conflict only as of later. */
    private static List<Assertion> conflictingClaims() {
        List<Assertion> claims = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String s = (i % 2 == 0 ? "c" : "ç") + i;
            int conflicts = i % 4;
            for (int p = 0; p < 3; p++) {
                String predicate = "p" + p;
                claims.add(claim(s, predicate, "same", "hr", i));
                claims.add(claim(s, predicate, p < conflicts ? "other" : "same", "crm", i + 1));
            }
        }
        // a conflict whose second side is retracted: not a conflict any more
        Claim a = claim("retracted", "p0", "x", "hr", 1);
        Claim b = claim("retracted", "p0", "y", "crm", 2);
        claims.add(a);
        claims.add(b);
        claims.add(Retraction.of(b.id(), "crm", Hlc.of(T0 + 3, 0, 1), null));
        return claims;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void conflictPagesCoverEveryConflictOnceWithWholeSubjectsPerPage(String engine) {
        StemeDB db = db(engine);
        List<Assertion> claims = conflictingClaims();
        Collections.shuffle(claims, new Random(11));
        db.merge(claims);

        List<Conflict> expected = new ArrayList<>();
        for (String s : allSubjects(db, 1000)) {
            expected.addAll(db.conflicts(s));
        }
        assertEquals(36, expected.size(), "24 subjects with 0+1+2+3 conflicts, 6 times over; the retracted one is none");
        assertTrue(expected.stream().noneMatch(c -> c.subject().equals("retracted")));

        for (int limit = 1; limit <= 40; limit++) {
            List<Conflict> seen = new ArrayList<>();
            Set<String> subjectsSeen = new HashSet<>();
            String cursor = null;
            int pages = 0;
            while (true) {
                Page<Conflict> page = db.conflicts(cursor, limit);
                pages++;
                assertTrue(pages <= expected.size() + 2, "paging ends");
                Set<String> onThisPage = new HashSet<>();
                page.items().forEach(c -> onThisPage.add(c.subject()));
                for (String s : onThisPage) {
                    assertTrue(subjectsSeen.add(s), "subject " + s + " is split over two pages (limit " + limit + ")");
                    assertEquals(db.conflicts(s), page.items().stream().filter(c -> c.subject().equals(s)).toList(),
                            "a page holds a subject's conflicts whole");
                }
                seen.addAll(page.items());
                if (page.isLast()) {
                    assertNull(page.next());
                    break;
                }
                assertNotNull(page.next());
                assertTrue(page.items().size() >= limit, "a page before the last holds at least limit conflicts");
                cursor = page.next();
            }
            assertEquals(expected, seen, "every conflict exactly once, in storage order (limit " + limit + ")");
        }
        Page<Conflict> everything = db.conflicts(null, 1000);
        assertEquals(expected, everything.items());
        assertNull(everything.next(), "one page holds everything: it is the last");
        assertThrows(IllegalArgumentException.class, () -> db.conflicts(null, 0));
        assertThrows(IllegalArgumentException.class, () -> db.conflicts("c1", -5));
    }

    /**
     * {@link Page#isLast()} promises "nothing after this page": a page that ends with the last
     * subject holding conflicts must say so, rather than send the caller for an empty page.
     */
    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void aPageThatReachesTheLastSubjectIsTheLast(String engine) {
        StemeDB db = db(engine);
        db.merge(List.of(claim("a", "p", "x", "hr", 1), claim("a", "p", "y", "crm", 2),
                claim("b", "p", "x", "hr", 1), claim("b", "p", "y", "crm", 2)));
        Page<Conflict> first = db.conflicts(null, 1);
        assertEquals(List.of("a"), first.items().stream().map(Conflict::subject).toList());
        assertEquals("a", first.next());
        Page<Conflict> second = db.conflicts(first.next(), 1);
        assertEquals(List.of("b"), second.items().stream().map(Conflict::subject).toList());
        assertTrue(second.isLast(), "b is the last subject: nothing comes after this page, yet next = " + second.next());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void conflictPagesOfAnAsOfViewShowTheConflictsOfThen(String engine) {
        StemeDB db = db(engine);
        Claim a = claim("x", "ceo", "Alice", "hr", 10);
        Claim b = claim("x", "ceo", "Bob", "crm", 20);  // the conflict starts at 20
        Claim c = claim("y", "ceo", "Carol", "hr", 10);
        Claim d = claim("y", "ceo", "Dan", "crm", 12);  // in conflict from 12 until the retraction at 30
        db.merge(List.of(a, b, c, d, Retraction.of(d.id(), "crm", Hlc.of(T0 + 30, 0, 1), null)));
        assertEquals(List.of("x"), db.conflicts(null, 10).items().stream().map(Conflict::subject).toList());
        assertEquals(List.of("y"), db.asOf(Instant.ofEpochMilli(T0 + 15)).conflicts(null, 10).items().stream()
                .map(Conflict::subject).toList());
        assertEquals(List.of("x", "y"), db.asOf(Instant.ofEpochMilli(T0 + 25)).conflicts(null, 10).items().stream()
                .map(Conflict::subject).toList());
    }

    // =================================================================== find

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void findResolvesEveryCandidateThroughTheLens(String engine) {
        StemeDB db = db(engine);
        Value austin = Value.text("Austin");
        // acme: the registry says Boston, the newer crm claim Austin
        Claim acmeRegistry = claim("acme", "hq", "Boston", "registry", 1);
        Claim acmeCrm = claim("acme", "hq", "Austin", "crm", 2);
        // ünited: only crm, Austin
        Claim unitedCrm = claim("ünited", "hq", "Austin", "crm", 3);
        // beta: said Austin once, retracted
        Claim betaCrm = claim("beta", "hq", "Austin", "crm", 4);
        // zed: Austin by two sources against the registry's Denver
        Claim zedRegistry = claim("zed", "hq", "Denver", "registry", 5);
        Claim zedCrm = claim("zed", "hq", "Austin", "crm", 6);
        Claim zedNews = claim("zed", "hq", "Austin", "news", 4);
        db.merge(List.of(acmeRegistry, acmeCrm, unitedCrm, betaCrm, zedRegistry, zedCrm, zedNews,
                Retraction.of(betaCrm.id(), "crm", Hlc.of(T0 + 7, 0, 1), null)));

        assertEquals(List.of("acme", "zed", "ünited"), db.find("hq", austin, Lenses.latest()),
                "latest: beta's Austin is retracted; names in code point order, like every name list but subjects()");
        assertEquals(List.of("ünited"), db.find("hq", austin, Lenses.trust("registry")),
                "trust: the registry's Boston and Denver overrule crm, so acme and zed are not found");
        assertEquals(List.of("acme"), db.find("hq", Value.text("Boston"), Lenses.trust("registry")));
        assertEquals(List.of(), db.find("hq", Value.text("Boston"), Lenses.latest()), "Boston is overruled by latest");
        assertEquals(List.of("acme", "zed", "ünited"), db.find("hq", austin, Lenses.majority()));
        assertEquals(List.of("zed"), db.find("hq", austin, Lenses.quorum(2)));
        assertEquals(List.of("zed"), db.find("hq", Value.text("Denver"), Lenses.all()), "all: Denver is one of zed's current values");
        assertEquals(List.of("acme", "zed", "ünited"), db.find("hq", austin, Lenses.all()));
        assertEquals(List.of("acme", "beta", "zed", "ünited"), db.asOf(Instant.ofEpochMilli(T0 + 6)).find("hq", austin, Lenses.latest()),
                "as of 6, beta's claim was not retracted yet (7)");
        assertEquals(List.of("acme", "beta", "ünited"), db.asOf(Instant.ofEpochMilli(T0 + 5)).find("hq", austin, Lenses.latest()),
                "as of 5, zed's newest claim was the registry's Denver");
        assertEquals(List.of("acme", "zed", "ünited"), db.find("hq", austin, Lenses.latest().onlySources("crm")));
        assertEquals(List.of(), db.find("hq", Value.text("Paris"), Lenses.latest()), "a value nobody claimed");
    }
}
