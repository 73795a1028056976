package io.stemedb.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.KeyEntry;
import io.stemedb.model.SigningKey;
import io.stemedb.model.TestKeys;
import io.stemedb.model.Value;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed claims in JSON Lines: an export carries the attestations and registry entries as claims,
 * an import re-verifies them (checked and bulk), and forged lines are refused and reported; a
 * resolution's document names the key of each signed winner.
 */
class SignedJsonLinesTest {
    static final SigningKey ROOT = TestKeys.key(1);
    static final SigningKey HR = TestKeys.key(2);
    static final SigningKey CRM = TestKeys.key(3);
    static final long T = 1_700_000_000_000L;

    @TempDir
    Path dir;

    static StemeDB rooted(int node) {
        return StemeDB.builder().nodeId(node).rootKey(ROOT.publicKey()).inMemory();
    }

    @Test
    void anExportOfSignedClaimsImportsProvenAndTheDocumentNamesTheKey() throws Exception {
        Path file = dir.resolve("signed.jsonl");
        try (StemeDB db = rooted(1)) {
            db.registerKey("hr", HR.publicKey(), Instant.EPOCH, ROOT);
            db.assertion("acme", "ceo", Value.text("Alice")).source("hr").signedWith(HR).commit();
            JsonLines.exportTo(db, file, JsonLines.ExportOptions.all());
        }
        for (boolean bulk : List.of(false, true)) {
            try (StemeDB db = rooted(2)) {
                JsonLines.importFrom(db, file, JsonLines.ImportOptions.defaults().withBulk(bulk));
                Resolution r = db.resolve("acme", "ceo", Lenses.signedOnly());
                assertEquals(Value.text("Alice"), r.value().orElseThrow());
                JsonNode doc = Json.resolution(r, "latest.requireSignature()", null);
                assertEquals(HR.publicKeyHex(), doc.get("signedBy").get(r.winners().get(0).id().toString()).asText());
                assertTrue(doc.get("explain").asText().contains("signed by key " + HR.publicKeyHex().substring(0, 16)));
            }
        }
    }

    @Test
    void forgedLinesAreRefusedAndReportedAndNothingForgedPassesASignedOnlyLens() throws Exception {
        Claim alice = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").hlc(Hlc.of(T, 0, 9)).build();
        Claim mallory = Claim.builder("acme", "ceo", Value.text("Mallory")).source("hr").hlc(Hlc.of(T + 1, 0, 9)).build();
        Claim aliceSigned = Attestation.sign(alice, HR, alice.hlc());
        byte[] payload = aliceSigned.value().asBytes();
        mallory.id().copyTo(payload, 1);
        Claim replayed = Claim.builder(Attestation.SUBJECT_PREFIX + mallory.id(), Attestation.PREDICATE, Value.bytes(payload))
                .source(Attestation.SOURCE).hlc(mallory.hlc()).build();
        byte[] blank = ByteBuffer.allocate(Attestation.PAYLOAD_BYTES).put((byte) 1).put(mallory.id().toBytes()).put(HR.publicKey())
                .array();
        Claim wrong = Claim.builder(Attestation.SUBJECT_PREFIX + mallory.id(), Attestation.PREDICATE, Value.bytes(blank))
                .source(Attestation.SOURCE).hlc(mallory.hlc()).build();
        Claim byCrm = Attestation.sign(mallory, CRM, mallory.hlc());
        Claim rogue = KeyEntry.entry("hr", KeyEntry.Action.BIND, CRM.publicKey(), Instant.EPOCH, CRM, mallory.hlc());
        List<Claim> lines = List.of(KeyEntry.entry("hr", KeyEntry.Action.BIND, HR.publicKey(), Instant.EPOCH, ROOT, alice.hlc()),
                KeyEntry.entry("crm", KeyEntry.Action.BIND, CRM.publicKey(), Instant.EPOCH, ROOT, alice.hlc()),
                alice, aliceSigned, mallory, replayed, wrong, byCrm, rogue);
        Path file = dir.resolve("forged.jsonl");
        List<String> text = new ArrayList<>();
        lines.forEach(c -> text.add(JsonLines.toLine(c)));
        Files.write(file, text);
        Set<AssertionId> forged = Set.of(replayed.id(), wrong.id(), rogue.id());
        for (boolean bulk : List.of(false, true)) {
            try (StemeDB db = rooted(2)) {
                MergeResult merge = JsonLines.importFrom(db, file, JsonLines.ImportOptions.defaults().withBulk(bulk)).merge();
                assertEquals(forged, merge.rejected().stream().map(MergeResult.Rejected::id).collect(Collectors.toSet()),
                        merge.toString());
                assertEquals(3, db.counters().signaturesRefused());
                forged.forEach(id -> assertFalse(db.get(id).isPresent()));
                assertEquals(Value.text("Mallory"), db.resolve("acme", "ceo", Lenses.latest()).value().orElseThrow());
                assertEquals(List.of(alice), db.resolve("acme", "ceo", Lenses.signedOnly()).winners());
            }
        }
    }
}
