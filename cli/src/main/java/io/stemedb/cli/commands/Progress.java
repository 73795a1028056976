package io.stemedb.cli.commands;

import io.stemedb.backup.ProgressListener;
import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * A progress bar on stderr for long operations, drawn only when the command runs on a terminal
 * ({@link System#console()} is not null, and on Java 22 and later, it is a terminal); piped or
 * redirected, it prints nothing. It hears a {@link ProgressListener} (operations that count their
 * items) or, for operations that do not report progress, shows the time elapsed. The line is
 * erased when the operation ends, so only the result stays. Thread-safe.
 */
final class Progress implements ProgressListener, AutoCloseable {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private long lastDraw;
    private int drawnLength;
    private Thread ticker;
    private volatile boolean closed;

    private Progress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** A progress display on {@code err}, active only on a terminal. */
    static Progress onTerminal(PrintWriter err) {
        return new Progress(err, isTerminal());
    }

    /** A display that draws nothing. */
    static Progress none(PrintWriter err) {
        return new Progress(err, false);
    }

    /** True when stdin/stdout belong to an interactive terminal. */
    static boolean isTerminal() {
        String forced = System.getProperty("stemedb.progress");
        if ("always".equals(forced)) {
            return true;
        }
        if ("never".equals(forced)) {
            return false;
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try { // Java 22+: System.console() may be non-null when redirected; ask isTerminal().
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    @Override
    public synchronized void progress(String phase, long done, long total) {
        if (!enabled || closed) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && !(total > 0 && done >= total)) {
            return;
        }
        lastDraw = now;
        StringBuilder s = new StringBuilder(phase).append(' ');
        if (total > 0) {
            double f = Math.min(1.0, (double) done / total);
            int filled = (int) Math.round(f * BAR);
            s.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%% %,d/%,d", Math.round(f * 100), done, total));
        } else {
            s.append(String.format(Locale.ROOT, "%,d", done));
        }
        s.append(String.format(Locale.ROOT, "  %ds", (now - started) / 1_000_000_000L));
        draw(s.toString());
    }

    /** For an operation that reports nothing: shows {@code phase} and the time elapsed until {@link #close()}. */
    synchronized Progress ticking(String phase) {
        if (enabled && ticker == null) {
            ticker = new Thread(() -> {
                while (!closed) {
                    synchronized (this) {
                        if (!closed) {
                            draw(phase + " ... " + (System.nanoTime() - started) / 1_000_000_000L + "s");
                        }
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "stemedb-progress");
            ticker.setDaemon(true);
            ticker.start();
        }
        return this;
    }

    private void draw(String line) {
        String shown = line.length() > Table.WIDTH - 1 ? line.substring(0, Table.WIDTH - 1) : line;
        err.print("\r" + shown + " ".repeat(Math.max(0, drawnLength - shown.length())));
        err.flush();
        drawnLength = shown.length();
    }

    /** Erases the progress line. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = ticker;
            if (drawnLength > 0) {
                err.print("\r" + " ".repeat(drawnLength) + "\r");
                err.flush();
                drawnLength = 0;
            }
        }
        if (t != null) {
            t.interrupt();
        }
    }
}
