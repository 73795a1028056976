package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Value;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The erasure contract on the {@link RocksEngine}, and what only a database on disk must show. */
class RocksErasureTest extends ErasureContractTest {
    @TempDir
    Path dir;

    @Override
    protected Engine newEngine() {
        return RocksEngine.open(dir.resolve("db"), RocksSettings.DEFAULT, 0x5eedL);
    }

    @Override
    protected Engine reopen(Engine engine) {
        engine.close();
        return newEngine();
    }

    /**
     * A read-write open moves the format record to 4 (erasures, ids written behind the commits),
     * which a StemeDB that predates either refuses; a read-only open of a database of format 2 (no
     * erasure) changes nothing; an erasure's cleanup mark is gone once its commit is done.
     */
    @Test
    void aReadWriteOpenWritesFormatFourAndTheCleanupMarkIsGone() throws Exception {
        engine.commit(List.of(claim("s", "p", Value.text("x"), "crm")));
        engine.close();
        byte[] formatKey = "format".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir.resolve("db"))) {
            assertArrayEquals(ByteBuffer.allocate(4).putInt(RocksStore.INDEXED_IDS_FORMAT).array(), raw.db.get(raw.family("default"), formatKey));
            raw.db.put(raw.family("default"), formatKey, ByteBuffer.allocate(4).putInt(RocksStore.FORMAT_VERSION).array());
        }
        try (RocksEngine readOnly = RocksFaultTest.openReadOnly(dir.resolve("db"))) {
            assertEquals(false, readOnly.store().erasureFormat());
            assertEquals(1, readOnly.evidence("s", "p").claims().size());
        }
        try (RocksFaultTest.RawDb raw = new RocksFaultTest.RawDb(dir.resolve("db"))) {
            assertArrayEquals(ByteBuffer.allocate(4).putInt(RocksStore.FORMAT_VERSION).array(), raw.db.get(raw.family("default"), formatKey));
        }

        engine = newEngine();
        RocksEngine rocks = (RocksEngine) engine;
        assertEquals(true, rocks.store().erasureFormat());
        assertArrayEquals(ByteBuffer.allocate(4).putInt(RocksStore.INDEXED_IDS_FORMAT).array(), rocks.store().get(rocks.store().meta(), formatKey));
        engine.commit(List.of(erasure(Erasure.Scope.subject("s"))));
        assertEquals(null, rocks.store().get(rocks.store().meta(), RocksErasures.CLEANUP_PENDING));
        assertEquals(0, engine.evidence("s", "p").claims().size());
    }

    /** A backup taken before an erasure holds what it erased; purging expires it and takes a fresh one; later ones hold none. */
    @Test
    void backupsHoldingErasedContentAreReportedAndExpired() {
        RocksEngine rocks = (RocksEngine) engine;
        Path backups = dir.resolve("backups");
        Claim a = claim("person:1", "email", Value.text("a@example.org"), "crm");
        Claim b = claim("person:1", "name", Value.text("A"), "crm");
        engine.commit(List.of(a, b, claim("person:2", "name", Value.text("B"), "crm")));
        RocksBackups.BackupInfo before = rocks.backup(backups, 10);
        engine.commit(List.of(erasure(Erasure.Scope.subject("person:1"))));
        RocksBackups.BackupInfo after = rocks.backup(backups, 10);

        List<RocksBackups.ErasedInBackup> holding = rocks.backupsHoldingErased(backups);

        assertEquals(List.of(new RocksBackups.ErasedInBackup(before, 2)), holding);
        RocksBackups.PurgeReport purged = rocks.purgeErasedBackups(backups);
        assertEquals(holding, purged.deleted());
        assertEquals(List.of(after.id(), purged.fresh().id()), RocksBackups.list(backups).stream().map(RocksBackups.BackupInfo::id).toList());
        assertEquals(List.of(), rocks.backupsHoldingErased(backups));
        assertEquals(null, rocks.purgeErasedBackups(backups).fresh(), "nothing left to expire");
    }

    /** A cleanup interrupted before its end (the pending mark left behind) runs again on open. */
    @Test
    void aPendingCleanupRunsAgainOnOpen() throws Exception {
        Claim c = claim("s", "p", Value.text("to be erased"), "crm");
        engine.commit(List.of(c));
        engine.commit(List.of(erasure(Erasure.Scope.subject("s"))));
        RocksStore store = ((RocksEngine) engine).store();
        try (org.rocksdb.WriteOptions o = new org.rocksdb.WriteOptions()) {
            store.db().put(store.meta(), o, RocksErasures.CLEANUP_PENDING, new byte[0]);
        }

        engine = reopen(engine);

        RocksStore reopened = ((RocksEngine) engine).store();
        assertEquals(null, reopened.get(reopened.meta(), RocksErasures.CLEANUP_PENDING));
        assertConsistent();
    }
}
