package io.stemedb.junit;

import static io.stemedb.junit.StemeDBAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.model.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The example of README.md, "Testing with StemeDB", word for word: keep them the same. */
@StemeDBTest
class ReadmeExampleTest {
    @Test
    void theLatestClaimWins(StemeDB db, ManualClock clock) {   // a new database in memory, closed after the test
        db.assertion("acme", "ceo", Value.text("Alice")).source("hr").commit();
        Instant beforeBob = clock.instant();
        clock.advance(Duration.ofHours(1));                      // the injected database reads this clock
        db.assertion("acme", "ceo", Value.text("Bob")).source("crm").commit();

        assertThat(db).resolves("acme", "ceo", Lenses.latest()).to(Value.text("Bob"));
        assertThat(db.asOf(beforeBob)).resolves("acme", "ceo", Lenses.latest()).to(Value.text("Alice"));
        assertThat(db).resolves("acme", "cfo", Lenses.latest()).toNothing();
    }

    @Test
    void onDisk(@OnDisk StemeDB db, @OnDisk Path directory) { // RocksDB in a temporary directory, deleted after the test
        db.assertion("acme", "hq", Value.text("Paris")).source("hr").commit();
        assertTrue(Files.isDirectory(directory));
    }
}
