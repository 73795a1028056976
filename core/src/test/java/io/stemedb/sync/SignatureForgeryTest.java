package io.stemedb.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.BulkLoadResult;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.backup.Archive;
import io.stemedb.backup.ProgressListener;
import io.stemedb.lens.Lenses;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncReport;
import io.stemedb.merkle.SyncResponder;
import io.stemedb.merkle.SyncTransport;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.EncodedAssertion;
import io.stemedb.model.Hlc;
import io.stemedb.model.KeyEntry;
import io.stemedb.model.SigningKey;
import io.stemedb.model.TestKeys;
import io.stemedb.model.Value;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forgeries of a claim under a registered source's name (the source {@code registry}, whose key
 * is registered) reach a database through every arrival path: merge, merge of encoded records,
 * sync from a malicious peer, archive import and bulk load. A bad signature, a replayed one and a
 * registry entry signed by another root are refused, counted and reported; the unsigned forgery
 * and the one signed by another registered key are stored, as unsigned claims may be, and never
 * pass a signed-only lens.
 */
class SignatureForgeryTest {
    static final SigningKey ROOT = TestKeys.key(1);
    static final SigningKey REGISTRY = TestKeys.key(2);
    static final SigningKey CRM = TestKeys.key(3);
    static final SigningKey THIEF = TestKeys.key(4);
    static final SigningKey THIEF_ROOT = TestKeys.key(5);
    static final long T = 1_700_000_000_000L;

    @TempDir
    Path dir;

    static Hlc at(long offset) {
        return Hlc.of(T + offset, 0, 9);
    }

    /** An attestation of {@code target} carrying {@code key} and {@code signature} as they are: a forger's. */
    static Claim forgedAttestation(AssertionId target, byte[] key, byte[] signature, Hlc hlc) {
        byte[] payload = ByteBuffer.allocate(Attestation.PAYLOAD_BYTES).put((byte) Attestation.VERSION).put(target.toBytes())
                .put(key).put(signature).array();
        return Claim.builder(Attestation.SUBJECT_PREFIX + target, Attestation.PREDICATE, Value.bytes(payload))
                .source(Attestation.SOURCE).hlc(hlc).build();
    }

    /** What a malicious peer holds: the legitimate registry and claim, and the forgeries. */
    static final class Bundle {
        final List<Assertion> all = new ArrayList<>();
        final Claim alice = Claim.builder("acme", "ceo", Value.text("Alice")).source("registry").hlc(at(1)).build();
        final Claim mallory = Claim.builder("acme", "ceo", Value.text("Mallory")).source("registry").hlc(at(2)).build();
        final Claim mallory2 = Claim.builder("acme", "ceo", Value.text("Mallory2")).source("registry").hlc(at(3)).build();
        final Claim mallory3 = Claim.builder("acme", "ceo", Value.text("Mallory3")).source("registry").hlc(at(4)).build();
        final Claim mallory4 = Claim.builder("acme", "ceo", Value.text("Mallory4")).source("registry").hlc(at(5)).build();
        final Set<AssertionId> refused;

        Bundle() {
            Claim aliceSigned = Attestation.sign(alice, REGISTRY, at(1));
            byte[] aliceSignature = Arrays.copyOfRange(aliceSigned.value().asBytes(), 1 + 32 + 32, Attestation.PAYLOAD_BYTES);
            // no signature at all
            // a wrong signature
            Claim wrong = forgedAttestation(mallory2.id(), REGISTRY.publicKey(), new byte[64], at(3));
            // a signature by another registered key
            Claim byCrm = Attestation.sign(mallory3, CRM, at(4));
            // a replayed signature: Alice's, over different bytes
            Claim replayed = forgedAttestation(mallory4.id(), REGISTRY.publicKey(), aliceSignature, at(5));
            // the thief registers its own key for registry, signed by its own root
            Claim rogueEntry = KeyEntry.entry("registry", KeyEntry.Action.BIND, THIEF.publicKey(), Instant.EPOCH, THIEF_ROOT, at(6));
            Claim byThief = Attestation.sign(mallory4, THIEF, at(6));
            all.addAll(List.of(KeyEntry.entry("registry", KeyEntry.Action.BIND, REGISTRY.publicKey(), Instant.EPOCH, ROOT, at(0)),
                    KeyEntry.entry("crm", KeyEntry.Action.BIND, CRM.publicKey(), Instant.EPOCH, ROOT, at(0)), alice, aliceSigned,
                    mallory, mallory2, wrong, mallory3, byCrm, mallory4, replayed, rogueEntry, byThief));
            refused = Set.of(wrong.id(), replayed.id(), rogueEntry.id());
        }
    }

    static StemeDB rooted(int node) {
        return StemeDB.builder().nodeId(node).rootKey(ROOT.publicKey()).inMemory();
    }

    /** The database holds everything but the refused forgeries, counted, and a signed-only lens sees only Alice. */
    static void assertDefended(StemeDB db, Bundle b, Set<AssertionId> reported) {
        assertEquals(b.refused, reported);
        assertEquals(3, db.counters().signaturesRefused());
        for (AssertionId id : b.refused) {
            assertFalse(db.get(id).isPresent(), id.toString());
        }
        assertEquals(Value.text("Mallory4"), db.resolve("acme", "ceo", Lenses.latest()).value().orElseThrow());
        assertEquals(List.of(b.alice), db.resolve("acme", "ceo", Lenses.signedOnly()).winners());
        assertEquals(List.of(b.alice), db.resolve("acme", "ceo", Lenses.trust("registry", "crm").requireSignature()).winners());
        assertTrue(db.verifySignatures().ok());
        assertEquals(1, db.verifySignatures().proving());
    }

    static Set<AssertionId> ids(List<MergeResult.Rejected> rejected) {
        return rejected.stream().map(MergeResult.Rejected::id).collect(Collectors.toSet());
    }

    @Test
    void merge() {
        Bundle b = new Bundle();
        try (StemeDB db = rooted(1)) {
            MergeResult r = db.merge(b.all);
            assertDefended(db, b, ids(r.rejected()));
            assertEquals(b.all.size() - 3, r.added());
        }
    }

    @Test
    void mergeOfEncodedRecords() {
        Bundle b = new Bundle();
        try (StemeDB db = rooted(1)) {
            List<EncodedAssertion> records = b.all.stream().map(a -> new EncodedAssertion(a.id(), a.canonicalBytes())).toList();
            assertDefended(db, b, ids(db.mergeEncoded(records).rejected()));
        }
    }

    @Test
    void syncFromAMaliciousPeer() {
        Bundle b = new Bundle();
        HeapReplica evil = new HeapReplica(b.all, r -> r);
        try (StemeDB db = rooted(1)) {
            SyncReport report = db.syncWith(SyncTransport.inProcess(new SyncResponder(evil, SyncLimits.DEFAULT)));
            assertDefended(db, b, report.refusedHere().stream().map(r -> r.id()).collect(Collectors.toSet()));
        }
    }

    @Test
    void archiveImportIntoAnEmptyDatabaseAndIntoOneInUse() {
        Bundle b = new Bundle();
        Path archive = dir.resolve("forged.stemedb");
        Archive.export(() -> b.all.iterator(), archive, "forged", true, ProgressListener.NONE);
        try (StemeDB empty = StemeDB.builder().nodeId(1).rootKey(ROOT.publicKey()).open(dir.resolve("empty"));
                StemeDB inUse = rooted(2)) {
            assertDefended(empty, b, ids(empty.importArchive(archive, ProgressListener.NONE).rejected()));
            inUse.assertion("other", "p", Value.integer(1)).source("local").commit();
            assertDefended(inUse, b, ids(inUse.importArchive(archive, ProgressListener.NONE).rejected()));
        }
    }

    @Test
    void bulkLoad() {
        Bundle b = new Bundle();
        try (StemeDB db = StemeDB.builder().nodeId(1).rootKey(ROOT.publicKey()).open(dir.resolve("bulk"))) {
            BulkLoadResult r = db.bulkLoad(b.all.iterator(), ProgressListener.NONE);
            assertDefended(db, b, ids(r.rejected()));
        }
    }

    @Test
    void aPeerWithAnotherRootKeysRegistryIsRefused() {
        try (StemeDB theirs = StemeDB.builder().nodeId(1).rootKey(THIEF_ROOT.publicKey()).inMemory(); StemeDB ours = rooted(2)) {
            theirs.registerKey("registry", THIEF.publicKey(), Instant.EPOCH, THIEF_ROOT);
            theirs.assertion("acme", "ceo", Value.text("Mallory")).source("registry").signedWith(THIEF).commit();
            assertEquals(Value.text("Mallory"), theirs.resolve("acme", "ceo", Lenses.signedOnly()).value().orElseThrow());
            SyncReport report = ours.syncWith(theirs);
            assertEquals(1, report.refusedHere().size(), report.toString());
            assertEquals(1, ours.counters().signaturesRefused());
            assertTrue(ours.resolve("acme", "ceo", Lenses.signedOnly()).winners().isEmpty());
        }
    }

    @Test
    void signaturesReplicateWithSyncAndProveOnTheOtherReplica() {
        try (StemeDB a = rooted(1); StemeDB b = rooted(2)) {
            a.registerKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT);
            a.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
            b.assertion("acme", "ceo", Value.text("Bob")).source("registry").commit();
            a.syncWith(b);
            for (StemeDB db : List.of(a, b)) {
                assertEquals(Value.text("Alice"), db.resolve("acme", "ceo", Lenses.signedOnly()).value().orElseThrow());
                assertEquals(Value.text("Bob"), db.resolve("acme", "ceo", Lenses.latest()).value().orElseThrow());
            }
        }
    }
}
