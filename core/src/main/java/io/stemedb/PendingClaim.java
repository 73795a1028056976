package io.stemedb;

import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.util.List;

/**
 * A single claim on its way into a database: set its fields, then {@link #commit()}. Not
 * thread-safe; commit it once.
 */
public final class PendingClaim extends ClaimDraft<PendingClaim> {
    private final GroupCommitWriter writer;

    PendingClaim(GroupCommitWriter writer, String subject, String predicate, Value value) {
        super(subject, predicate, value);
        this.writer = writer;
    }

    /**
     * Validates the claim, stamps it with the database's clock and stores it durably.
     *
     * @return its id
     * @throws io.stemedb.model.Assertion.InvalidAssertionException if a field breaks a rule; nothing is stored
     */
    public AssertionId commit() {
        return writer.write(List.of(drafted())).get(0);
    }
}
