package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.cli.CliException;
import io.stemedb.json.JsonLines;
import io.stemedb.model.StemeException;
import io.stemedb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb import}: merges a JSON Lines file or an archive into the database. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Merges the assertions of FILE (JSON Lines or a StemeDB archive) into the database.",
            "The whole file is checked first; if any line or record is bad, nothing is imported. Assertions "
                    + "already there are skipped, so importing twice is harmless."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE + "; the message names the bad line", ExitCodes.USAGE_LINE})
public final class ImportCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The file to import.")
    Path file;

    @Option(names = "--bulk", negatable = true,
            description = {"Load through sorted table files instead of commits: much faster for large files; writers "
                    + "wait meanwhile. Default: when the database is empty (an archive is bulk-loaded exactly then).",
                "If a bulk load fails before it is staged, nothing is imported; once staged it is committed and "
                        + "finished by the next open of the database if this process stops."})
    Boolean bulk;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "jsonl, archive, or auto (default): an archive if FILE starts like one, else JSON Lines.")
    FileFormat format;

    @Override
    protected int execute() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CliException(Files.exists(file) ? file + " is not a file" : "there is no file " + file);
        }
        FileFormat f = format.forReading(file);
        MergeResult result;
        long missingTargets = 0;
        long lines = -1;
        boolean bulkLoaded = false;
        try (Progress progress = progress(); StemeDB db = openForWriting()) {
            boolean empty = db.stats().lastSequence() == 0;
            if (f == FileFormat.archive) {
                // an archive is checked whole by importArchive before it stores anything
                bulkLoaded = empty;
                result = bulkLoaded ? bulk(() -> db.importArchive(file, progress)) : db.importArchive(file, progress);
            } else {
                bulkLoaded = bulk != null ? bulk : empty;
                JsonLines.ImportOptions options = new JsonLines.ImportOptions(bulkLoaded, Clock.systemUTC(), progress);
                // bulk: checked line by line as it is loaded, a bad line stops the load before its commit point;
                // else checked whole before anything is merged
                JsonLines.ImportResult imported = bulkLoaded ? bulk(() -> JsonLines.importFrom(db, file, options))
                        : JsonLines.importFrom(db, file, options);
                result = imported.merge();
                missingTargets = imported.missingTargets();
                lines = imported.lines();
            }
        }
        if (json) {
            ObjectNode o = object();
            o.put("file", file.toString());
            o.put("format", f.name());
            o.put("added", result.added());
            o.put("duplicates", result.duplicates());
            o.put("bulk", bulkLoaded);
            ArrayNode rejected = o.putArray("rejected");
            result.rejected().forEach(r -> rejected.addObject().put("id", r.id().toString()).put("reason", r.reason()));
            if (f == FileFormat.jsonl) {
                o.put("retractionsOfUnknownClaims", missingTargets);
            }
            printJson(o);
        } else {
            out().printf("%s %s (%s%s): %,d new assertions, %,d already there%s%n", bulkLoaded ? "bulk-loaded" : "imported", file, f,
                    lines >= 0 ? String.format(", %,d lines", lines) : "", result.added(), result.duplicates(),
                    result.rejected().isEmpty() ? "" : String.format(", %,d refused", result.rejected().size()));
            result.rejected().forEach(r -> out().println("  refused " + r.id().shortHex() + ": " + r.reason()));
            out().flush();
        }
        if (missingTargets > 0) {
            err().println(spec.qualifiedName() + ": note: " + missingTargets + " retractions name claims that are neither"
                    + " in the file nor in the database; they are kept and take effect when the claims arrive");
            err().flush();
        }
        if (!result.rejected().isEmpty()) {
            return fail(result.rejected().size() + " assertions were refused (see above); the others were imported", null);
        }
        return ExitCodes.OK;
    }

    /**
     * Runs a bulk load, saying in the failure what became of the database: as it was, or
     * committed and finished by the next open.
     */
    private static <T> T bulk(java.util.function.Supplier<T> load) {
        try {
            return load.get();
        } catch (JsonLines.BadFileException e) {
            throw e;
        } catch (StorageException.BulkLoadIncomplete e) {
            throw new CliException(e.getMessage() + "; the load is committed: the next command that opens the database "
                    + "(for example `stemedb stats`) finishes it", e);
        } catch (StemeException e) {
            throw new CliException("the bulk load failed: " + e.getMessage() + "; nothing was imported, the database is as "
                    + "it was", e);
        }
    }
}
