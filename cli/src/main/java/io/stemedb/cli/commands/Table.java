package io.stemedb.cli.commands;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: aligned columns two spaces apart, a header line, at most {@link #WIDTH}
 * characters wide (the widest columns are cut, with "...", when the rows would be wider). Not
 * thread-safe.
 */
final class Table {
    /** No line is wider than this. */
    static final int WIDTH = 100;
    private static final int MIN_COLUMN = 8;

    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();
    private int shrinkFirst = -1;

    Table(String... headers) {
        this.headers = headers.clone();
    }

    /** A table of names and values, without a header line. */
    static Table keyValues() {
        return new Table();
    }

    /** When the table is too wide, cut this column first (a value, say), before the widest. */
    Table shrinkFirst(int column) {
        this.shrinkFirst = column;
        return this;
    }

    Table row(Object... cells) {
        if (headers.length > 0 && cells.length != headers.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.length + " columns");
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "" : oneLine(String.valueOf(cells[i]));
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        int columns = headers.length > 0 ? headers.length : rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] widths = new int[columns];
        if (headers.length > 0) {
            for (int c = 0; c < columns; c++) {
                widths[c] = headers[c].length();
            }
        }
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                widths[c] = Math.max(widths[c], r[c].length());
            }
        }
        // Narrow the preferred column, then the widest, until the table fits.
        if (shrinkFirst >= 0 && shrinkFirst < columns && total(widths) > WIDTH) {
            widths[shrinkFirst] = Math.max(Math.min(widths[shrinkFirst], MIN_COLUMN),
                    widths[shrinkFirst] - (total(widths) - WIDTH));
        }
        while (total(widths) > WIDTH) {
            int widest = 0;
            for (int c = 1; c < columns; c++) {
                if (widths[c] > widths[widest]) {
                    widest = c;
                }
            }
            if (widths[widest] <= MIN_COLUMN) {
                break;
            }
            widths[widest] = Math.max(MIN_COLUMN, widths[widest] - (total(widths) - WIDTH));
        }
        if (headers.length > 0) {
            out.println(format(headers, widths));
        }
        for (String[] r : rows) {
            out.println(format(r, widths));
        }
        out.flush();
    }

    private static int total(int[] widths) {
        int t = 0;
        for (int w : widths) {
            t += w;
        }
        return t + 2 * Math.max(0, widths.length - 1);
    }

    private static String format(String[] cells, int[] widths) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String cell = fit(cells[c], widths[c]);
            s.append(cell);
            if (c < cells.length - 1) {
                s.append(" ".repeat(widths[c] - cell.length() + 2));
            }
        }
        return s.toString().stripTrailing();
    }

    private static String fit(String cell, int width) {
        return cell.length() <= width ? cell : cell.substring(0, Math.max(0, width - 3)) + "...";
    }

    /** Line breaks and tabs would break the alignment: shown escaped. */
    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }
}
