package io.stemedb.cli.commands;

import io.stemedb.json.JsonLines;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small dataset with fixed timestamps (so fixed ids) where the sources disagree. */
final class Dataset {
    static final long NODE = 0x5eed_0000_0000_00aaL;

    static final Claim ACME_CEO_HR = claim("acme", "ceo", Value.text("Alice"), "hr", "2023-01-10T09:00:00Z", 0.9,
            "2019-01-01T00:00:00Z", null, Map.of("url", "https://hr.example/acme"));
    static final Claim ACME_CEO_CRM = claim("acme", "ceo", Value.text("Bob"), "crm", "2023-02-10T09:00:00Z", 0.6,
            null, null, Map.of());
    static final Claim ACME_CEO_NEWS = claim("acme", "ceo", Value.text("Bob"), "news", "2023-03-10T09:00:00Z", null,
            "2023-03-01T00:00:00Z", null, Map.of());
    static final Claim ACME_EMPLOYEES_HR = claim("acme", "employees", Value.integer(1200), "hr", "2023-01-10T09:00:00Z",
            null, null, null, Map.of());
    static final Claim ACME_EMPLOYEES_CRM = claim("acme", "employees", Value.integer(1500), "crm", "2023-02-11T09:00:00Z",
            null, null, null, Map.of());
    static final Claim GLOBEX_CEO = claim("globex", "ceo", Value.text("Carol"), "crm", "2023-01-15T09:00:00Z", null,
            null, null, Map.of());
    static final Claim GLOBEX_PUBLIC = claim("globex", "public", Value.bool(true), "news", "2023-04-01T09:00:00Z", null,
            null, null, Map.of());
    static final Claim GLOBEX_FOUNDED = claim("globex", "founded", Value.instant(Instant.parse("2001-06-12T00:00:00Z")),
            "registry", "2023-01-01T09:00:00Z", 0.99, null, null, Map.of());
    static final Claim INITECH_CEO = claim("initech", "ceo", Value.text("Bob"), "web", "2023-05-01T09:00:00Z", 0.3,
            null, null, Map.of());
    static final Retraction INITECH_CEO_RETRACTED = Retraction.of(INITECH_CEO.id(), "web",
            Hlc.of(Instant.parse("2023-05-02T09:00:00Z").toEpochMilli(), 0, NODE), Map.of("reason", "misread the page"));
    static final Claim INITECH_REVENUE = claim("initech", "revenue", Value.real(1.5e6), "crm", "2023-05-03T09:00:00Z",
            null, null, null, Map.of());
    static final Claim INITECH_LOGO = claim("initech", "logo", Value.bytes(new byte[] {0x0a, 0x0b}), "web",
            "2023-05-04T09:00:00Z", null, null, null, Map.of());
    static final Claim INITECH_PARENT = claim("initech", "parent", Value.ref("globex"), "registry", "2023-05-05T09:00:00Z",
            null, "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", Map.of());

    static final List<Assertion> ALL = List.of(ACME_CEO_HR, ACME_CEO_CRM, ACME_CEO_NEWS, ACME_EMPLOYEES_HR,
            ACME_EMPLOYEES_CRM, GLOBEX_CEO, GLOBEX_PUBLIC, GLOBEX_FOUNDED, INITECH_CEO, INITECH_CEO_RETRACTED,
            INITECH_REVENUE, INITECH_LOGO, INITECH_PARENT);

    private Dataset() {}

    private static Claim claim(String subject, String predicate, Value value, String source, String recorded,
            Double confidence, String from, String to, Map<String, String> meta) {
        Claim.Builder b = Claim.builder(subject, predicate, value).source(source)
                .hlc(Hlc.of(Instant.parse(recorded).toEpochMilli(), 0, NODE))
                .validFrom(from == null ? null : Instant.parse(from)).validTo(to == null ? null : Instant.parse(to))
                .metadata(meta);
        if (confidence != null) {
            b.confidence(confidence);
        }
        return b.build();
    }

    /** The dataset as JSON Lines. */
    static List<String> lines() {
        List<String> lines = new ArrayList<>();
        ALL.forEach(a -> lines.add(JsonLines.toLine(a)));
        return lines;
    }

    /** Writes the dataset to {@code file}. */
    static Path write(Path file) {
        try {
            Files.write(file, lines(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh database at {@code cli}'s directory holding the dataset. */
    static Cli load(Cli cli, Path workDir) {
        cli.run("init").ok();
        // merged, not bulk-loaded, so that the database holds the assertions in the file's order
        cli.run("import", write(workDir.resolve("dataset.jsonl")).toString(), "--no-bulk").ok();
        return cli;
    }
}
