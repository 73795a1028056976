package io.stemedb.cli.commands;

import io.stemedb.StemeDB;
import io.stemedb.cli.Sources;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code stemedb sources}: every source with its counts. The library has no listing of sources,
 * so this reads the whole change feed once.
 */
@Command(name = "sources", mixinStandardHelpOptions = true,
        description = {"Lists every source, with its counts of claims and retractions.",
            "Also when each source first and last recorded something. Reads the whole database."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class SourcesCommand extends DbCommand {
    @Override
    protected int execute() {
        List<Sources.Source> sources;
        try (StemeDB db = openForReading(); Progress progress = progress()) {
            sources = Sources.of(db, progress);
        }
        if (json) {
            printJson(Sources.json(sources));
            return ExitCodes.OK;
        }
        if (sources.isEmpty()) {
            out().println("no sources: the database is empty");
            return ExitCodes.OK;
        }
        Table t = new Table("SOURCE", "CLAIMS", "RETRACTIONS", "FIRST", "LAST");
        sources.forEach(x -> t.row(x.name(), x.claims(), x.retractions(), x.first().instant(), x.last().instant()));
        t.print(out());
        return ExitCodes.OK;
    }
}
