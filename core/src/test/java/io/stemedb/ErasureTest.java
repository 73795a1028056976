package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.ErasedClaim;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Erasure;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code db.erase(...)} through the public API: what history, resolve and explain show, the policy, and validation. */
class ErasureTest {
    @TempDir
    Path dir;

    @Test
    void historyAndExplainNameTheErasedClaimsWithoutTheirContent() {
        for (StemeDB db : List.of(StemeDB.builder().nodeId(1).inMemory(), StemeDB.builder().nodeId(1).open(dir.resolve("db")))) {
            try (db) {
                AssertionId old = db.assertion("person:42", "passport", Value.text("X1234567")).source("crm").commit();
                AssertionId erasure = db.erase(Erasure.Scope.subject("person:42")).source("dpo")
                        .reason("GDPR art. 17 request 2024-0042").metadata("ticket", "PRIV-9").commit();
                Resolution empty = db.resolve("person:42", "passport", Lenses.latest());
                assertTrue(empty.value().isEmpty());
                AssertionId renewed = db.assertion("person:42", "passport", Value.text("P-2024-117")).source("crm").commit();

                Evidence history = db.history("person:42", "passport");
                Resolution r = db.resolve("person:42", "passport", Lenses.latest());

                assertEquals(List.of(renewed), history.claims().stream().map(Assertion::id).toList());
                assertEquals(List.of(old), history.erased().stream().map(ErasedClaim::claim).toList());
                assertEquals(erasure, history.erased().get(0).erasure().id());
                assertEquals("P-2024-117", r.value().orElseThrow().asText());
                assertTrue(r.explain().contains("; erased: claim " + old.shortHex() + " erased by dpo at "), r.explain());
                assertTrue(r.explain().endsWith("(GDPR art. 17 request 2024-0042)"), r.explain());
                assertFalse(r.explain().contains("X1234567"), r.explain());
                assertTrue(empty.explain().contains("no claims; erased: claim " + old.shortHex()), empty.explain());
                assertEquals(List.of(), db.asOf(Instant.EPOCH).history("person:42", "passport").erased(),
                        "as of before the erasure, it had erased nothing");
                assertEquals(new ErasureCounts(1, 1, 0), db.erasureCounts());
                assertTrue(db.verify().ok());
            }
        }
    }

    /** A bulk load refuses erased content like any path, and erases what an erasure it brings covers. */
    @Test
    void aBulkLoadRefusesErasedContentAndAppliesTheErasuresItBrings() {
        try (StemeDB db = StemeDB.builder().nodeId(1).open(dir.resolve("bulk"))) {
            io.stemedb.model.Claim x = io.stemedb.model.Claim.builder("person:1", "email", Value.text("x@example.org"))
                    .source("crm").hlc(io.stemedb.model.Hlc.of(1_700_000_000_000L, 0, 2)).build();
            io.stemedb.model.Claim z = io.stemedb.model.Claim.builder("person:2", "email", Value.text("z@example.org"))
                    .source("crm").hlc(io.stemedb.model.Hlc.of(1_700_000_000_001L, 0, 2)).build();
            Erasure e = Erasure.of(Erasure.Scope.subject("person:1"), "dpo", io.stemedb.model.Hlc.of(1_700_000_000_002L, 0, 2),
                    "r", null);

            db.bulkLoad(List.<Assertion>of(x, z, e).iterator(), io.stemedb.backup.ProgressListener.NONE);

            assertTrue(db.get(x.id()).isEmpty(), "the load's own erasure erased the load's claim");
            assertEquals(e, db.erasedBy(x.id()).orElseThrow());
            assertTrue(db.get(z.id()).isPresent());
            assertTrue(db.verify().ok(), () -> db.verify().toString());
        }
        try (StemeDB db = StemeDB.builder().nodeId(3).open(dir.resolve("bulk2"))) {
            AssertionId x = db.assertion("person:1", "email", Value.text("x@example.org")).source("crm").commit();
            Assertion claim = db.get(x).orElseThrow();
            db.erase(Erasure.Scope.ids(List.of(x))).source("dpo").reason("r").commit();
            long refusedBefore = db.erasureCounts().refused();

            BulkLoadResult loaded = db.bulkLoad(List.of(claim).iterator(), io.stemedb.backup.ProgressListener.NONE);

            assertEquals(0, loaded.added());
            assertTrue(db.get(x).isEmpty());
            assertEquals(refusedBefore + 1, db.erasureCounts().refused());
            assertTrue(db.verify().ok());
        }
    }

    @Test
    void anErasureNeedsASourceAndAReasonAndStoresNothingWithout() {
        try (StemeDB db = StemeDB.inMemory()) {
            AssertionId c = db.assertion("s", "p", Value.text("v")).source("crm").commit();
            assertThrows(io.stemedb.model.Assertion.InvalidAssertionException.class,
                    () -> db.erase(Erasure.Scope.subject("s")).source("dpo").commit());
            assertThrows(io.stemedb.model.Assertion.InvalidAssertionException.class,
                    () -> db.erase(Erasure.Scope.subject("s")).reason("r").commit());
            assertTrue(db.get(c).isPresent());
            assertEquals(0, db.erasureCounts().erasures());
            assertThrows(io.stemedb.model.Assertion.InvalidAssertionException.class,
                    () -> db.retract(db.erase(Erasure.Scope.ids(List.of(c))).source("dpo").reason("r").commit(), "crm"),
                    "an erasure cannot be retracted");
        }
    }

    @Test
    void aPolicyRefusesErasuresFromPeersAndReportsThem() {
        try (StemeDB origin = StemeDB.builder().nodeId(1).inMemory();
                StemeDB trusting = StemeDB.builder().nodeId(2).inMemory();
                StemeDB onlyDpo = StemeDB.builder().nodeId(3).erasurePolicy(ErasurePolicy.fromSources(Set.of("dpo"))).inMemory()) {
            AssertionId c = origin.assertion("s", "p", Value.text("v")).source("crm").commit();
            trusting.syncWith(origin);
            onlyDpo.syncWith(origin);
            AssertionId byIntern = origin.erase(Erasure.Scope.subject("s")).source("intern").reason("oops").commit();

            trusting.syncWith(origin);
            MergeResult merged = onlyDpo.merge(List.of(origin.get(byIntern).orElseThrow()));

            assertTrue(trusting.get(c).isEmpty());
            assertTrue(onlyDpo.get(c).isPresent(), "the intern's erasure was refused");
            assertEquals(1, merged.rejected().size());
            assertTrue(merged.rejected().get(0).reason().contains("erasure policy"), merged.rejected().toString());
        }
    }
}
