package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen, init --root-key, key register/revoke, assert --sign-key, a signed-only lens and verify's signature report. */
class SignedClaimsCommandTest {
    @TempDir
    Path dir;

    /** {@code stemedb key ACTION --data-dir DIR ARGS}: the data directory goes after the subcommand. */
    Cli.Run key(String action, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "key";
        all[1] = action;
        all[2] = "--data-dir";
        all[3] = dir.resolve("data").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return Cli.plain(all);
    }

    @Test
    void aSignedClaimWinsASignedOnlyReadUntilItsKeyIsRevoked() throws Exception {
        Path root = dir.resolve("root.key");
        Path hr = dir.resolve("hr.key");
        String rootPub = Cli.plain("keygen", root.toString()).ok().out().strip();
        Cli.plain("keygen", hr.toString()).ok();
        assertEquals(64, rootPub.length());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        Cli.plain("keygen", hr.toString()).failure("exists");

        Cli cli = new Cli(dir.resolve("data"));
        cli.run("init", "--root-key", root + ".pub").ok();
        key("register", "--source", "hr", "--public-key", hr + ".pub", "--root-key-file", root.toString()).ok();
        cli.run("assert", "acme", "ceo", "Alice", "--source", "hr", "--sign-key", hr.toString()).ok();
        cli.run("assert", "acme", "ceo", "Mallory", "--source", "hr").ok();

        assertTrue(cli.run("resolve", "acme", "ceo").ok().out().contains("Mallory"));
        String signed = cli.run("resolve", "acme", "ceo", "--lens", "latest.requireSignature()", "--explain").ok().out();
        assertTrue(signed.contains("Alice") && signed.contains("signed by key"), signed);
        JsonNode doc = cli.json("resolve", "acme", "ceo", "--lens", "trust[hr].requireSignature()");
        assertEquals(1, doc.get("signedBy").size(), doc.toString());

        JsonNode verify = cli.json("verify");
        assertTrue(verify.get("signatures").get("ok").asBoolean());
        assertEquals(1, verify.get("signatures").get("proving").asInt());
        assertTrue(cli.run("verify").ok().out().contains("signatures ok: 1 key registry entries, 1 attestations (1 prove"));

        key("revoke", "--source", "hr", "--public-key", hr + ".pub", "--root-key-file", root.toString()).ok();
        String after = cli.run("resolve", "acme", "ceo", "--lens", "latest.requireSignature()").ok().out();
        assertTrue(!after.contains("Alice"), after);
        assertEquals(0, cli.json("verify").get("signatures").get("proving").asInt());
    }

    @Test
    void aRegistryEntryNeedsTheDatabasesRootKey() {
        Path root = dir.resolve("root.key");
        Path other = dir.resolve("other.key");
        Cli.plain("keygen", root.toString()).ok();
        Cli.plain("keygen", other.toString()).ok();
        Cli cli = new Cli(dir.resolve("data"));
        cli.run("init", "--root-key", root + ".pub").ok();
        key("register", "--source", "hr", "--public-key", other + ".pub", "--root-key-file", other.toString())
                .failure("not signed by this database's root key");
        cli.run("assert", "x", "p", "v", "--source", "hr", "--sign-key", root + ".pub").failure("is not a 'stemedb-ed25519-private' key file");
    }
}
