package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command has --help, lists its exit codes, and rejects unknown options with exit code 2. */
class UsageTest {
    static final List<String> COMMANDS = List.of("init", "assert", "retract", "erase", "get", "resolve", "history", "entity",
            "conflicts", "find", "sources", "subjects", "stats", "verify", "import", "export", "backup", "restore",
            "verify-archive", "sync");

    @ParameterizedTest
    @ValueSource(strings = {"init", "assert", "retract", "erase", "get", "resolve", "history", "entity", "conflicts", "find",
        "sources", "subjects", "stats", "verify", "import", "export", "backup", "restore", "verify-archive", "sync"})
    void everyCommandHasHelp(String command) {
        Cli.Run help = Cli.plain(command, "--help").ok();
        assertTrue(help.out().startsWith("Usage: stemedb " + command), help.out());
        assertTrue(help.out().contains("--json"), help.out());
        assertTrue(help.out().contains("Exit codes:"), help.out());
        assertTrue(help.out().contains("  0   success"), help.out());
        assertTrue(help.out().contains("  1   failure"), help.out());
        assertTrue(help.out().contains("  2   usage error"), help.out());
        assertEquals(!List.of("restore", "verify-archive").contains(command), help.out().contains("--data-dir=DIR"),
                "--data-dir on the commands that open a database: " + help.out());
        Cli.Run bad = Cli.plain(command, "--no-such-option");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("Unknown option: '--no-such-option'") || bad.err().startsWith("Missing required"),
                bad.err());
        assertTrue(bad.err().contains("Usage: stemedb " + command), bad.err());
    }

    @Test
    void theTopLevelHelpListsEveryCommand() {
        Cli.Run help = Cli.plain("--help").ok();
        for (String c : COMMANDS) {
            assertTrue(help.out().matches("(?s).*\\n  " + c + " +\\S.*"), c + " missing from:\n" + help.out());
        }
        assertTrue(help.out().contains("Exit codes:"), help.out());
        Cli.Run unknown = Cli.plain("frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("Unmatched argument at index 0: 'frobnicate'"), unknown.err());
        Cli.Run typo = Cli.plain("resolv", "acme", "ceo");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("Did you mean: stemedb resolve"), typo.err());
    }

    @Test
    void theDefaultDataDirectoryIsStemedbData() {
        assertTrue(Cli.plain("stats", "--help").out().contains("(default: stemedb-data)"));
    }
}
