package io.stemedb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.BackupTestSupport;
import io.stemedb.Durability;
import io.stemedb.ManualClock;
import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.Stats;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** A varied database to back up, and the comparisons that say two databases hold the same. */
final class BackupFixtures {
    /** Well in the past, so that merging never meets the clock-drift limit. */
    static final long BASE = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    static final String[] SOURCES = {"hr", "crm", "web", "audit"};
    static final String[] PREDICATES = {"name", "ceo", "employees", "founded", "tags", "rating"};
    static final int SUBJECTS = 40;

    private BackupFixtures() {}

    /** An on-disk database with a hand clock, syncing the log every 200 ms (the tests do not crash it). */
    static StemeDB open(Path dir, ManualClock clock) {
        return StemeDB.builder().clock(clock).durability(Durability.syncEvery(Duration.ofMillis(200))).open(dir);
    }

    /**
     * Writes {@code batches} batches of 1 to 8 assertions, a second apart: claims of every value
     * type from every source, some with confidence, valid time and metadata, and retractions (by
     * any source) of earlier claims. Returns the claims written.
     */
    static List<AssertionId> populate(StemeDB db, ManualClock clock, long seed, int batches, List<AssertionId> claims) {
        Random rnd = new Random(seed);
        for (int b = 0; b < batches; b++) {
            clock.advance(1000);
            int size = 1 + rnd.nextInt(8);
            List<AssertionId> ids = db.write(batch -> {
                for (int i = 0; i < size; i++) {
                    if (!claims.isEmpty() && rnd.nextInt(8) == 0) {
                        batch.retract(claims.get(rnd.nextInt(claims.size())), SOURCES[rnd.nextInt(SOURCES.length)],
                                Map.of("reason", "wrong " + rnd.nextInt(100)));
                        continue;
                    }
                    String subject = "company-" + rnd.nextInt(SUBJECTS);
                    String predicate = PREDICATES[rnd.nextInt(PREDICATES.length)];
                    Value v = switch (rnd.nextInt(5)) {
                        case 0 -> Value.integer(rnd.nextInt(100_000));
                        case 1 -> Value.text("text \u00e9 " + rnd.nextInt(1000));
                        case 2 -> Value.real(rnd.nextInt(1000) / 8.0);
                        case 3 -> Value.bool(rnd.nextBoolean());
                        default -> Value.ref("company-" + rnd.nextInt(SUBJECTS));
                    };
                    var draft = batch.assertion(subject, predicate, v).source(SOURCES[rnd.nextInt(SOURCES.length)]);
                    if (rnd.nextInt(3) == 0) {
                        draft.confidence(rnd.nextInt(11) / 10.0);
                    }
                    if (rnd.nextInt(5) == 0) {
                        draft.validFrom(Instant.ofEpochSecond(1_600_000_000L + rnd.nextInt(1_000_000)));
                    }
                    if (rnd.nextInt(4) == 0) {
                        draft.metadata("batch", String.valueOf(rnd.nextInt(1000)));
                    }
                }
            });
            for (AssertionId id : ids) {
                if (db.get(id).orElseThrow() instanceof Claim) {
                    claims.add(id);
                }
            }
        }
        return claims;
    }

    /** Every assertion of {@code db}, by id, in arrival order. */
    static Map<AssertionId, Assertion> all(StemeDB db) {
        Map<AssertionId, Assertion> out = new LinkedHashMap<>();
        long after = 0;
        while (true) {
            List<Change> page = db.changesSince(after, 10_000);
            if (page.isEmpty()) {
                return out;
            }
            for (Change c : page) {
                out.put(c.assertion().id(), c.assertion());
                after = c.sequence();
            }
        }
    }

    static Set<AssertionId> ids(StemeDB db) {
        return new HashSet<>(all(db).keySet());
    }

    /** Every (subject, predicate) that any claim of {@code db} is about. */
    static Set<List<String>> facts(StemeDB db) {
        Set<List<String>> out = new TreeSet<>((a, b) -> (a.get(0) + "\u0000" + a.get(1)).compareTo(b.get(0) + "\u0000" + b.get(1)));
        for (Assertion a : all(db).values()) {
            if (a instanceof Claim) {
                out.add(List.of(((Claim) a).subject(), ((Claim) a).predicate()));
            }
        }
        return out;
    }

    /**
     * {@code actual} holds what {@code expected} holds: the same ids, the same counts, the same
     * stored digest (which also equals the digest recomputed from the ids), and the same history
     * of every fact.
     */
    static void assertSameContent(StemeDB expected, StemeDB actual) {
        Set<AssertionId> ids = ids(expected);
        assertEquals(ids, ids(actual), "the same set of ids");
        Stats e = expected.stats();
        Stats a = actual.stats();
        assertEquals(List.of(e.assertions(), e.claims(), e.retractions()), List.of(a.assertions(), a.claims(), a.retractions()));
        IdDigest digest = IdDigest.of(ids);
        assertEquals(digest, BackupTestSupport.storedDigest(expected), "the source's stored digest matches its ids");
        assertEquals(digest, BackupTestSupport.storedDigest(actual), "the copy's stored digest matches the source's");
        assertSameHistories(expected, actual, facts(expected));
    }

    static void assertSameHistories(ReadView expected, ReadView actual, Set<List<String>> facts) {
        for (List<String> f : facts) {
            assertEquals(expected.history(f.get(0), f.get(1)), actual.history(f.get(0), f.get(1)), "history of " + f);
        }
    }

    static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Every file under {@code dir} with its size and last-modified time. */
    static Map<String, List<Long>> listing(Path dir) throws IOException {
        Map<String, List<Long>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                out.put(dir.relativize(p).toString(), List.of(p.toFile().length(), p.toFile().lastModified()));
            }
        }
        return out;
    }

    static List<AssertionId> newList() {
        return new ArrayList<>();
    }
}
