package io.stemedb.cli.commands;

import io.stemedb.PendingClaim;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.SigningKey;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb assert}: records one claim and prints its id. */
@Command(name = "assert", mixinStandardHelpOptions = true,
        description = {"Records a claim: SOURCE says that SUBJECT's PREDICATE is VALUE. Prints its id.",
            "A value that starts with '-' goes after '--', e.g.: stemedb assert --source hr acme balance "
                    + "--type integer -- -5"},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class AssertCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "SUBJECT", description = "The entity the claim is about, e.g. acme.")
    String subject;

    @Parameters(index = "1", paramLabel = "PREDICATE", description = "The attribute, e.g. ceo.")
    String predicate;

    @Parameters(index = "2", paramLabel = "VALUE", description = "The value, read as --type says.")
    String value;

    @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "Who makes the claim (required).")
    String source;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "text", converter = Converters.TypeConverter.class,
            description = "The value's type: text (default), integer, real, bool, bytes (hex), instant, ref.")
    Value.Type type;

    @Option(names = "--confidence", paramLabel = "C", description = "How sure the source is, between 0 and 1.")
    Double confidence;

    @Option(names = "--valid-from", paramLabel = "TIME", converter = Converters.InstantConverter.class,
            description = "The claim holds in the world from TIME on (inclusive), e.g. 2023-03-20 or 2023-03-20T09:00:00Z.")
    Instant validFrom;

    @Option(names = "--valid-to", paramLabel = "TIME", converter = Converters.InstantConverter.class,
            description = "The claim holds until TIME (exclusive).")
    Instant validTo;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata (evidence, url...); repeat for more.")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = "--sign-key", paramLabel = "FILE",
            description = "Signs the claim with this private key file (stemedb keygen): the claim is stored with its attestation.")
    Path signKey;

    @Override
    protected int execute() {
        Value v = Render.value(spec.commandLine(), value, type);
        if (confidence != null && !(confidence >= 0.0 && confidence <= 1.0)) {
            throw usage("--confidence must be between 0 and 1, got " + confidence);
        }
        if (validFrom != null && validTo != null && !validTo.isAfter(validFrom)) {
            throw usage("--valid-to (" + validTo + ") must be after --valid-from (" + validFrom + ")");
        }
        try (StemeDB db = openForWriting()) {
            PendingClaim claim = db.assertion(subject, predicate, v).source(source).validFrom(validFrom).validTo(validTo);
            if (confidence != null) {
                claim.confidence(confidence);
            }
            meta.forEach(claim::metadata);
            if (signKey != null) {
                claim.signedWith(SigningKey.read(signKey));
            }
            AssertionId id;
            try {
                id = claim.commit();
            } catch (Assertion.InvalidAssertionException e) {
                throw usage(e.getMessage()); // an argument breaks a rule: nothing was stored
            }
            if (json) {
                printJson(Json.assertion(db.get(id).orElseThrow()));
            } else {
                out().println(id);
            }
        }
        return ExitCodes.OK;
    }
}
