package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.backup.ArchiveSummary;
import io.stemedb.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stemedb verify-archive}: checks an archive completely without importing it. */
@Command(name = "verify-archive", mixinStandardHelpOptions = true,
        description = {"Checks a StemeDB archive completely, without importing it.",
            "Reads every record and checks it, the checksum, the count and the Merkle root. Needs no database.",
            "Exits with 1 and names the problem if the archive is damaged."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE + ": the archive is intact", ExitCodes.FAILURE_LINE + "; also: damaged archive",
            ExitCodes.USAGE_LINE})
public final class VerifyArchiveCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The archive.")
    Path file;

    @Override
    protected int execute() {
        if (!Files.isRegularFile(file)) {
            throw new CliException(Files.exists(file) ? file + " is not a file" : "there is no file " + file);
        }
        ArchiveSummary s;
        try (Progress progress = progress()) {
            s = StemeDB.verifyArchive(file, progress);
        }
        String digest = HexFormat.of().formatHex(s.digest().fingerprint());
        if (json) {
            ObjectNode o = object();
            o.put("file", file.toString());
            o.put("ok", true);
            o.put("count", s.count());
            o.put("digest", digest);
            o.put("createdAt", s.createdAt().toString());
            o.put("filter", s.filter());
            o.put("compressed", s.compressed());
            o.put("bytes", s.bytes());
            printJson(o);
        } else {
            out().printf("ok: %s is intact%n", file);
            Table.keyValues()
                    .row("assertions", String.format("%,d", s.count()))
                    .row("digest", digest)
                    .row("created", s.createdAt())
                    .row("selection", s.filter())
                    .row("compressed", s.compressed())
                    .row("bytes", String.format("%,d", s.bytes()))
                    .print(out());
        }
        return ExitCodes.OK;
    }
}
