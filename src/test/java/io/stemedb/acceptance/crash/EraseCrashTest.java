package io.stemedb.acceptance.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Erasure;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An erasure killed with SIGKILL (a real child JVM, {@link EraseCrashChild}) at some moment of its
 * work (waiting for the indexer, writing its batch, flushing, compacting, or after it returned)
 * is, once the database is reopened, either complete (the erasure stored, none of the claims it
 * covers readable, verify clean) or absent (every claim as it was), never a part of it; when
 * absent, erasing again completes it. The moments are reached by delays after the child starts
 * the erasure: the erasure of 3,000 claims with a flush and a full compaction takes long enough
 * for several to fall inside it.
 */
class EraseCrashTest {
    static final String SUBJECT = "person:42";
    private static final long NODE = 0xe7a5L;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    static StemeDB open(Path dir) {
        return StemeDB.builder().nodeId(NODE).open(dir);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 10, 30, 80, 200, 1000})
    void anErasureKilledAtAnyMomentIsCompleteOrAbsent(int delayMillis) throws Exception {
        Path dir = tmp.resolve("db");
        List<AssertionId> covered = new ArrayList<>();
        List<AssertionId> kept = new ArrayList<>();
        try (StemeDB db = open(dir)) {
            for (int batch = 0; batch < 30; batch++) {
                int b = batch;
                covered.addAll(db.write(w -> {
                    for (int i = 0; i < 100; i++) {
                        w.assertion(SUBJECT, "p" + (i % 20), Value.text("secret " + b + "-" + i)).source(i % 2 == 0 ? "crm" : "hr");
                    }
                }));
                kept.addAll(db.write(w -> {
                    for (int i = 0; i < 100; i++) {
                        w.assertion("other:" + b, "p" + (i % 20), Value.text("kept " + i)).source("crm");
                    }
                }));
            }
        }
        try (ChildJvm child = ChildJvm.start(EraseCrashChild.class, tmp.resolve("child-" + delayMillis + ".err"), dir.toString())) {
            assertEquals("ERASING", child.expectLine(120));
            Thread.sleep(delayMillis);
            child.killHard();
        }
        try (StemeDB db = open(dir)) {
            long present = covered.stream().filter(id -> db.get(id).isPresent()).count();
            long erased = covered.stream().filter(id -> db.erasedBy(id).isPresent()).count();
            boolean complete = db.erasureCounts().erasures() == 1;
            if (complete) {
                assertEquals(0, present, "the erasure is stored, so none of what it covers may be readable");
                assertEquals(covered.size(), erased, "every covered claim is marked");
                assertTrue(db.history(SUBJECT, "p3").claims().isEmpty());
            } else {
                assertEquals(covered.size(), present, "no erasure stored, so every claim is as it was");
                assertEquals(0, erased);
                db.erase(Erasure.Scope.subject(SUBJECT)).source("dpo").reason("crash drill, again").commit();
                assertEquals(0, covered.stream().filter(id -> db.get(id).isPresent()).count());
            }
            assertEquals(kept.size(), kept.stream().filter(id -> db.get(id).isPresent()).count(), "other subjects are kept");
            assertTrue(db.verify().ok(), () -> db.verify().toString());
        }
    }
}
