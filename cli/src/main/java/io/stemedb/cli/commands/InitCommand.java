package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.Stats;
import io.stemedb.model.Hlc;
import picocli.CommandLine.Command;

/** {@code stemedb init}: creates an empty database, or finds the existing one; prints its node id. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Creates an empty database in --data-dir and prints its node id.",
            "If a database is there already, it is left as it is (init is idempotent)."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class InitCommand extends DbCommand {
    @Override
    protected int execute() {
        boolean existed = databaseExists();
        try (StemeDB db = StemeDB.open(dataDir)) {
            Stats s = db.stats();
            String node = Hlc.nodeHex(db.nodeId());
            if (json) {
                ObjectNode o = object();
                o.put("dataDir", dataDir.toAbsolutePath().toString());
                o.put("created", !existed);
                o.put("nodeId", node);
                o.put("assertions", s.assertions());
                printJson(o);
            } else {
                Table.keyValues()
                        .row("database", dataDir.toAbsolutePath() + (existed ? " (already there)" : " (created)"))
                        .row("node id", node)
                        .row("assertions", s.assertions())
                        .print(out());
            }
        }
        return ExitCodes.OK;
    }
}
