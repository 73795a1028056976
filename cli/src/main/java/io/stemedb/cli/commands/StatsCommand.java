package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.Stats;
import io.stemedb.model.Hlc;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/** {@code stemedb stats}: what the database holds. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Shows what the database holds: assertions, claims, retractions, its node id and engine figures.",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class StatsCommand extends DbCommand {
    @Override
    protected int execute() {
        Stats s;
        try (StemeDB db = openForReading()) {
            s = db.stats();
        }
        Map<String, String> props = new TreeMap<>(s.engineProperties());
        if (json) {
            ObjectNode o = object();
            o.put("assertions", s.assertions());
            o.put("claims", s.claims());
            o.put("retractions", s.retractions());
            o.put("lastSequence", s.lastSequence());
            o.put("nodeId", Hlc.nodeHex(s.nodeId()));
            o.put("engine", s.engine());
            ObjectNode p = o.putObject("engineProperties");
            props.forEach(p::put);
            printJson(o);
            return ExitCodes.OK;
        }
        Table t = Table.keyValues()
                .row("assertions", s.assertions())
                .row("claims", s.claims())
                .row("retractions", s.retractions())
                .row("last sequence", s.lastSequence())
                .row("node id", Hlc.nodeHex(s.nodeId()))
                .row("engine", s.engine());
        // The multi-line RocksDB "stats" text is in --json only.
        props.forEach((k, v) -> {
            if (!v.contains("\n")) {
                t.row(k, v);
            }
        });
        t.print(out());
        return ExitCodes.OK;
    }
}
