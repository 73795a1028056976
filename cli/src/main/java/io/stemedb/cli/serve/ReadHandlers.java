package io.stemedb.cli.serve;

import io.stemedb.Conflict;
import io.stemedb.Page;
import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.backup.ProgressListener;
import io.stemedb.cli.Sources;
import io.stemedb.cli.ValueText;
import io.stemedb.crdt.ErasedClaim;
import io.stemedb.crdt.Evidence;
import io.stemedb.json.Json;
import io.stemedb.lens.Lens;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.List;

/**
 * The read endpoints, the command line's read commands over HTTP, answering the documents
 * {@code --json} prints ({@link Json}): resolve, entity, history, find, conflicts, subjects,
 * sources and one assertion by id. Those that take {@code lens=} read it as {@code --lens} does
 * ({@link LensNames}), and {@code asOf=} as {@code --as-of} does. Thread-safe.
 */
final class ReadHandlers {
    /** The most conflicts one page of GET /v1/conflicts returns. */
    static final int MAX_CONFLICT_PAGE = 1_000;
    /** The most subjects one page of GET /v1/subjects returns. */
    static final int MAX_SUBJECT_PAGE = 1_000;

    private final StemeDB db;

    ReadHandlers(StemeDB db) {
        this.db = db;
    }

    private ReadView view(Instant asOf) {
        return asOf == null ? db : db.asOf(asOf);
    }

    private static String expression(ApiRequest request) {
        String lens = request.optional("lens");
        return lens == null ? "latest" : lens;
    }

    Reply resolve(ApiRequest request) {
        request.allow("subject", "predicate", "lens", "asOf");
        Lens lens = LensNames.parse(request.optional("lens"));
        Instant asOf = request.asOf();
        return Reply.json(200, Json.resolution(view(asOf).resolve(request.required("subject"), request.required("predicate"),
                lens), expression(request), asOf));
    }

    Reply entity(ApiRequest request) {
        request.allow("subject", "lens", "asOf");
        String subject = request.required("subject");
        Lens lens = LensNames.parse(request.optional("lens"));
        Instant asOf = request.asOf();
        return Reply.json(200, Json.entity(subject, view(asOf).entity(subject, lens), lens.name(), expression(request), asOf));
    }

    Reply history(ApiRequest request) {
        request.allow("subject", "predicate", "asOf");
        Instant asOf = request.asOf();
        return Reply.json(200, Json.history(view(asOf).history(request.required("subject"), request.required("predicate")), asOf));
    }

    Reply find(ApiRequest request) {
        request.allow("predicate", "value", "type", "lens", "asOf");
        String predicate = request.required("predicate");
        String raw = request.query.get("value");
        if (raw == null) {
            throw ApiException.badRequest("missing_parameter", "the query parameter \"value\" is required");
        }
        String typeName = request.optional("type");
        Value.Type type = typeName == null ? Value.Type.TEXT : Json.typeOf(typeName);
        if (type == null) {
            throw ApiException.badRequest("invalid_parameter", "type is '" + TextInput.excerpt(typeName) + "'; it must be one of "
                    + String.join(", ", Json.TYPE_NAMES));
        }
        Value value;
        try {
            value = ValueText.parse("value", raw, type);
        } catch (ValueText.InvalidValueException e) {
            throw ApiException.badRequest("invalid_parameter", e.getMessage());
        }
        Lens lens = LensNames.parse(request.optional("lens"));
        Instant asOf = request.asOf();
        List<String> subjects = view(asOf).find(predicate, value, lens);
        return Reply.json(200, Json.found(predicate, value, expression(request), asOf, subjects));
    }

    Reply conflicts(ApiRequest request) {
        request.allow("subject", "after", "limit");
        if (request.query.containsKey("subject")) {
            if (request.query.containsKey("after") || request.query.containsKey("limit")) {
                throw ApiException.badRequest("invalid_query", "give either subject, or after and limit to page through "
                        + "the whole database, not both");
            }
            String subject = request.required("subject");
            return Reply.json(200, Json.conflicts(subject, db.conflicts(subject)));
        }
        int limit = request.limit(100, MAX_CONFLICT_PAGE);
        Page<Conflict> page = db.conflicts(request.optional("after"), limit);
        return Reply.json(200, Json.conflicts(page));
    }

    Reply subjects(ApiRequest request) {
        request.allow("after", "limit");
        int limit = request.limit(100, MAX_SUBJECT_PAGE);
        List<String> subjects = db.subjects(request.optional("after"), limit + 1);
        String next = null;
        if (subjects.size() > limit) {
            subjects = subjects.subList(0, limit);
            next = subjects.get(limit - 1);
        }
        return Reply.json(200, Json.subjects(new Page<>(subjects, next)));
    }

    Reply sources(ApiRequest request) {
        request.allow();
        return Reply.json(200, Sources.json(Sources.of(db, ProgressListener.NONE)));
    }

    Reply assertion(ApiRequest request) {
        request.allow("id");
        AssertionId id;
        try {
            id = AssertionId.parse(request.required("id"));
        } catch (StemeException e) {
            throw ApiException.badRequest("invalid_parameter", "id must be an assertion id (64 hex digits): " + e.getMessage());
        }
        Assertion a = db.get(id).orElseThrow(() -> new ApiException(404, "not_found", db.erasedBy(id)
                .map(e -> new ErasedClaim(id, e).describe() + "; its content is not stored here")
                .orElse("no assertion with id " + id + " is stored here; check the id (GET /v1/history lists a fact's claims)")));
        List<Retraction> retractions = List.of();
        if (a instanceof Claim c) {
            Evidence evidence = db.history(c.subject(), c.predicate());
            retractions = evidence.retractionsOf(c.id());
        }
        return Reply.json(200, Json.assertionWithRetractions(a, retractions));
    }
}
