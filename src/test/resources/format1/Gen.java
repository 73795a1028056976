import io.stemedb.StemeDB;
import io.stemedb.acceptance.upgrade.AnswerDump;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the format-1 fixture with main's StemeDB (run against its jar, see README.md): a
 * database in args[0], every answer it gives as a JSON array of strings in args[1], a native
 * backup of it in args[2] and an archive of it in args[3].
 */
public class Gen {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Clock wall = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
        Random r = new Random(20251204);
        String[] sources = {"crm", "hr", "erp", "wéb-scraper"};
        String[] subjects = {"acme", "Zürich AG", "東京商事", "emoji 😀 co", "globex", "initech", "a", "ab"};
        String[] predicates = {"ceo", "revenue", "public", "logo", "founded", "rating", "parent", "b", "bc"};
        try (StemeDB db = StemeDB.builder().nodeId(0x0f0e0d0c0b0a0908L).clock(wall).open(dir)) {
            List<AssertionId> claims = new ArrayList<>();
            for (int i = 0; i < 220; i++) {
                String subject = subjects[r.nextInt(subjects.length)];
                String predicate = predicates[r.nextInt(predicates.length)];
                Value value = switch (i % 7) {
                    case 0 -> Value.integer(r.nextInt(4));
                    case 1 -> Value.text("v" + r.nextInt(5));
                    case 2 -> Value.real(r.nextInt(4) / 2.0);
                    case 3 -> Value.bool(r.nextBoolean());
                    case 4 -> Value.bytes(new byte[] {(byte) r.nextInt(3), 7});
                    case 5 -> Value.instant(Instant.ofEpochSecond(1_600_000_000L + r.nextInt(3)));
                    default -> Value.ref(subjects[r.nextInt(subjects.length)]);
                };
                var draft = db.assertion(subject, predicate, value).source(sources[r.nextInt(sources.length)]);
                if (r.nextInt(3) == 0) {
                    draft.confidence(r.nextInt(11) / 10.0);
                }
                if (r.nextInt(5) == 0) {
                    draft.validFrom(Instant.parse("2020-01-01T00:00:00Z")).validTo(Instant.parse("2030-01-01T00:00:00Z"));
                }
                if (r.nextInt(6) == 0) {
                    draft.metadata("url", "https://example.org/" + i).metadata("note", "n°" + i);
                }
                claims.add(draft.commit());
            }
            // a fact with many claims, written in batches
            for (int b = 0; b < 5; b++) {
                int batch = b;
                db.write(w -> {
                    for (int k = 0; k < 30; k++) {
                        w.assertion("counter", "value", Value.integer(batch * 30 + k)).source(sources[k % sources.length]);
                    }
                });
            }
            // a large text value and a long name
            db.assertion("x".repeat(500), "description", Value.text("long ".repeat(50))).source("crm").commit();
            // local retractions, one with a reason
            for (int i = 0; i < 12; i++) {
                db.retract(claims.get(r.nextInt(claims.size())), sources[i % sources.length]);
            }
            db.retract(claims.get(3), "hr", Map.of("reason", "wrong person"));
            // from another replica: a retraction that arrives before its claim, by merge
            Hlc remote = Hlc.of(Instant.parse("2025-05-01T00:00:00Z").toEpochMilli(), 0, 0x77L);
            Claim early = Claim.builder("acme", "ceo", Value.text("Remote Rita")).source("partner").hlc(remote)
                    .confidence(0.7).build();
            Retraction ofEarly = Retraction.of(early.id(), "partner", Hlc.of(remote.physicalMillis() + 5, 0, 0x77L), Map.of());
            db.merge(List.of(ofEarly));
            db.merge(List.of(early));
            // a retraction whose target never arrives, and a retraction of that retraction
            Claim never = Claim.builder("ghost", "ceo", Value.text("Nobody")).source("partner").hlc(remote).build();
            Retraction ofNever = Retraction.of(never.id(), "partner", Hlc.of(remote.physicalMillis() + 9, 0, 0x77L), Map.of());
            db.merge(List.of(ofNever));
            db.merge(List.of(Retraction.of(ofNever.id(), "crm", Hlc.of(remote.physicalMillis() + 10, 0, 0x77L), Map.of())));
            // more remote claims, some conflicting with local ones
            List<Claim> remoteClaims = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                remoteClaims.add(Claim.builder(subjects[i % subjects.length], "ceo", Value.text("R" + (i % 3)))
                        .source("partner").hlc(Hlc.of(remote.physicalMillis() + 100 + i, i % 2, 0x77L)).build());
            }
            db.merge(remoteClaims);
            db.assertion("acme", "ceo", Value.text("Alice")).source("hr").confidence(0.95).commit();
            List<String> lines = AnswerDump.of(db);
            StringBuilder json = new StringBuilder("[\n");
            for (int i = 0; i < lines.size(); i++) {
                json.append("  \"").append(escape(lines.get(i))).append('"').append(i + 1 < lines.size() ? ",\n" : "\n");
            }
            Files.writeString(Path.of(args[1]), json.append("]\n"), StandardCharsets.UTF_8);
            db.backup(Path.of(args[2]), 1);
            db.exportArchive(Path.of(args[3]), io.stemedb.ExportOptions.ALL, io.stemedb.backup.ProgressListener.NONE);
            System.out.println(db.stats().assertions() + " assertions");
        }
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
