package io.stemedb.acceptance.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.ExportOptions;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.VerifyReport;
import io.stemedb.backup.ProgressListener;
import io.stemedb.crdt.IdDigest;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when" for erasure, on real RocksDB replicas on disk: a subject erased on one
 * replica of three is, after sync, physically gone from every file of every replica (table files,
 * write-ahead logs, manifests, everything), while the replicas hold equal id sets and digests and
 * verify clean; a replica that was offline comes back with the erased claims and loses them; an
 * archive made before the erasure and the old claims merged again leave them erased; a claim made
 * after the erasure is kept.
 */
class ErasureAcceptanceTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path root;

    /** Content nobody could find by chance: random bytes (which no block compression shrinks) and random hex text. */
    private record Secret(byte[] value, String metadata) {
        static Secret fresh() {
            byte[] value = new byte[4096];
            RANDOM.nextBytes(value);
            byte[] meta = new byte[48];
            RANDOM.nextBytes(meta);
            return new Secret(value, HEX.formatHex(meta));
        }

        /** The byte strings that must be gone: slices of the value, the metadata text, and the record's bytes past its subject. */
        List<byte[]> needles(Claim c) {
            byte[] record = c.canonicalBytes();
            return List.of(Arrays.copyOfRange(value, 0, 64), Arrays.copyOfRange(value, 2000, 2064),
                    metadata.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(record, 20, 120));
        }
    }

    private StemeDB open(String name, long node) {
        return StemeDB.builder().nodeId(node).open(root.resolve(name));
    }

    private static Claim secretClaim(StemeDB db, String subject, String predicate, String source, Secret secret) {
        AssertionId id = db.assertion(subject, predicate, Value.bytes(secret.value())).source(source)
                .metadata("evidence", secret.metadata()).commit();
        return (Claim) db.get(id).orElseThrow();
    }

    private static List<AssertionId> ids(StemeDB db) {
        List<AssertionId> ids = new ArrayList<>();
        long after = 0;
        for (List<Change> page; !(page = db.changesSince(after, 5000)).isEmpty(); ) {
            for (Change c : page) {
                ids.add(c.assertion().id());
                after = c.sequence();
            }
        }
        ids.sort(null);
        return ids;
    }

    /** The files under {@code dir} that hold any of {@code needles}, with the needle found. */
    private static List<String> filesHolding(Path dir, List<byte[]> needles) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] content;
                try {
                    content = Files.readAllBytes(f);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // RocksDB deleted an obsolete file while the walk ran
                }
                for (int n = 0; n < needles.size(); n++) {
                    if (indexOf(content, needles.get(n)) >= 0) {
                        found.add(dir.relativize(f) + " holds needle " + n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** How many of {@code needles} some file under {@code dir} holds. */
    private static int filesHoldingEach(Path dir, List<byte[]> needles) {
        int held = 0;
        for (byte[] needle : needles) {
            held += filesHolding(dir, List.of(needle)).isEmpty() ? 0 : 1;
        }
        return held;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void assertClean(StemeDB db) {
        VerifyReport report = db.verify();
        assertEquals(0, report.problems().size(), report.problems().toString());
    }

    @Test
    void aSubjectErasedOnOneReplicaOfThreeIsPhysicallyGoneFromEveryReplicaAfterSync() throws Exception {
        Secret s1 = Secret.fresh();
        Secret s2 = Secret.fresh();
        Secret offlineSecret = Secret.fresh();
        List<byte[]> needles = new ArrayList<>();
        List<Claim> erasedClaims = new ArrayList<>();
        Path archive = root.resolve("before.stma");
        StemeDB a = open("a", 1);
        StemeDB b = open("b", 2);
        StemeDB c = open("c", 3);
        StemeDB offline = open("offline", 4);
        try {
            erasedClaims.add(secretClaim(a, "person:42", "passport", "crm", s1));
            erasedClaims.add(secretClaim(b, "person:42", "photo", "hr", s2));
            a.assertion("person:7", "name", Value.text("Kept Person")).source("crm").commit();
            a.syncWith(b);
            b.syncWith(c);
            a.syncWith(c);
            offline.syncWith(a);
            // the offline replica also made a claim about person:42 before the erasure that no one else saw
            erasedClaims.add(secretClaim(offline, "person:42", "note", "crm", offlineSecret));
            b.exportArchive(archive, ExportOptions.ALL, ProgressListener.NONE);
            List<Secret> secrets = List.of(s1, s2, offlineSecret);
            for (int i = 0; i < erasedClaims.size(); i++) {
                needles.addAll(secrets.get(i).needles(erasedClaims.get(i)));
            }
            for (StemeDB db : List.of(a, b, c)) {
                db.compact();
            }
            List<byte[]> sharedNeedles = needles.subList(0, 8);
            assertEquals(8, filesHoldingEach(root.resolve("b"), sharedNeedles),
                    "the search finds every secret before the erasure (so finding none after means something)");
            // the erasure is stamped after every claim it must cover, also in HLC order across nodes
            Thread.sleep(5);

            AssertionId erasureId = a.erase(Erasure.Scope.subject("person:42")).source("dpo")
                    .reason("GDPR art. 17 request 2024-0042").commit();
            a.syncWith(b);
            b.syncWith(c);
            a.syncWith(c);

            for (StemeDB db : List.of(a, b, c)) {
                assertTrue(db.history("person:42", "passport").claims().isEmpty());
                assertEquals(Optional.of(erasureId), db.erasedBy(erasedClaims.get(0).id()).map(Assertion::id));
                assertEquals("Kept Person", db.resolve("person:7", "name", Lenses.latest()).value().orElseThrow().asText());
                assertClean(db);
            }
            assertEquals(ids(a), ids(b));
            assertEquals(ids(a), ids(c));
            assertEquals(IdDigest.of(ids(a)), IdDigest.of(ids(c)));
            for (String name : List.of("a", "b", "c")) {
                assertEquals(List.of(), filesHolding(root.resolve(name), needles), "replica " + name + " still holds erased bytes");
            }

            // the offline replica comes back holding the erased claims, and its own older one
            offline.syncWith(a);
            offline.syncWith(b);
            for (StemeDB db : List.of(a, b, offline)) {
                for (Claim erased : erasedClaims) {
                    assertEquals(Optional.empty(), db.get(erased.id()), "resurrected on a replica: " + erased);
                }
                assertClean(db);
            }
            b.syncWith(c);
            assertEquals(ids(a), ids(offline));
            assertEquals(ids(a), ids(c));
            offline.close();
            assertEquals(List.of(), filesHolding(root.resolve("offline"), needles), "the offline replica still holds erased bytes");

            // an archive made before the erasure, and the old claims merged again, leave them erased
            MergeResult imported = c.importArchive(archive, ProgressListener.NONE);
            MergeResult merged = c.merge(erasedClaims);
            assertEquals(0, imported.added());
            assertEquals(0, merged.added());
            for (Claim erased : erasedClaims) {
                assertEquals(Optional.empty(), c.get(erased.id()));
            }
            assertTrue(c.erasureCounts().refused() >= erasedClaims.size());

            // a claim about the subject made after the erasure is kept and resolves
            c.assertion("person:42", "passport", Value.text("renewed")).source("crm").commit();
            c.syncWith(a);
            Resolution r = a.resolve("person:42", "passport", Lenses.latest());
            assertEquals("renewed", r.value().orElseThrow().asText());
            assertTrue(r.explain().contains("erased by dpo"), r.explain());
            assertFalse(r.explain().contains(HEX.formatHex(s1.value()).substring(0, 16)), r.explain());
            for (StemeDB db : List.of(a, b, c)) {
                db.close();
            }
            for (String name : List.of("a", "b", "c")) {
                assertEquals(List.of(), filesHolding(root.resolve(name), needles), "replica " + name + " after close");
            }
        } finally {
            for (StemeDB db : List.of(a, b, c, offline)) {
                db.close();
            }
        }
    }

    /** An erasure by a peer that the local policy refuses is reported as rejected and erases nothing here. */
    @Test
    void aDatabaseThatAcceptsOnlyLocalErasuresRefusesAPeersErasure() {
        try (StemeDB a = StemeDB.builder().nodeId(1).inMemory();
                StemeDB strict = StemeDB.builder().nodeId(2).erasurePolicy(io.stemedb.ErasurePolicy.LOCAL_ONLY).inMemory()) {
            AssertionId claim = a.assertion("person:1", "email", Value.text("x@example.org")).source("crm").commit();
            strict.merge(List.of(a.get(claim).orElseThrow()));
            a.erase(Erasure.Scope.subject("person:1")).source("dpo").reason("request").commit();

            a.syncWith(strict);

            assertTrue(strict.get(claim).isPresent(), "the peer's erasure was refused");
            assertEquals(0, strict.erasureCounts().erasures());
            assertTrue(a.get(claim).isEmpty());
        }
    }
}
