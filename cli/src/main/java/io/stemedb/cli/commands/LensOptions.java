package io.stemedb.cli.commands;

import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.lens.Lens;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read through a lens ({@code resolve}, {@code entity},
 * {@code find}), declared once: {@code --lens} and {@code --as-of}. A picocli mixin.
 */
final class LensOptions {
    @Option(names = "--lens", paramLabel = "EXPR", converter = Converters.LensConverter.class,
            description = "The lens (default: latest); see: stemedb resolve --help.")
    Converters.LensArg lens = Converters.LensArg.LATEST;

    @Option(names = "--as-of", paramLabel = "TIME", converter = Converters.InstantConverter.class,
            description = "Read the database as it was at TIME (record time).")
    Instant asOf;

    /** The lens of {@code --lens}. */
    Lens lens() {
        return lens.lens();
    }

    /** {@code --lens} as written ({@code latest} when absent). */
    String expression() {
        return lens.expression();
    }

    /** The database as it was at {@code --as-of}, or {@code db} itself without it. */
    ReadView view(StemeDB db) {
        return asOf == null ? db : db.asOf(asOf);
    }
}
