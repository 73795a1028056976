package io.stemedb.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plain-text output for terminal screens: at most {@link #WIDTH} columns, word-wrapped paragraphs,
 * aligned tables, and ANSI styles only when asked to (the caller decides, from whether stdout is a
 * terminal). Not thread-safe.
 */
final class Screen {
    /** No line printed is wider than this. */
    static final int WIDTH = 100;

    /** Text styles; printed as ANSI escapes only on a colour screen. */
    enum Style {
        PLAIN(""), BOLD("\u001b[1m"), DIM("\u001b[2m"), RED("\u001b[31m"), GREEN("\u001b[32m"), CYAN("\u001b[36m");

        private final String ansi;

        Style(String ansi) {
            this.ansi = ansi;
        }
    }

    private static final String RESET = "\u001b[0m";

    private final PrintWriter out;
    private final boolean color;

    Screen(PrintWriter out, boolean color) {
        this.out = out;
        this.color = color;
    }

    void blank() {
        out.println();
    }

    /** Prints {@code text}, wrapped if it is wider than the screen. */
    void line(String text) {
        line(Style.PLAIN, text);
    }

    void line(Style style, String text) {
        for (String l : wrap(text, WIDTH, leadingSpaces(text) + "  ")) {
            out.println(paint(style, l));
        }
    }

    /** A title line with {@code right} flush right, underlined with '='. */
    void banner(String left, String right) {
        out.println(paint(Style.BOLD, spread(left, right)));
        out.println("=".repeat(WIDTH));
    }

    /** A section title between two rules of '-', {@code right} flush right. */
    void section(String left, String right) {
        out.println("-".repeat(WIDTH));
        out.println(paint(Style.BOLD, spread(left, right)));
        out.println("-".repeat(WIDTH));
    }

    void heading(String text) {
        out.println(paint(Style.BOLD, text));
    }

    /** A paragraph wrapped to the screen, every line starting with {@code indent}. */
    void paragraph(String indent, String text) {
        paragraph(indent, indent, text, Style.PLAIN);
    }

    /** A paragraph whose first line starts with {@code first} and the others with {@code rest}. */
    void paragraph(String first, String rest, String text, Style style) {
        for (String l : wrap(first + text, WIDTH, rest)) {
            out.println(paint(style, l));
        }
    }

    /** Starts a table whose rows start with {@code indent}. */
    Table table(String indent, String... headers) {
        return new Table(indent, headers);
    }

    String paint(Style style, String text) {
        return color && style != Style.PLAIN && !text.isEmpty() ? style.ansi + text + RESET : text;
    }

    private static String spread(String left, String right) {
        int gap = WIDTH - left.length() - right.length();
        return gap < 2 ? left + "  " + right : left + " ".repeat(gap) + right;
    }

    private static String leadingSpaces(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return s.substring(0, i);
    }

    /**
     * Splits {@code text} into lines of at most {@code width} characters, breaking at spaces (or
     * inside a word longer than a line); continuation lines start with {@code indent}.
     */
    static List<String> wrap(String text, int width, String indent) {
        List<String> lines = new ArrayList<>();
        String rest = text;
        boolean first = true;
        while (true) {
            String line = first ? rest : indent + rest;
            if (line.length() <= width) {
                lines.add(line);
                return lines;
            }
            int min = first ? leadingSpaces(rest).length() + 1 : indent.length() + 1;
            int cut = line.lastIndexOf(' ', width);
            int next;
            if (cut < min) {
                cut = width;
                next = width;
            } else {
                next = cut + 1;
            }
            lines.add(line.substring(0, cut).stripTrailing());
            rest = line.substring(next).stripLeading();
            first = false;
            if (rest.isEmpty()) {
                return lines;
            }
        }
    }

    /** An aligned table; the last column wraps when a row would be wider than the screen. */
    final class Table {
        private final String indent;
        private final String[] headers;
        private final List<String[]> rows = new ArrayList<>();
        private final List<Style> styles = new ArrayList<>();
        private final List<List<String>> notes = new ArrayList<>();

        private Table(String indent, String[] headers) {
            this.indent = indent;
            this.headers = headers.clone();
        }

        Table row(String... cells) {
            return row(Style.PLAIN, cells);
        }

        Table row(Style style, String... cells) {
            if (cells.length != headers.length) {
                throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.length + " columns");
            }
            rows.add(cells.clone());
            styles.add(style);
            notes.add(new ArrayList<>());
            return this;
        }

        /** A line printed under the last row, starting at the second column. */
        Table note(String text) {
            notes.get(notes.size() - 1).add(text);
            return this;
        }

        void print() {
            int[] widths = new int[headers.length];
            for (int c = 0; c < headers.length; c++) {
                widths[c] = headers[c].length();
            }
            for (String[] r : rows) {
                for (int c = 0; c < r.length - 1; c++) {
                    widths[c] = Math.max(widths[c], r[c].length());
                }
            }
            int lastStart = indent.length();
            for (int c = 0; c < headers.length - 1; c++) {
                lastStart += widths[c] + 2;
            }
            String lastIndent = " ".repeat(lastStart);
            out.println(paint(Style.BOLD, format(headers, widths).stripTrailing()));
            int noteStart = headers.length > 1 ? indent.length() + widths[0] + 2 : indent.length();
            String noteIndent = " ".repeat(noteStart);
            for (int i = 0; i < rows.size(); i++) {
                for (String l : wrap(format(rows.get(i), widths).stripTrailing(), WIDTH, lastIndent)) {
                    out.println(paint(styles.get(i), l));
                }
                for (String note : notes.get(i)) {
                    for (String l : wrap(noteIndent + note, WIDTH, noteIndent + "  ")) {
                        out.println(paint(Style.DIM, l));
                    }
                }
            }
        }

        private String format(String[] cells, int[] widths) {
            StringBuilder s = new StringBuilder(indent);
            for (int c = 0; c < cells.length; c++) {
                s.append(cells[c]);
                if (c < cells.length - 1) {
                    s.append(" ".repeat(widths[c] - cells[c].length() + 2));
                }
            }
            return s.toString();
        }

        @Override
        public String toString() {
            return "Table" + Arrays.toString(headers) + " with " + rows.size() + " rows";
        }
    }
}
