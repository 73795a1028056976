package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.backup.ProgressListener;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.KeyEntry;
import io.stemedb.model.SigningKey;
import io.stemedb.model.TestKeys;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed claims through the API: signing, the key registry, rotation, revocation, explanations and verify. */
class SignedClaimsTest {
    static final SigningKey ROOT = TestKeys.key(1);
    static final SigningKey REGISTRY = TestKeys.key(2);
    static final SigningKey CRM = TestKeys.key(3);
    static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;

    static StemeDB memory(ManualClock clock) {
        return StemeDB.builder().nodeId(1).clock(clock).rootKey(ROOT.publicKey()).inMemory();
    }

    /** The registry binds REGISTRY's key to registry and CRM's to crm, from the epoch. */
    static void register(StemeDB db) {
        db.registerKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT);
        db.registerKey("crm", CRM.publicKey(), Instant.EPOCH, ROOT);
    }

    @Test
    void aSignedOnlyLensPassesOverUnsignedClaimsAndExplainsTheKey() {
        for (StemeDB db : List.of(memory(new ManualClock(T0)),
                StemeDB.builder().nodeId(1).clock(new ManualClock(T0)).rootKey(ROOT.publicKey()).open(dir.resolve("db")))) {
            try (db) {
                register(db);
                AssertionId signed = db.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
                AssertionId unsigned = db.assertion("acme", "ceo", Value.text("Mallory")).source("registry").commit();
                assertEquals(Value.text("Mallory"), db.resolve("acme", "ceo", Lenses.latest()).value().orElseThrow());
                Resolution r = db.resolve("acme", "ceo", Lenses.signedOnly());
                assertEquals(List.of(signed), r.winners().stream().map(Claim::id).toList());
                assertTrue(r.explain().contains("signed by key " + REGISTRY.publicKeyHex().substring(0, 16)), r.explain());
                assertTrue(r.explain().contains("set aside (not requireSignature())"), r.explain());
                assertEquals(REGISTRY.publicKeyHex(), r.evidence().proofs().signer(r.winners().get(0)));
                assertNull(db.resolve("acme", "ceo", Lenses.latest()).evidence().proofs().signer(db.get(unsigned).map(Claim.class::cast).orElseThrow()));
                Lens parsed = Lenses.parse("trust[registry > crm].requireSignature()");
                assertEquals(Value.text("Alice"), db.resolve("acme", "ceo", parsed).value().orElseThrow());
                SignatureReport report = db.verifySignatures();
                assertTrue(report.ok(), report.toString());
                assertEquals(2, report.keyEntries());
                assertEquals(1, report.attestations());
                assertEquals(1, report.proving());
            }
        }
    }

    @Test
    void signingLeavesTheClaimsIdAsUnsignedAndBatchesSignToo() {
        try (StemeDB a = memory(new ManualClock(T0)); StemeDB b = memory(new ManualClock(T0))) {
            AssertionId plain = a.assertion("x", "p", Value.integer(1)).source("crm").commit();
            AssertionId signed = b.assertion("x", "p", Value.integer(1)).source("crm").signedWith(CRM).commit();
            assertEquals(plain, signed);
            List<AssertionId> ids = b.write(batch -> {
                batch.assertion("y", "p", Value.integer(2)).source("crm").signedWith(CRM);
                batch.assertion("z", "p", Value.integer(3)).source("crm");
            });
            assertEquals(2, ids.size());
            register(b);
            assertEquals(Value.integer(2), b.resolve("y", "p", Lenses.signedOnly()).value().orElseThrow());
            assertTrue(b.resolve("z", "p", Lenses.signedOnly()).winners().isEmpty());
            assertEquals(2, b.verifySignatures().proving());
        }
    }

    @Test
    void aClaimSignedByAnotherRegisteredKeyIsNotProven() {
        try (StemeDB db = memory(new ManualClock(T0))) {
            register(db);
            db.assertion("acme", "ceo", Value.text("Mallory")).source("registry").signedWith(CRM).commit();
            Resolution r = db.resolve("acme", "ceo", Lenses.signedOnly());
            assertTrue(r.winners().isEmpty(), r.explain());
            SignatureReport report = db.verifySignatures();
            assertEquals(0, report.proving());
            assertEquals(1, report.notProving());
        }
    }

    @Test
    void aRegistrationTakesEffectAtTheNextRead() {
        try (StemeDB db = memory(new ManualClock(T0))) {
            db.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
            assertTrue(db.resolve("acme", "ceo", Lenses.signedOnly()).winners().isEmpty());
            db.registerKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT);
            assertEquals(Value.text("Alice"), db.resolve("acme", "ceo", Lenses.signedOnly()).value().orElseThrow());
        }
    }

    @Test
    void rotationKeepsOldSignaturesAndRevocationWithdrawsThoseFromItsInstantOn() {
        ManualClock clock = new ManualClock(T0);
        SigningKey next = TestKeys.key(4);
        try (StemeDB db = memory(clock)) {
            db.registerKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT);
            db.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
            clock.set(T0 + 10_000);
            Instant rotation = Instant.ofEpochMilli(T0 + 5_000);
            db.registerKey("registry", next.publicKey(), rotation, ROOT);
            db.revokeKey("registry", REGISTRY.publicKey(), rotation, ROOT);
            // signed before the rotation with the old key: still proven
            assertEquals(Value.text("Alice"), db.resolve("acme", "ceo", Lenses.signedOnly()).value().orElseThrow());
            // the old key after its revocation proves nothing; the new one does
            db.assertion("acme", "cfo", Value.text("Old")).source("registry").signedWith(REGISTRY).commit();
            db.assertion("acme", "cto", Value.text("New")).source("registry").signedWith(next).commit();
            assertTrue(db.resolve("acme", "cfo", Lenses.signedOnly()).winners().isEmpty());
            assertEquals(Value.text("New"), db.resolve("acme", "cto", Lenses.signedOnly()).value().orElseThrow());
            // a leaked key revoked from the epoch withdraws everything it ever signed
            db.revokeKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT);
            assertTrue(db.resolve("acme", "ceo", Lenses.signedOnly()).winners().isEmpty());
            assertEquals(Value.text("New"), db.resolve("acme", "cto", Lenses.signedOnly()).value().orElseThrow());
            // a revoked key cannot be bound again: the earliest revocation stands
            db.registerKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT);
            assertTrue(db.resolve("acme", "ceo", Lenses.signedOnly()).winners().isEmpty());
        }
    }

    @Test
    void aNewKeyDoesNotProveClaimsMadeBeforeItsBinding() {
        ManualClock clock = new ManualClock(T0);
        try (StemeDB db = memory(clock)) {
            db.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
            db.registerKey("registry", REGISTRY.publicKey(), Instant.ofEpochMilli(T0 + 1), ROOT);
            assertTrue(db.resolve("acme", "ceo", Lenses.signedOnly()).winners().isEmpty());
        }
    }

    @Test
    void registryEntriesNeedTheRootKey() {
        SigningKey impostor = TestKeys.key(9);
        try (StemeDB db = memory(new ManualClock(T0)); StemeDB rootless = StemeDB.builder().nodeId(2).inMemory()) {
            Assertion.InvalidAssertionException e = assertThrows(Assertion.InvalidAssertionException.class,
                    () -> db.registerKey("registry", impostor.publicKey(), Instant.EPOCH, impostor));
            assertTrue(e.getMessage().contains("not signed by this database's root key"), e.getMessage());
            assertThrows(Assertion.InvalidAssertionException.class,
                    () -> rootless.registerKey("registry", REGISTRY.publicKey(), Instant.EPOCH, ROOT));
            assertEquals(1, db.counters().signaturesRefused());
            assertEquals(1, rootless.counters().signaturesRefused());
        }
    }

    @Test
    void theReservedSourcesTakeOnlyWellFormedSignatures() {
        try (StemeDB db = memory(new ManualClock(T0))) {
            assertThrows(Assertion.InvalidAssertionException.class,
                    () -> db.assertion("x", "p", Value.text("v")).source("stemedb:other").commit());
            assertThrows(Assertion.InvalidAssertionException.class,
                    () -> db.assertion(Attestation.SUBJECT_PREFIX + "00", Attestation.PREDICATE, Value.bytes(new byte[3]))
                            .source(Attestation.SOURCE).commit());
            assertThrows(Assertion.InvalidAssertionException.class,
                    () -> db.assertion(KeyEntry.SUBJECT_PREFIX + "crm", KeyEntry.PREDICATE, Value.bytes(new byte[KeyEntry.PAYLOAD_BYTES]))
                            .source(KeyEntry.SOURCE).commit());
            assertEquals(3, db.counters().signaturesRefused());
        }
    }

    @Test
    void aDatabaseKeepsItsRootKey() {
        Path path = dir.resolve("rooted");
        try (StemeDB db = StemeDB.builder().nodeId(1).rootKey(ROOT.publicKey()).open(path)) {
            register(db);
        }
        try (StemeDB db = StemeDB.builder().nodeId(1).open(path)) {
            db.registerKey("other", CRM.publicKey(), Instant.EPOCH, ROOT);
            assertEquals(3, db.verifySignatures().keyEntries());
        }
        SigningKey.InvalidKeyException e = assertThrows(SigningKey.InvalidKeyException.class,
                () -> StemeDB.builder().nodeId(1).rootKey(CRM.publicKey()).open(path));
        assertTrue(e.getMessage().contains("open it with its own root key"), e.getMessage());
    }

    @Test
    void signaturesLoadedInBulkSurviveAReopenAndVerify() {
        List<Assertion> all;
        try (StemeDB source = memory(new ManualClock(T0))) {
            register(source);
            source.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
            all = source.changesSince(0, 100).stream().map(io.stemedb.model.Change::assertion).toList();
        }
        Path path = dir.resolve("bulk");
        try (StemeDB db = StemeDB.builder().nodeId(1).clock(new ManualClock(T0)).rootKey(ROOT.publicKey()).open(path)) {
            assertEquals(all.size(), db.bulkLoad(all.iterator(), ProgressListener.NONE).added());
        }
        try (StemeDB db = StemeDB.builder().nodeId(1).clock(new ManualClock(T0)).open(path)) {
            Resolution r = db.resolve("acme", "ceo", Lenses.signedOnly());
            assertEquals(Value.text("Alice"), r.value().orElseThrow(), r.explain());
            assertEquals(REGISTRY.publicKeyHex(), r.evidence().proofs().signer(r.winners().get(0)));
            assertTrue(db.verify().ok());
            assertEquals(2, db.verifySignatures().keyEntries());
        }
    }

    @Test
    void signaturesSurviveAReopen() {
        Path path = dir.resolve("reopen");
        AssertionId id;
        try (StemeDB db = StemeDB.builder().nodeId(1).clock(new ManualClock(T0)).rootKey(ROOT.publicKey()).open(path)) {
            register(db);
            id = db.assertion("acme", "ceo", Value.text("Alice")).source("registry").signedWith(REGISTRY).commit();
        }
        try (StemeDB db = StemeDB.builder().nodeId(1).clock(new ManualClock(T0)).open(path)) {
            assertEquals(id, db.resolve("acme", "ceo", Lenses.signedOnly()).winners().get(0).id());
        }
    }
}
