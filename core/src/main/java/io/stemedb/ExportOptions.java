package io.stemedb;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an archive export selects: everything, or what had been recorded by an instant (by the
 * assertions' own HLC timestamps: the same set {@link StemeDB#asOf} sees), or the assertions of
 * some sources; and whether to compress. Immutable.
 *
 * @param asOf only assertions recorded at or before this instant, or null for all
 * @param sources only assertions of these sources, or empty for all
 * @param compress deflate-compress the records
 */
public record ExportOptions(@Nullable Instant asOf, Set<String> sources, boolean compress) {
    /** Everything, compressed. */
    public static final ExportOptions ALL = new ExportOptions(null, Set.of(), true);

    public ExportOptions {
        sources = Set.copyOf(Objects.requireNonNull(sources, "sources"));
    }

    /** These options, restricted to what had been recorded by {@code instant}. */
    public ExportOptions asOf(Instant instant) {
        return new ExportOptions(Objects.requireNonNull(instant, "instant"), sources, compress);
    }

    /** These options, restricted to the assertions of {@code only}. */
    public ExportOptions sources(String... only) {
        return new ExportOptions(asOf, Set.of(only), compress);
    }

    /** These options, with or without compression. */
    public ExportOptions compressed(boolean on) {
        return new ExportOptions(asOf, sources, on);
    }

    /** A description stored in the archive header. */
    String describe() {
        String what = asOf == null ? "all" : "as of " + asOf;
        return sources.isEmpty() ? what : what + ", sources " + new java.util.TreeSet<>(sources);
    }

    /** True when {@code a} is among the assertions these options select. */
    public boolean selects(io.stemedb.model.Assertion a) {
        return (asOf == null || !a.hlc().instant().isAfter(asOf)) && (sources.isEmpty() || sources.contains(a.source()));
    }
}
