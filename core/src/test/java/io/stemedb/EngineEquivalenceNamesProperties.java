package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The second half of the engine-equivalence property ({@link EngineEquivalenceProperties} has the
 * first, over a tiny domain of tame names): names and text values drawn from any Unicode, unpaired
 * surrogates included, and names up to and past every limit (empty, 1024 UTF-8 bytes made of one-,
 * two-, three- and four-byte characters, 1025), written and merged one at a time and as facts of
 * hundreds of claims. Both engines must answer every write and every query alike: the same ids,
 * or the same exception with the same message; then the same answer to every query about every
 * name, valid or not, now and as of an instant.
 */
class EngineEquivalenceNamesProperties {
    static final long BASE = 1_700_000_000_000L;

    /** Names at and past the limits, and the awkward ones: what a random string rarely is. */
    static final List<String> EDGES = List.of("", "?", "\ud800", "a\udc00b", "\ud83d\ude00", "\udfff\ud800",
            "x".repeat(1024), "x".repeat(1025), "\u00e9".repeat(512), "\u00e9".repeat(511) + "x", "\u00e9".repeat(512) + "x",
            "\u20ac".repeat(341) + "x", "\u20ac".repeat(342), "\ud834\udd1e".repeat(256), "\ud834\udd1e".repeat(255) + "xyz",
            "\ud834\udd1e".repeat(256) + "x", "\u0000", "a\u0000b", "\uffff", "\ufeff",
            // past the engines' own key limits (names are u16-length-prefixed in RocksDB keys)
            "x".repeat(65_535), "x".repeat(65_536), "\u00e9".repeat(40_000));

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(Arbitraries.of(EDGES), Arbitraries.strings().all().ofMaxLength(6),
                Arbitraries.strings().withCharRange('a', 'c').ofMinLength(1).ofMaxLength(2));
    }

    /** One write: a claim, a fact of many claims, a retraction, or a merge of a remote claim. */
    record Write(int kind, String subject, String predicate, String source, String text, int count) {}

    @Provide
    Arbitrary<List<Write>> writes() {
        Arbitrary<String> name = names();
        Arbitrary<Integer> kind = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(5, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(2, 2),
                net.jqwik.api.Tuple.of(2, 3));
        return Combinators.combine(kind, name, name, name, Arbitraries.strings().all().ofMaxLength(20),
                        Arbitraries.integers().between(100, 400))
                .as(Write::new).list().ofMinSize(1).ofMaxSize(25);
    }

    /**
     * 40 tries, each opening RocksDB once and writing up to a few thousand claims: about 20 s on a
     * quiet 2-core machine.
     */
    @Property(tries = 40)
    void bothEnginesAnswerAlikeForAnyUnicodeAnyNameAndLargeFacts(@ForAll("writes") List<Write> writes,
            @ForAll("names") String extraName) throws IOException {
        Path dir = Files.createTempDirectory("stemedb-names");
        ManualClock memoryClock = new ManualClock(BASE);
        ManualClock diskClock = new ManualClock(BASE);
        try (StemeDB memory = StemeDB.builder().nodeId(0xA).clock(memoryClock).inMemory();
                StemeDB disk = StemeDB.builder().nodeId(0xA).clock(diskClock)
                        .durability(Durability.syncEvery(Duration.ofSeconds(1))).open(dir)) {
            Set<String> names = new LinkedHashSet<>(EDGES);
            names.add(extraName);
            Set<Value> values = new LinkedHashSet<>();
            // A claim named '?' everywhere: what an engine that encodes an unpaired surrogate leniently would read.
            same("the '?' claim", memory, disk, db -> db.assertion("?", "?", Value.text("?")).source("?").commit());
            int n = 0;
            for (Write w : writes) {
                memoryClock.advance(3);
                diskClock.advance(3);
                names.addAll(List.of(w.subject(), w.predicate(), w.source()));
                Value v = safeText(w.text());
                if (v != null) {
                    values.add(v);
                }
                int step = n++;
                same("write " + step + " " + w, memory, disk, db -> write(db, w, v));
            }
            for (String name : names) {
                for (String other : List.of("a", "\u00e9".repeat(512), extraName)) {
                    same("history " + name + " / " + other, memory, disk, db -> db.history(name, other));
                    same("history " + other + " / " + name, memory, disk, db -> db.history(other, name));
                    same("resolve " + name + " / " + other, memory, disk,
                            db -> resolution(db.resolve(name, other, Lenses.latest())));
                }
                same("entity " + name, memory, disk, db -> entity(db.entity(name, Lenses.latest())));
                same("conflicts " + name, memory, disk, db -> db.conflicts(name));
                same("bySource " + name, memory, disk, db -> db.bySource(name));
                same("subjects after " + name, memory, disk, db -> db.subjects(name, 50));
                same("conflicts after " + name, memory, disk, db -> db.conflicts(name, 50));
                for (Value v : values) {
                    same("find " + name + " = " + v, memory, disk, db -> db.find(name, v, Lenses.latest()));
                }
                Instant past = Instant.ofEpochMilli(BASE + 10);
                same("as of, history " + name, memory, disk, db -> db.asOf(past).history(name, "a"));
                same("as of, bySource " + name, memory, disk, db -> db.asOf(past).bySource(name));
            }
            same("subjects from the first", memory, disk, db -> db.subjects(null, 10_000));
            same("every conflict", memory, disk, db -> db.conflicts(null, 1000));
            List<Change> feed = ReplicaConvergenceProperties.allChanges(memory);
            assertEquals(feed, ReplicaConvergenceProperties.allChanges(disk), "the change feed");
            for (Change c : feed) {
                same("get " + c.assertion().id(), memory, disk, db -> db.get(c.assertion().id()));
            }
            same("counts", memory, disk, db -> List.of(db.stats().assertions(), db.stats().claims(),
                    db.stats().retractions(), db.stats().lastSequence()));
        } finally {
            deleteTree(dir);
        }
    }

    /** Text as a value, or null when it cannot be one (an unpaired surrogate: the value's own check refuses it). */
    private static Value safeText(String text) {
        try {
            return Value.text(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Object write(StemeDB db, Write w, Value v) {
        Value value = v == null ? Value.integer(w.count()) : v;
        switch (w.kind()) {
            case 0:
                return db.assertion(w.subject(), w.predicate(), value).source(w.source()).commit();
            case 1:
                // a fact of hundreds of claims, from many sources, in one batch
                return db.write(batch -> {
                    for (int i = 0; i < w.count(); i++) {
                        batch.assertion(w.subject(), w.predicate(), i % 3 == 0 ? value : Value.integer(i))
                                .source(w.source() + (i % 7 == 0 ? "" : Integer.toString(i % 29)));
                    }
                });
            case 2: {
                List<Claim> claims = new ArrayList<>();
                for (Change c : ReplicaConvergenceProperties.allChanges(db)) {
                    if (c.assertion() instanceof Claim claim) {
                        claims.add(claim);
                    }
                }
                if (claims.isEmpty()) {
                    return List.of();
                }
                return db.retract(claims.get(w.count() % claims.size()).id(), w.source());
            }
            default: {
                Claim remote = Claim.builder(w.subject(), w.predicate(), value).source(w.source())
                        .hlc(Hlc.of(BASE + w.count(), 0, 0xB)).build();
                return db.merge(List.of(remote));
            }
        }
    }

    /** Runs {@code query} on both: the same value, or the same exception with the same message. */
    private static void same(String what, StemeDB memory, StemeDB disk, Function<StemeDB, Object> query) {
        Object expected;
        try {
            expected = query.apply(memory);
        } catch (RuntimeException e) {
            try {
                Object got = query.apply(disk);
                fail(what + ": in memory " + e + ", on disk " + got);
            } catch (RuntimeException d) {
                assertEquals(e.getClass(), d.getClass(), what + ": " + e + " vs " + d);
                assertEquals(e.getMessage(), d.getMessage(), what);
                if (!(e instanceof io.stemedb.model.StemeException)) {
                    fail(what + ": not a StemeException: " + e);
                }
            }
            return;
        }
        Object actual;
        try {
            actual = query.apply(disk);
        } catch (RuntimeException d) {
            throw new AssertionError(what + ": in memory " + expected + ", on disk " + d, d);
        }
        assertEquals(expected, actual, what);
    }

    private static List<Object> resolution(Resolution r) {
        return List.of(r.winners(), r.overruled(), r.explain(), r.values());
    }

    private static List<Object> entity(SortedMap<String, Resolution> e) {
        List<Object> out = new ArrayList<>();
        e.forEach((p, r) -> out.add(List.of(p, resolution(r))));
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
