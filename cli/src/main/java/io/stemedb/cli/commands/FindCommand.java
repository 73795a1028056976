package io.stemedb.cli.commands;

import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.Value;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb find}: the subjects whose predicate resolves to a value. */
@Command(name = "find", mixinStandardHelpOptions = true,
        description = {"Lists the subjects whose PREDICATE, resolved through the lens, has VALUE among its values.",
            "A subject whose matching claim was overruled or retracted is not listed."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE + " (also when nothing matches)", ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class FindCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "PREDICATE")
    String predicate;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "text", converter = Converters.TypeConverter.class,
            description = "The value's type: text (default), integer, real, bool, bytes (hex), instant, ref.")
    Value.Type type;

    @Mixin
    LensOptions reading;

    @Override
    protected int execute() {
        Value v = Render.value(spec.commandLine(), value, type);
        try (StemeDB db = openForReading()) {
            ReadView view = reading.view(db);
            List<String> subjects = view.find(predicate, v, reading.lens());
            if (json) {
                printJson(Json.found(predicate, v, reading.expression(), reading.asOf, subjects));
                return ExitCodes.OK;
            }
            if (subjects.isEmpty()) {
                out().println("no subject has " + predicate + " = " + v + " under " + reading.lens().name());
            } else {
                Table t = new Table("SUBJECT");
                subjects.forEach(t::row);
                t.print(out());
            }
        }
        return ExitCodes.OK;
    }
}
