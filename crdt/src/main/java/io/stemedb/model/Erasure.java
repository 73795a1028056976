package io.stemedb.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * "Source S erases, for reason R, these claims": the assertion that deletes the content of other
 * claims on every replica that receives it, while their ids stay known there. Immutable and
 * thread-safe.
 *
 * <p>What it erases is its {@link Scope}: a list of claim ids, or every claim about a subject,
 * about a (subject, predicate), or by a source about a subject. A scope other than a list of ids
 * is bounded by the erasure's own timestamp: it covers the claims recorded strictly before it
 * ({@link Hlc} order), whenever they arrive, and never a claim recorded after it, so that a replica
 * that had not synced when the erasure was made erases the old claims when they reach it, and a
 * new claim about the same subject is kept. Only claims are erased; a retraction or erasure named
 * in a list of ids is left as it is (retractions carry no content beyond an id and their metadata).
 *
 * <p>Its own record holds the scope (so a subject named by a scope stays on every replica, as
 * the name of what was erased), its source, timestamp, reason and metadata: never the content
 * it erases. docs/format.md specifies its bytes (kind 0x03).
 */
public final class Erasure extends AbstractAssertion implements Assertion {
    /** The most claim ids one erasure may list: 32 KiB of ids, so that the record fits any sync frame. */
    public static final int MAX_TARGETS = 1024;
    /** The most UTF-8 bytes of a reason. */
    public static final int MAX_REASON_BYTES = 4096;

    private final Scope scope;
    private final String reason;

    /** What an erasure erases. */
    public enum ScopeKind {
        /** The claims with the listed ids, whenever they were recorded. */
        IDS(0x01),
        /** Every claim about a subject recorded before the erasure. */
        SUBJECT(0x02),
        /** Every claim about a (subject, predicate) recorded before the erasure. */
        FACT(0x03),
        /** Every claim by a source about a subject recorded before the erasure. */
        SOURCE_SUBJECT(0x04);

        private final int tag;

        ScopeKind(int tag) {
            this.tag = tag;
        }

        /** The byte that names this kind of scope in the canonical encoding. */
        public int tag() {
            return tag;
        }

        static ScopeKind ofTag(int tag) {
            for (ScopeKind k : values()) {
                if (k.tag == tag) {
                    return k;
                }
            }
            return null;
        }
    }

    /**
     * The scope of an erasure: its kind and the names or ids it holds (those the kind does not use
     * are null or empty). Build one with {@link #ids}, {@link #subject}, {@link #fact} or
     * {@link #bySourceAbout}. Immutable.
     *
     * @param targets the claim ids of an {@link ScopeKind#IDS} scope, ascending and distinct
     * @param claimSource the source of a {@link ScopeKind#SOURCE_SUBJECT} scope
     */
    public record Scope(ScopeKind kind, List<AssertionId> targets, String subject, String predicate, String claimSource) {
        /** Checks the parts the kind uses and requires the others to be absent. */
        public Scope {
            Objects.requireNonNull(kind, "kind");
            targets = List.copyOf(targets);
            if (kind == ScopeKind.IDS) {
                if (targets.isEmpty()) {
                    throw new Assertion.InvalidAssertionException("scope", "lists no claim id; name at least one claim to erase");
                }
                if (targets.size() > MAX_TARGETS) {
                    throw new Assertion.InvalidAssertionException("scope", "lists " + targets.size()
                            + " ids, more than the limit of " + MAX_TARGETS + "; split them into several erasures, or erase by subject");
                }
                for (int i = 1; i < targets.size(); i++) {
                    if (targets.get(i - 1).compareTo(targets.get(i)) >= 0) {
                        throw new Assertion.InvalidAssertionException("scope", "ids must be ascending and distinct; "
                                + "build the scope with Scope.ids");
                    }
                }
            } else {
                Checks.name("subject", subject);
            }
            if ((kind == ScopeKind.FACT) != (predicate != null) || (kind == ScopeKind.SOURCE_SUBJECT) != (claimSource != null)
                    || (kind == ScopeKind.IDS) != (subject == null) || (kind != ScopeKind.IDS && !targets.isEmpty())) {
                throw new Assertion.InvalidAssertionException("scope", "a " + kind + " scope has parts it does not use, or lacks "
                        + "one; build it with Scope.ids, subject, fact or bySourceAbout");
            }
            if (predicate != null) {
                Checks.name("predicate", predicate);
            }
            if (claimSource != null) {
                Checks.name("claim source", claimSource);
            }
        }

        /** The claims with these ids (at least one, at most {@link #MAX_TARGETS}; order and repeats do not matter). */
        public static Scope ids(Collection<AssertionId> ids) {
            Objects.requireNonNull(ids, "ids");
            TreeSet<AssertionId> sorted = new TreeSet<>();
            for (AssertionId id : ids) {
                sorted.add(Objects.requireNonNull(id, "an erased id must not be null"));
            }
            return new Scope(ScopeKind.IDS, new ArrayList<>(sorted), null, null, null);
        }

        /** Every claim about {@code subject} recorded before the erasure. */
        public static Scope subject(String subject) {
            return new Scope(ScopeKind.SUBJECT, List.of(), subject, null, null);
        }

        /** Every claim about ({@code subject}, {@code predicate}) recorded before the erasure. */
        public static Scope fact(String subject, String predicate) {
            return new Scope(ScopeKind.FACT, List.of(), subject, predicate, null);
        }

        /** Every claim by {@code source} about {@code subject} recorded before the erasure. */
        public static Scope bySourceAbout(String source, String subject) {
            return new Scope(ScopeKind.SOURCE_SUBJECT, List.of(), subject, null, Checks.name("claim source", source));
        }

        @Override
        public String toString() {
            return switch (kind) {
                case IDS -> targets.size() == 1 ? "claim " + targets.get(0).shortHex() : targets.size() + " claims";
                case SUBJECT -> "every claim about " + subject;
                case FACT -> "every claim about " + subject + "." + predicate;
                case SOURCE_SUBJECT -> "every claim by " + claimSource + " about " + subject;
            };
        }
    }

    private Erasure(Scope scope, String source, Hlc hlc, String reason, Map<String, String> metadata, byte[] canonical) {
        super(source, hlc, metadata, canonical);
        this.scope = Objects.requireNonNull(scope, "scope");
        this.reason = checkReason(reason);
    }

    /**
     * An erasure of {@code scope} by {@code source} at {@code hlc} for {@code reason} (1 to
     * {@link #MAX_REASON_BYTES} UTF-8 bytes), with optional metadata (null for none).
     *
     * @throws Assertion.InvalidAssertionException if a part breaks a rule
     */
    public static Erasure of(Scope scope, String source, Hlc hlc, String reason, Map<String, String> metadata) {
        return new Erasure(scope, source, hlc, reason, metadata, null);
    }

    static Erasure decoded(Scope scope, String source, Hlc hlc, String reason, Map<String, String> metadata, byte[] canonical) {
        return new Erasure(scope, source, hlc, reason, metadata, canonical);
    }

    private static String checkReason(String reason) {
        if (reason == null || reason.isEmpty()) {
            throw new Assertion.InvalidAssertionException("reason", "is missing; say why the claims are erased "
                    + "(for example the request it answers)");
        }
        int bytes = Utf8.encodedLength(reason);
        if (bytes < 0) {
            throw new Assertion.InvalidAssertionException("reason", "contains an unpaired surrogate; pass well-formed Unicode");
        }
        if (bytes > MAX_REASON_BYTES) {
            throw new Assertion.InvalidAssertionException("reason", "is " + bytes + " UTF-8 bytes, more than the limit of "
                    + MAX_REASON_BYTES);
        }
        return reason;
    }

    /** What this erasure erases. */
    public Scope scope() {
        return scope;
    }

    /** Why the claims were erased. */
    public String reason() {
        return reason;
    }

    /**
     * Whether this erasure erases {@code claim}: its id is listed, or it falls within the scope
     * and was recorded strictly before this erasure.
     */
    public boolean covers(Claim claim) {
        return switch (scope.kind()) {
            case IDS -> names(claim.id());
            case SUBJECT -> before(claim) && claim.subject().equals(scope.subject());
            case FACT -> before(claim) && claim.subject().equals(scope.subject()) && claim.predicate().equals(scope.predicate());
            case SOURCE_SUBJECT -> before(claim) && claim.subject().equals(scope.subject()) && claim.source().equals(scope.claimSource());
        };
    }

    /** Whether this erasure lists {@code id} (only an {@link ScopeKind#IDS} scope lists ids). */
    public boolean names(AssertionId id) {
        return scope.kind() == ScopeKind.IDS && java.util.Collections.binarySearch(scope.targets(), id) >= 0;
    }

    /**
     * Whether a claim about ({@code subject}, {@code predicate}) may fall within the scope: what
     * a reader asks to tell which erasures to mention in the history of a fact.
     */
    public boolean mayCover(String subject, String predicate) {
        return switch (scope.kind()) {
            case IDS -> true;
            case SUBJECT, SOURCE_SUBJECT -> subject.equals(scope.subject());
            case FACT -> subject.equals(scope.subject()) && predicate.equals(scope.predicate());
        };
    }

    private boolean before(Claim claim) {
        return claim.hlc().compareTo(hlc()) < 0;
    }

    @Override
    public String toString() {
        return "erase " + scope + " by " + source() + " at " + hlc() + " (" + reason + ")"
                + (metadata().isEmpty() ? "" : " " + metadata());
    }
}
