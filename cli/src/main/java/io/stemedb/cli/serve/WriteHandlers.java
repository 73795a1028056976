package io.stemedb.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.Batch;
import io.stemedb.PendingErasure;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.TextInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The write endpoints: {@code POST /v1/claims}, {@code POST /v1/retractions} and
 * {@code POST /v1/erasures}. Every element of
 * a body is validated, and checked against the caller's credential (every source written for must
 * be one it may write for, and a retraction needs the right to retract), before anything is
 * written; a refused request stores nothing. Thread-safe.
 */
final class WriteHandlers {
    /** The most claims or retractions in one request. */
    static final int MAX_BATCH = 10_000;

    private final StemeDB db;

    WriteHandlers(StemeDB db) {
        this.db = db;
    }

    Reply postClaims(ApiRequest request) {
        request.allow();
        JsonNode body = request.json();
        List<RequestBodies.ClaimInput> claims = new ArrayList<>();
        long node = db.nodeId();
        for (Map.Entry<String, JsonNode> e : RequestBodies.elements(body, "claim", "claims", MAX_BATCH)) {
            RequestBodies.ClaimInput c = RequestBodies.claim(e.getKey(), e.getValue());
            c.check(e.getKey(), node);
            mayWriteFor(request, e.getKey(), c.source());
            claims.add(c);
        }
        List<AssertionId> ids = db.write(batch -> claims.forEach(c -> add(batch, c)));
        return Reply.json(201, idsJson(ids));
    }

    private static void add(Batch batch, RequestBodies.ClaimInput c) {
        Batch.Draft d = batch.assertion(c.subject(), c.predicate(), c.value()).source(c.source())
                .validFrom(c.validFrom()).validTo(c.validTo());
        if (c.confidence() != null) {
            d.confidence(c.confidence());
        }
        c.metadata().forEach(d::metadata);
    }

    Reply postRetractions(ApiRequest request) {
        request.allow();
        if (request.principal != null && !request.principal.mayRetract()) {
            throw new ApiException(403, "forbidden", "the credential (" + request.principal.name() + ") may not retract; "
                    + "give it retract=yes in the API tokens file, or use one that may");
        }
        JsonNode body = request.json();
        List<RequestBodies.RetractionInput> retractions = new ArrayList<>();
        long node = db.nodeId();
        for (Map.Entry<String, JsonNode> e : RequestBodies.elements(body, "retraction", "retractions", MAX_BATCH)) {
            RequestBodies.RetractionInput r = RequestBodies.retraction(e.getKey(), e.getValue());
            r.check(e.getKey(), node);
            mayWriteFor(request, e.getKey(), r.source());
            Optional<Assertion> target = db.get(r.target());
            if (target.isEmpty()) {
                throw new ApiException(422, "unknown_target", e.getKey() + ".retracts: no claim with id " + r.target()
                        + " is stored here, so it cannot be retracted; check the id");
            }
            if (!(target.get() instanceof Claim)) {
                throw ApiException.badRequest("invalid_assertion", e.getKey() + ".retracts: " + r.target()
                        + " is a " + (target.get() instanceof Retraction ? "retraction" : "erasure") + "; only claims can be retracted");
            }
            retractions.add(r);
        }
        List<AssertionId> ids = db.write(batch -> retractions.forEach(r -> batch.retract(r.target(), r.source(), r.metadata())));
        return Reply.json(201, idsJson(ids));
    }

    /**
     * {@code POST /v1/erasures}: one erasure, {@code {"erases": scope, "source", "reason",
     * "metadata"?}}, answered 201 with its id once the content it covers is gone from this
     * replica. Erasing needs the right to retract and to write for the erasure's source.
     */
    Reply postErasures(ApiRequest request) {
        request.allow();
        if (request.principal != null && !request.principal.mayRetract()) {
            throw new ApiException(403, "forbidden", "the credential (" + request.principal.name() + ") may not erase; "
                    + "erasing needs retract=yes in the API tokens file");
        }
        RequestBodies.ErasureInput e = RequestBodies.erasure("erasure", request.json());
        mayWriteFor(request, "erasure", e.source());
        PendingErasure pending = db.erase(e.scope()).source(e.source()).reason(e.reason());
        e.metadata().forEach(pending::metadata);
        AssertionId id;
        try {
            id = pending.commit();
        } catch (Assertion.InvalidAssertionException ex) {
            throw ApiException.badRequest("invalid_assertion", "erasure." + ex.field() + ": " + ex.getMessage());
        }
        return Reply.json(201, idsJson(List.of(id)));
    }

    /** Refuses a write for a source the caller's credential does not cover (none is needed with authentication off). */
    private static void mayWriteFor(ApiRequest request, String where, String source) {
        if (request.principal != null && !request.principal.mayWriteFor(source)) {
            throw new ApiException(403, "forbidden", where + ".source: the credential (" + request.principal.name()
                    + ") may not write for source \"" + TextInput.excerpt(source) + "\"; nothing was stored. Its sources "
                    + "are " + new TreeSet<>(request.principal.sources()));
        }
    }

    private static ObjectNode idsJson(List<AssertionId> ids) {
        ObjectNode o = Json.object();
        ArrayNode a = o.putArray("ids");
        ids.forEach(id -> a.add(id.toString()));
        o.put("count", ids.size());
        return o;
    }
}
