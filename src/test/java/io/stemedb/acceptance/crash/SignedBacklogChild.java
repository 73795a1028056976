package io.stemedb.acceptance.crash;

import io.stemedb.StemeDB;
import io.stemedb.model.SigningKey;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * The process {@link OpenAfterCrashTest} kills: it registers a key, commits a claim signed with
 * it, then a backlog of unsigned claims large enough to keep its indexer busy for a while, prints
 * {@code WRITTEN <last sequence>} and waits to be killed.
 */
public final class SignedBacklogChild {
    static final SigningKey ROOT = SigningKey.fromSeed(seed(1));
    static final SigningKey REGISTRY = SigningKey.fromSeed(seed(2));
    /** In commits of 10,000: below the 100,000 the indexer may trail by, seconds of its work. */
    static final int BACKLOG = 90_000;

    private SignedBacklogChild() {}

    static byte[] seed(int b) {
        byte[] seed = new byte[SigningKey.KEY_BYTES];
        Arrays.fill(seed, (byte) b);
        return seed;
    }

    public static void main(String[] args) throws Exception {
        StemeDB db = StemeDB.builder().rootKey(ROOT.publicKey()).open(Path.of(args[0]));
        db.registerKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT);
        db.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
        for (int from = 0; from < BACKLOG; from += 10_000) {
            int start = from;
            db.write(batch -> {
                for (int i = start; i < start + 10_000; i++) {
                    batch.assertion("subject " + i, "employees", Value.integer(i)).source("feed");
                }
            });
        }
        System.out.println("WRITTEN " + db.stats().lastSequence());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
