package io.stemedb.cli.commands;

import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.AssertionId;
import io.stemedb.model.SigningKey;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stemedb key register|revoke}: the database's key registry, whose entries the root key signs. */
@Command(name = "key", mixinStandardHelpOptions = true,
        description = {"Changes the database's key registry, which binds sources to the public keys that sign their claims.",
            "Each entry is signed with the root key given at init (--root-key-file) and replicates like a claim."},
        subcommands = {KeyCommand.Register.class, KeyCommand.Revoke.class})
public final class KeyCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say what to do: stemedb key register or stemedb key revoke");
    }

    /** What both subcommands take. */
    abstract static class Entry extends DbCommand {
        @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "The source whose key this is.")
        String source;

        @Option(names = "--public-key", required = true, paramLabel = "FILE", description = "The public key file (FILE.pub of stemedb keygen).")
        Path publicKey;

        @Option(names = "--root-key-file", required = true, paramLabel = "FILE",
                description = "The root's private key file, which signs the entry.")
        Path rootKey;

        abstract AssertionId write(StemeDB db, byte[] key, SigningKey root);

        @Override
        protected int execute() {
            byte[] key = SigningKey.readPublic(publicKey);
            SigningKey root = SigningKey.read(rootKey);
            try (StemeDB db = openForWriting()) {
                AssertionId id = write(db, key, root);
                if (json) {
                    printJson(Json.assertion(db.get(id).orElseThrow()));
                } else {
                    out().println(id);
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Binds a public key to a source: the source's claims made from --from on and signed with the key "
                    + "pass lenses that require a signature. Prints the entry's id.",
                "To rotate a key: register the new one and revoke the old one, both --from the same time."},
            exitCodeListHeading = ExitCodes.HEADING,
            exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
    static final class Register extends Entry {
        @Option(names = "--from", paramLabel = "TIME", converter = Converters.InstantConverter.class,
                description = "The key proves claims made at or after TIME (their HLC time); default: the epoch, every claim.")
        Instant from = Instant.EPOCH;

        @Override
        AssertionId write(StemeDB db, byte[] key, SigningKey root) {
            return db.registerKey(source, key, from, root);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revokes a source's key: its signatures no longer prove claims made at or after --at; those made "
                    + "before stay proven. Prints the entry's id. A revoked key cannot be registered again.",
                "For a leaked key, revoke --at the earliest time it may have leaked, or omit --at to withdraw every signature."},
            exitCodeListHeading = ExitCodes.HEADING,
            exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
    static final class Revoke extends Entry {
        @Option(names = "--at", paramLabel = "TIME", converter = Converters.InstantConverter.class,
                description = "The key proves nothing made at or after TIME; default: the epoch, everything it signed.")
        Instant at = Instant.EPOCH;

        @Override
        AssertionId write(StemeDB db, byte[] key, SigningKey root) {
            return db.revokeKey(source, key, at, root);
        }
    }
}
