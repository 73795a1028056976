package io.stemedb;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The figures that components beside a database add to its {@link Stats} ({@link StemeDB#addStats}).
 * Thread-safe: registrations live in a concurrent map, and {@link #figures} reads each source once.
 */
final class StatsExtensions {
    private static final Logger LOG = LoggerFactory.getLogger(StatsExtensions.class);

    private final Map<String, Supplier<Map<String, String>>> sources = new ConcurrentHashMap<>();

    StemeDB.Registration add(String name, Supplier<Map<String, String>> figures) {
        Objects.requireNonNull(figures, "figures");
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("a stats name must be non-empty and have no '.', got " + name
                    + "; it prefixes the figures' keys, as in kafka.published");
        }
        if (sources.putIfAbsent(name, figures) != null) {
            throw new IllegalStateException("stats named " + name + " are registered already; close that registration first");
        }
        return () -> sources.remove(name, figures);
    }

    /** Every source's figures, keys prefixed with its name, in key order. */
    Map<String, String> figures() {
        Map<String, String> all = new TreeMap<>();
        sources.forEach((name, source) -> {
            try {
                source.get().forEach((key, value) -> all.put(name + "." + key, value));
            } catch (RuntimeException e) {
                LOG.warn("the stats source {} failed; stats() reports {}.error instead of its figures", name, name, e);
                all.put(name + ".error", String.valueOf(e.getMessage()));
            }
        });
        return all;
    }
}
