package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.model.SigningKey;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stemedb keygen FILE}: writes a new Ed25519 key pair, FILE (private, owner-only) and FILE.pub. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Writes a new Ed25519 key pair: FILE holds the private key (readable by its owner only), "
                + "FILE.pub the public key. Prints the public key.",
            "Sign claims with it (stemedb assert --sign-key FILE) once the database's key registry binds it to their "
                    + "source (stemedb key register), or make it a database's root key (stemedb init --root-key FILE.pub)."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE + "; also: FILE exists", ExitCodes.USAGE_LINE})
public final class KeygenCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The private key file to create; it must not exist.")
    Path file;

    @Override
    protected int execute() {
        SigningKey key = SigningKey.generate();
        Path pub = file.resolveSibling(file.getFileName() + ".pub");
        key.writePrivate(file);
        key.writePublic(pub);
        if (json) {
            ObjectNode o = object();
            o.put("privateKeyFile", file.toAbsolutePath().toString());
            o.put("publicKeyFile", pub.toAbsolutePath().toString());
            o.put("publicKey", key.publicKeyHex());
            printJson(o);
        } else {
            out().println(key.publicKeyHex());
        }
        return ExitCodes.OK;
    }
}
