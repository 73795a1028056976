package io.stemedb.cli.commands;

import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Claim;
import java.util.Map;
import java.util.SortedMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code stemedb entity}: every predicate of a subject, resolved. */
@Command(name = "entity", mixinStandardHelpOptions = true,
        description = {"Resolves every predicate of SUBJECT through a lens.",
            "Predicates with no value under the lens (every claim retracted, or none qualified) are left out."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class EntityCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "SUBJECT")
    String subject;

    @Mixin
    LensOptions reading;

    @Override
    protected int execute() {
        try (StemeDB db = openForReading()) {
            ReadView view = reading.view(db);
            SortedMap<String, Resolution> entity = view.entity(subject, reading.lens());
            if (json) {
                printJson(Json.entity(subject, entity, reading.lens().name(), reading.expression(), reading.asOf));
                return ExitCodes.OK;
            }
            if (entity.isEmpty()) {
                out().println("nothing known about " + subject + " under " + reading.lens().name());
                return ExitCodes.OK;
            }
            Table t = new Table("PREDICATE", "VALUE", "SOURCE", "RECORDED", "ID").shrinkFirst(1);
            for (Map.Entry<String, Resolution> e : entity.entrySet()) {
                String predicate = e.getKey();
                for (Claim c : e.getValue().winners()) {
                    t.row(predicate, c.value(), c.source(), Render.recorded(c), Render.id(c));
                    predicate = "";
                }
            }
            t.print(out());
        }
        return ExitCodes.OK;
    }
}
