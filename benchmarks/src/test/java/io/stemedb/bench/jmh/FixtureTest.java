package io.stemedb.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.bench.Workload;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Resolution;
import io.stemedb.merkle.SyncReport;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmarks measure what they say only if their data has the shape their Javadoc states. */
class FixtureTest {

    @Test
    void conflictingDataSetHasTenClaimsPerFactFromFiveDisagreeingSourcesAndTheLensesPartWays() {
        try (Fixture f = Fixture.conflicting("memory")) {
            StemeDB db = f.db();
            assertEquals(Fixture.CONFLICT_N, db.stats().claims());
            Map<String, Integer> winnersDifferFromLatest = new HashMap<>();
            int quorumUndecided = 0;
            int disagreeing = 0;
            for (int pair = 0; pair < Fixture.conflictPairs(); pair++) {
                Evidence e = db.history(Fixture.conflictSubject(pair), Fixture.conflictPredicate(pair));
                assertEquals(10, e.claims().size());
                Set<String> sources = new HashSet<>();
                for (Claim c : e.claims()) {
                    sources.add(c.source());
                    assertTrue(c.confidence().isPresent());
                }
                assertEquals(Set.of(Fixture.CONFLICT_SOURCES), sources);
                Value latest = Fixture.lens("latest").resolve(e).value().orElseThrow();
                for (String name : Fixture.LENS_NAMES) {
                    if (name.equals("all")) {
                        continue;
                    }
                    Resolution r = Fixture.lens(name).resolve(e);
                    if (name.equals("quorum") && r.isEmpty()) {
                        quorumUndecided++;
                    }
                    if (r.value().isPresent() && !r.value().get().equals(latest)) {
                        winnersDifferFromLatest.merge(name, 1, Integer::sum);
                    }
                }
                Resolution all = Fixture.lens("all").resolve(e);
                assertEquals(5, all.winners().size());
                if (all.values().size() > 1) {
                    disagreeing++;
                }
            }
            assertTrue(disagreeing > Fixture.conflictPairs() * 9 / 10, "facts whose sources currently disagree: " + disagreeing);
            assertTrue(quorumUndecided > 0, "quorum(3) should fail to decide some facts");
            for (String name : new String[] {"trust", "weighted", "majority", "confident"}) {
                assertTrue(winnersDifferFromLatest.getOrDefault(name, 0) > Fixture.conflictPairs() / 5,
                        name + " should pick another value than latest on a fair share of facts: " + winnersDifferFromLatest);
            }
        }
    }

    @Test
    void betweenMillisSeparatesWhatWasWrittenBeforeFromWhatWasWrittenAfter() {
        try (Fixture f = Fixture.open("memory")) {
            StemeDB db = f.db();
            db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
            Instant at = Fixture.betweenMillis();
            db.assertion("acme", "ceo", Value.text("Bob")).source("hr").commit();
            Evidence past = db.asOf(at).history("acme", "ceo");
            assertEquals(1, past.claims().size());
            assertEquals(Value.text("Alice"), past.claims().get(0).value());
            assertEquals(2, db.history("acme", "ceo").claims().size());
        }
    }

    @Test
    void replicasSetUpAsSyncBenchDoesDifferByExactlyD() {
        Workload w = new Workload(1_000, Fixture.SEED);
        try (Fixture local = Fixture.open("memory"); Fixture peer = Fixture.open("memory")) {
            local.write(w, 0, 1_000);
            local.copyInto(peer.db());
            assertEquals(1_000, peer.db().stats().claims());
            assertTrue(local.db().syncWith(peer.db()).wasInSync());
            int d = 10;
            local.write(w, 1_000, 1_000 + d / 2);
            peer.write(w, 1_000 + d / 2, 1_000 + d);
            SyncReport r = local.db().syncWith(peer.db());
            assertEquals(d / 2, r.fetched());
            assertEquals(d / 2, r.pushed());
            assertEquals(1_000 + d, local.db().stats().claims());
            assertEquals(1_000 + d, peer.db().stats().claims());
        }
    }

    @Test
    void everyLensNameMakesALensAndUnknownNamesAreRefused() {
        for (String name : Fixture.LENS_NAMES) {
            assertFalse(Fixture.lens(name).name().isEmpty());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Fixture.lens("newest"));
    }
}
