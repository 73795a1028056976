package io.stemedb.backup;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.model.Value;
import io.stemedb.VerifyReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A StemeDB is thread-safe and any number of threads may read and write at once (StemeDB's class
 * documentation), so db.verify() while a writer commits must not report problems that are not
 * there.
 */
class VerifyUnderWritesTest {
    @TempDir
    Path dir;

    @Test
    void verifyDuringWritesReportsNoFalseProblems() throws Exception {
        try (StemeDB db = StemeDB.builder().durability(Durability.syncEvery(Duration.ofMillis(100))).open(dir.resolve("db"))) {
            for (int b = 0; b < 10; b++) {
                int base = b * 1000;
                db.write(batch -> {
                    for (int i = base; i < base + 1000; i++) {
                        batch.assertion("e" + i, "p", Value.integer(i)).source("s");
                    }
                });
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int k = 0; !stop.get(); k++) {
                    int key = k;
                    db.write(batch -> {
                        for (int i = 0; i < 10; i++) {
                            batch.assertion("w" + key + "-" + i, "p", Value.integer(i)).source("s");
                        }
                    });
                }
            });
            writer.start();
            VerifyReport during;
            try {
                during = db.verify();
            } finally {
                stop.set(true);
                writer.join();
            }
            assertTrue(db.verify().ok(), "the database itself is sound");
            assertTrue(during.ok(), during.problemCount() + " false problems, first: "
                    + during.problems().subList(0, Math.min(3, during.problems().size())));
        }
    }
}
