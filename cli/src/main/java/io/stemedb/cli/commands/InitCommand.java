package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBBuilder;
import io.stemedb.Stats;
import io.stemedb.model.Hlc;
import io.stemedb.model.SigningKey;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stemedb init}: creates an empty database, or finds the existing one; prints its node id. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Creates an empty database in --data-dir and prints its node id.",
            "If a database is there already, it is left as it is (init is idempotent).",
            "--root-key fixes the root key of its key registry (signed claims, docs/operations.md)."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class InitCommand extends DbCommand {
    @Option(names = "--root-key", paramLabel = "FILE",
            description = {"The public key file (stemedb keygen) of the root key that signs this database's key registry.",
                "The database keeps it; a database without one refuses every key registry entry."})
    Path rootKey;

    @Override
    protected int execute() {
        boolean existed = databaseExists();
        StemeDBBuilder builder = StemeDB.builder();
        if (rootKey != null) {
            builder.rootKey(SigningKey.readPublic(rootKey));
        }
        try (StemeDB db = builder.open(dataDir)) {
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
