package io.stemedb.acceptance.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Value;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a crash the indexer replays what it had not indexed, in the background: opening the
 * database does not wait for that replay, and the signatures it loads on open (the key registry,
 * the attestations) are all there, since the commits index those themselves.
 */
class OpenAfterCrashTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private static long indexed(StemeDB db) {
        return Long.parseLong(db.stats().engineProperties().get("indexed-sequence"));
    }

    @Test
    void anOpenAfterAKillReturnsBeforeTheIndexerCatchesUpWithEverySignatureLoaded() throws Exception {
        Path dir = tmp.resolve("db");
        long written;
        try (ChildJvm writer = ChildJvm.start(SignedBacklogChild.class, tmp.resolve("writer.stderr"), dir.toString())) {
            String line = writer.expectLine(300);
            assertTrue(line.startsWith("WRITTEN "), line);
            written = Long.parseLong(line.substring("WRITTEN ".length()));
            writer.killHard();
        }
        try (StemeDB crashed = StemeDB.builder().openReadOnly(dir)) {
            Assumptions.assumeTrue(indexed(crashed) < written, "the indexer had caught up before the kill: nothing to tell");
        }

        try (StemeDB db = StemeDB.builder().rootKey(SignedBacklogChild.ROOT.publicKey()).open(dir)) {
            long indexedAtOpen = indexed(db);
            Resolution signed = db.resolve("acme", "ceo", Lenses.signedOnly());

            assertTrue(indexedAtOpen < written, "the open returned before the indexer's replay ended (indexed to "
                    + indexedAtOpen + " of " + written + ")");
            assertEquals(Value.text("Alice"), signed.value().orElseThrow(), signed.explain());
            assertEquals(SignedBacklogChild.REGISTRY.publicKeyHex(), signed.evidence().proofs().signer(signed.winners().get(0)));
            assertEquals(written, db.stats().lastSequence());
            assertTrue(db.verify().ok(), "once the indexer has caught up, the database verifies");
        }
    }
}
