package io.stemedb;

import io.stemedb.model.AssertionId;

/**
 * A single claim on its way into a database: set its fields, then {@link #commit()}. Not
 * thread-safe; commit it once.
 */
public final class PendingClaim extends ClaimDraft<PendingClaim> {
    private final EngineDatabase db;

    PendingClaim(EngineDatabase db, String subject, String predicate, io.stemedb.model.Value value) {
        super(subject, predicate, value);
        this.db = db;
    }

    /**
     * Validates the claim, stamps it with the database's clock and stores it durably.
     *
     * @return its id
     * @throws io.stemedb.model.Assertion.InvalidAssertionException if a field breaks a rule; nothing is stored
     */
    public AssertionId commit() {
        return db.commit(java.util.List.of(this::build)).get(0);
    }
}
