package io.stemedb.cli.commands;

import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.AssertionId;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb retract}: withdraws a claim and prints the retraction's id. */
@Command(name = "retract", mixinStandardHelpOptions = true,
        description = {"Retracts a claim and prints the retraction's id.",
            "SOURCE withdraws the claim ID. The claim stays in the history, marked retracted; no lens "
                    + "chooses it again."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE + " (also: no claim with that id)", ExitCodes.USAGE_LINE})
public final class RetractCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "ID", converter = Converters.IdConverter.class,
            description = "The id of the claim to retract (64 hex digits).")
    AssertionId target;

    @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "Who retracts it (required).")
    String source;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, stored as the metadata entry 'reason'.")
    String reason;

    @Override
    protected int execute() {
        Map<String, String> meta = new LinkedHashMap<>();
        if (reason != null) {
            meta.put("reason", reason);
        }
        try (StemeDB db = openForWriting()) {
            AssertionId id = db.retract(target, source, meta);
            if (json) {
                printJson(Json.assertion(db.get(id).orElseThrow()));
            } else {
                out().println(id);
            }
        }
        return ExitCodes.OK;
    }
}
