package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The progress line: drawn on a terminal only, redrawn in place, erased at the end. */
class ProgressTest {
    @AfterEach
    void reset() {
        System.clearProperty("stemedb.progress");
    }

    @Test
    void notOnATerminalItPrintsNothing() {
        assertFalse(Progress.isTerminal(), "tests do not run on a terminal");
        StringWriter err = new StringWriter();
        try (Progress p = Progress.onTerminal(new PrintWriter(err, true)).ticking("backup")) {
            p.progress("import", 50, 100);
        }
        assertEquals("", err.toString());
    }

    @Test
    void onATerminalItDrawsABarAndErasesIt() {
        System.setProperty("stemedb.progress", "always");
        StringWriter err = new StringWriter();
        try (Progress p = Progress.onTerminal(new PrintWriter(err, true))) {
            p.progress("import", 50, 100);
            p.progress("import", 100, 100); // the last step is always drawn
            p.progress("export: counting", 4096, -1);
        }
        String s = err.toString();
        assertTrue(s.startsWith("\rimport [###############...............]  50% 50/100  0s"), s);
        assertTrue(s.contains("\rimport [##############################] 100% 100/100  0s"), s);
        assertTrue(s.endsWith("\r" + " ".repeat("import [##############################] 100% 100/100  0s".length()) + "\r"), s);
        assertFalse(s.contains("\n"), "one line, redrawn in place: " + s);
    }
}
