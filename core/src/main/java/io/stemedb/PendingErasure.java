package io.stemedb;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * An erasure on its way into a database: say who erases ({@link #source}) and why
 * ({@link #reason}), then {@link #commit()}. The erasure is stamped with the database's clock, so
 * it covers every claim of its scope recorded before that moment, here and, once it has synced,
 * on every replica. Not thread-safe; commit it once.
 */
public final class PendingErasure {
    private final GroupCommitWriter writer;
    private final Erasure.Scope scope;
    private String source;
    private String reason;
    private final Map<String, String> metadata = new LinkedHashMap<>();

    PendingErasure(GroupCommitWriter writer, Erasure.Scope scope) {
        this.writer = writer;
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    /** Who erases: a person, a team, a process (required). */
    public PendingErasure source(String source) {
        this.source = source;
        return this;
    }

    /** Why: the request this erasure answers, for example (required, at most 4096 UTF-8 bytes). */
    public PendingErasure reason(String reason) {
        this.reason = reason;
        return this;
    }

    /** Adds a metadata entry (a ticket number, say); never the erased data itself. */
    public PendingErasure metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Stamps and stores the erasure. When it returns, the content of every claim it covers is
     * deleted from this replica: from its records and indexes, atomically with the erasure, and,
     * on disk, from every table file and write-ahead log (the erasure waits for the flush and
     * compaction that make the bytes physically gone). Backups and archives made earlier still
     * hold it; see docs/operations.md.
     *
     * @return the erasure's id
     * @throws io.stemedb.model.Assertion.InvalidAssertionException if the source or reason is missing or invalid
     */
    public AssertionId commit() {
        Function<Hlc, Assertion> draft = hlc -> Erasure.of(scope, source, hlc, reason, metadata);
        return writer.write(List.of(draft)).get(0);
    }
}
