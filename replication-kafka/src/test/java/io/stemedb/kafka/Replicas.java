package io.stemedb.kafka;

import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.StemeDB;
import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the tests ask of databases that replicate: their id sets, their digests, waiting for a
 * condition. Shared with the whole-library tests (src/test) through this module's test jar.
 */
public final class Replicas {
    private Replicas() {
    }

    /** Every id {@code db} holds, read from its arrival log. */
    public static Set<AssertionId> ids(StemeDB db) {
        Set<AssertionId> ids = new HashSet<>();
        long after = 0;
        for (List<Change> page = db.changesSince(0, 10_000); !page.isEmpty(); page = db.changesSince(after, 10_000)) {
            for (Change c : page) {
                ids.add(c.assertion().id());
            }
            after = page.get(page.size() - 1).sequence();
        }
        return ids;
    }

    /** The Merkle root of {@code db}'s id set: the digest (sum, count) that sync compares first. */
    public static IdDigest root(StemeDB db) {
        IdDigest d = IdDigest.empty();
        for (AssertionId id : ids(db)) {
            d = d.plus(id);
        }
        return d;
    }

    /** Waits until {@code condition} holds, failing with {@code state} after {@code timeout}. */
    public static void await(Duration timeout, BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + timeout + ": " + state.get());
            }
            Thread.sleep(50);
        }
    }
}
