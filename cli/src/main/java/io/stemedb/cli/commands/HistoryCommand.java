package io.stemedb.cli.commands;

import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.crdt.Evidence;
import io.stemedb.json.Json;
import io.stemedb.model.Claim;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb history}: every claim ever made about one fact. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Lists every claim about SUBJECT's PREDICATE, oldest first, retracted ones included.",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class HistoryCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "SUBJECT")
    String subject;

    @Parameters(index = "1", paramLabel = "PREDICATE")
    String predicate;

    @Option(names = "--as-of", paramLabel = "TIME", converter = Converters.InstantConverter.class,
            description = "The history as it was at TIME (record time).")
    Instant asOf;

    @Override
    protected int execute() {
        try (StemeDB db = openForReading()) {
            ReadView view = asOf == null ? db : db.asOf(asOf);
            Evidence e = view.history(subject, predicate);
            if (json) {
                printJson(Json.history(e, asOf));
                return ExitCodes.OK;
            }
            if (e.isEmpty()) {
                out().println("no claims about " + subject + " " + predicate);
                return ExitCodes.OK;
            }
            Table t = new Table("RECORDED", "SOURCE", "VALUE", "CONFIDENCE", "VALID", "STATUS", "ID").shrinkFirst(2);
            for (Claim c : e.claims()) {
                t.row(Render.recorded(c), c.source(), c.value(), Render.confidence(c), Render.valid(c),
                        Render.status(e, c), Render.id(c));
            }
            t.print(out());
        }
        return ExitCodes.OK;
    }
}
