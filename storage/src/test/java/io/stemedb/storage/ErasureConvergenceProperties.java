package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.crdt.AssertionSet;
import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Erasure converges: replicas that receive the same claims, retractions and erasures, in any order
 * and in any cut into commits (some of them twice), hold the same ids, the same digest and the same
 * evidence, and all of it is what the reference model ({@link AssertionSet}, whose erasures erase
 * every claim they cover whatever the order) says a replica holds.
 */
class ErasureConvergenceProperties {
    private static final String[] SUBJECTS = {"a", "b", "c"};
    private static final String[] PREDICATES = {"x", "y"};
    private static final String[] SOURCES = {"s1", "s2"};

    @Property(tries = 300)
    void inMemoryReplicasConvergeOnTheModel(@ForAll("pools") List<Assertion> pool, @ForAll Random random) {
        AssertionSet model = AssertionSet.of(pool);
        Engine first = new InMemoryEngine(1);
        Engine second = new InMemoryEngine(2);
        deliver(first, pool, random);
        deliver(second, pool, random);
        assertMatchesModel(first, model);
        assertMatchesModel(second, model);
    }

    @Property(tries = 25)
    void rocksReplicasConvergeOnTheModel(@ForAll("pools") List<Assertion> pool, @ForAll Random random) throws IOException {
        AssertionSet model = AssertionSet.of(pool);
        Path dir = Files.createTempDirectory("erasure-convergence");
        try {
            try (Engine rocks = RocksEngine.open(dir.resolve("db"), RocksSettings.DEFAULT, 1)) {
                deliver(rocks, pool, random);
                assertMatchesModel(rocks, model);
                VerifyReport report = rocks.verify();
                assertEquals(0, report.problemCount(), report.problems().toString());
            }
        } finally {
            delete(dir);
        }
    }

    /** Commits the pool shuffled, cut into batches of one to four, with a random tenth of it delivered twice. */
    private static void deliver(Engine engine, List<Assertion> pool, Random random) {
        List<Assertion> order = new ArrayList<>(pool);
        for (Assertion a : pool) {
            if (random.nextInt(10) == 0) {
                order.add(a);
            }
        }
        Collections.shuffle(order, random);
        for (int i = 0; i < order.size(); ) {
            int n = 1 + random.nextInt(4);
            engine.commit(order.subList(i, Math.min(order.size(), i + n)));
            i += n;
        }
    }

    private static void assertMatchesModel(Engine engine, AssertionSet model) {
        Set<AssertionId> stored = new HashSet<>(engine.ids(new byte[0], null, Integer.MAX_VALUE));
        assertEquals(model.visibleIds(), stored, "the stored ids are the model's visible ids");
        assertEquals(IdDigest.of(model.visibleIds()), engine.digest());
        for (String s : SUBJECTS) {
            for (String p : PREDICATES) {
                Evidence expected = model.evidence(s, p);
                Evidence actual = engine.evidence(s, p);
                assertEquals(expected.claims(), actual.claims(), s + "." + p);
                assertEquals(expected.live(), actual.live(), s + "." + p + " live");
            }
        }
        for (Assertion a : model.assertions()) {
            if (model.isErased(a.id())) {
                assertEquals(true, engine.erasedBy(a.id()).isPresent(), "marked: " + a);
            }
        }
    }

    @Provide
    Arbitrary<List<Assertion>> pools() {
        Arbitrary<Claim> claims = Combinators.combine(
                Arbitraries.of(SUBJECTS), Arbitraries.of(PREDICATES), Arbitraries.integers().between(0, 3),
                Arbitraries.of(SOURCES), hlcs())
                .as((s, p, v, src, hlc) -> Claim.builder(s, p, Value.integer(v)).source(src).hlc(hlc).build());
        return claims.list().ofMinSize(1).ofMaxSize(20).flatMap(cs -> {
            List<Claim> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(cs));
            Arbitrary<Claim> anyClaim = Arbitraries.of(distinct);
            Arbitrary<Assertion> retractions = Combinators.combine(anyClaim, Arbitraries.of(SOURCES), hlcs())
                    .as((c, src, hlc) -> (Assertion) Retraction.of(c.id(), src, hlc, null));
            Arbitrary<Erasure.Scope> scopes = Arbitraries.oneOf(
                    anyClaim.list().ofMinSize(1).ofMaxSize(3).map(l -> Erasure.Scope.ids(l.stream().map(Claim::id).toList())),
                    Arbitraries.of(SUBJECTS).map(Erasure.Scope::subject),
                    Combinators.combine(Arbitraries.of(SUBJECTS), Arbitraries.of(PREDICATES)).as(Erasure.Scope::fact),
                    Combinators.combine(Arbitraries.of(SOURCES), Arbitraries.of(SUBJECTS)).as(Erasure.Scope::bySourceAbout));
            Arbitrary<Assertion> erasures = Combinators.combine(scopes, hlcs())
                    .as((scope, hlc) -> (Assertion) Erasure.of(scope, "dpo", hlc, "request", null));
            return Combinators.combine(retractions.list().ofMaxSize(5), erasures.list().ofMaxSize(3)).as((rs, es) -> {
                List<Assertion> pool = new ArrayList<>(distinct);
                pool.addAll(rs);
                pool.addAll(es);
                return pool;
            });
        });
    }

    /** Timestamps from three nodes over a short span, so that erasures fall between claims. */
    private static Arbitrary<Hlc> hlcs() {
        return Combinators.combine(Arbitraries.longs().between(1_700_000_000_000L, 1_700_000_000_040L),
                Arbitraries.integers().between(0, 2), Arbitraries.longs().between(1, 3)).as(Hlc::of);
    }

    /** Deletes {@code dir} and everything in it: what a property made in a temporary directory. */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
