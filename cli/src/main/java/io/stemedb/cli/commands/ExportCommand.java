package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.ExportOptions;
import io.stemedb.StemeDB;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.json.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb export}: writes the database, or part of it, to a JSON Lines file or an archive. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes the database's assertions to FILE, as JSON Lines or a StemeDB archive.",
            "JSON Lines (docs/cli.md) are text, one assertion a line; an archive is portable and self-verifying.",
            "FILE is replaced only when the export is complete."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class ExportCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The file to write.")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "jsonl, archive, or auto (default): JSON Lines for a .jsonl, .ndjson or .json FILE, else an archive.")
    FileFormat format;

    @Option(names = "--as-of", paramLabel = "TIME", converter = Converters.InstantConverter.class,
            description = "Only the assertions recorded at or before TIME.")
    Instant asOf;

    @Option(names = "--source", paramLabel = "SOURCE", description = "Only the assertions of SOURCE; repeat for more.")
    List<String> sources = new ArrayList<>();

    @Option(names = "--uncompressed", description = "Archive only: do not compress the records.")
    boolean uncompressed;

    @Override
    protected int execute() throws IOException {
        FileFormat f = format.forWriting(file);
        if (uncompressed && f != FileFormat.archive) {
            throw usage("--uncompressed is for archives; JSON Lines are never compressed");
        }
        Set<String> only = new TreeSet<>(sources);
        long count;
        ArchiveSummary summary = null;
        try (StemeDB db = openForReading(); Progress progress = progress()) {
            if (f == FileFormat.archive) {
                summary = db.exportArchive(file, new ExportOptions(asOf, only, !uncompressed), progress);
                count = summary.count();
            } else {
                count = JsonLines.exportTo(db, file, new JsonLines.ExportOptions(asOf, only, progress));
            }
        }
        if (json) {
            ObjectNode o = object();
            o.put("file", file.toString());
            o.put("format", f.name());
            o.put("count", count);
            if (asOf != null) {
                o.put("asOf", asOf.toString());
            }
            ArrayNode s = o.putArray("sources");
            only.forEach(s::add);
            if (summary != null) {
                o.put("digest", HexFormat.of().formatHex(summary.digest().fingerprint()));
                o.put("compressed", summary.compressed());
                o.put("bytes", summary.bytes());
                o.put("filter", summary.filter());
            }
            printJson(o);
        } else {
            out().printf("exported %,d assertions to %s (%s%s)%n", count, file,
                    f == FileFormat.archive ? (summary.compressed() ? "compressed archive" : "archive") : "JSON Lines",
                    summary == null ? "" : String.format(", %,d bytes, digest %s", summary.bytes(),
                            HexFormat.of().formatHex(summary.digest().fingerprint())));
            out().flush();
        }
        return ExitCodes.OK;
    }
}
