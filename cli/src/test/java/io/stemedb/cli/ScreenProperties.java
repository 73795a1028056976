package io.stemedb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

class ScreenProperties {

    @Property
    void wrappedLinesFitAndKeepEveryWord(
            @ForAll @StringLength(max = 400) @CharRange(from = 'a', to = 'e') @CharRange(from = ' ', to = ' ') String text,
            @ForAll @IntRange(min = 12, max = 100) int width) {
        List<String> lines = Screen.wrap(text, width, "    ");
        for (String l : lines) {
            assertTrue(l.length() <= width, "too wide: '" + l + "'");
        }
        String joined = String.join(" ", lines).replaceAll("\\s+", "");
        assertEquals(text.replaceAll("\\s+", ""), joined, "no character lost or added");
    }

    @Example
    void tablesAlignAndWrapTheirLastColumn() {
        StringWriter s = new StringWriter();
        Screen screen = new Screen(new PrintWriter(s, true), false);
        screen.table("  ", "name", "note")
                .row("a", "short")
                .row("longer name", "word ".repeat(30).strip())
                .note("a note under the row")
                .print();
        List<String> lines = s.toString().lines().toList();
        assertEquals("  name         note", lines.get(0));
        assertEquals("  a            short", lines.get(1));
        assertTrue(lines.get(2).startsWith("  longer name  word word"));
        assertTrue(lines.get(3).startsWith("               word"), "continuation aligned with the column: " + lines.get(3));
        assertEquals("               a note under the row", lines.get(lines.size() - 1));
        lines.forEach(l -> assertTrue(l.length() <= Screen.WIDTH));
    }

    @Example
    void colourOnlyWhenAsked() {
        StringWriter plain = new StringWriter();
        new Screen(new PrintWriter(plain, true), false).heading("Title");
        assertEquals("Title", plain.toString().strip());
        StringWriter color = new StringWriter();
        new Screen(new PrintWriter(color, true), true).heading("Title");
        assertEquals("\u001b[1mTitle\u001b[0m", color.toString().strip());
    }
}
