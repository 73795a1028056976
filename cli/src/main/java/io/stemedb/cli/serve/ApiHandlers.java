package io.stemedb.cli.serve;

import io.stemedb.model.TextInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemedb.Batch;
import io.stemedb.Conflict;
import io.stemedb.Page;
import io.stemedb.Replication;
import io.stemedb.Stats;
import io.stemedb.StemeDB;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.storage.StorageException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The endpoints of the pilot server's JSON API, independent of the HTTP server that carries them:
 * each takes an {@link ApiRequest} and returns a {@link Reply}, or throws an {@link ApiException}
 * (a refusal) or a library exception, which {@link #failure} maps to a status. Writes are checked
 * against the caller's credential: every source written for must be one it may write for, and a
 * retraction needs the right to retract; a refused request stores nothing. Thread-safe.
 */
final class ApiHandlers {
    /** The most claims or retractions in one request. */
    static final int MAX_BATCH = 10_000;
    /** The most conflicts one page of GET /v1/conflicts returns. */
    static final int MAX_CONFLICT_PAGE = 1_000;
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StemeDB db;
    private final PrometheusMeterRegistry registry;
    private final Supplier<Replication> replication;
    private final List<String> peerNames;
    private final Supplier<String> readiness;
    private final PrintStream log;
    /** Set when a write hit a full disk: RocksDB refuses writes from then on until reopened, so the node is not ready. */
    private volatile String diskFull;

    ApiHandlers(StemeDB db, PrometheusMeterRegistry registry, Supplier<Replication> replication, List<String> peerNames,
            Supplier<String> readiness, PrintStream log) {
        this.db = db;
        this.registry = registry;
        this.replication = replication;
        this.peerNames = peerNames;
        this.readiness = readiness;
        this.log = log;
    }

    /** The API's routes. */
    void register(Routes routes) {
        routes.add("/v1/claims", "POST", Routes.Access.WRITE, true, this::postClaims);
        routes.add("/v1/retractions", "POST", Routes.Access.WRITE, true, this::postRetractions);
        routes.add("/v1/resolve", "GET", Routes.Access.READ, false, this::resolve);
        routes.add("/v1/history", "GET", Routes.Access.READ, false, this::history);
        routes.add("/v1/entity", "GET", Routes.Access.READ, false, this::entity);
        routes.add("/v1/conflicts", "GET", Routes.Access.READ, false, this::conflicts);
        routes.add("/v1/stats", "GET", Routes.Access.READ, false, this::stats);
        routes.add("/health", "GET", Routes.Access.OPEN, false, this::health);
        routes.add("/ready", "GET", Routes.Access.OPEN, false, this::ready);
        routes.add("/metrics", "GET", Routes.Access.OPEN, false, this::metrics);
    }

    /** Why the node cannot take writes, or null. */
    String diskFull() {
        return diskFull;
    }

    // ---------------------------------------------------------------- writes

    private Reply postClaims(ApiRequest request) {
        request.allow();
        JsonNode body = request.json();
        List<JsonCodec.ClaimInput> claims = new ArrayList<>();
        long node = db.nodeId();
        for (Map.Entry<String, JsonNode> e : JsonCodec.elements(body, "claim", "claims", MAX_BATCH)) {
            JsonCodec.ClaimInput c = JsonCodec.claim(e.getKey(), e.getValue());
            c.check(e.getKey(), node);
            mayWriteFor(request, e.getKey(), c.source());
            claims.add(c);
        }
        List<AssertionId> ids = db.write(batch -> claims.forEach(c -> add(batch, c)));
        return Reply.json(201, idsJson(ids));
    }

    private static void add(Batch batch, JsonCodec.ClaimInput c) {
        Batch.Draft d = batch.assertion(c.subject(), c.predicate(), c.value()).source(c.source())
                .validFrom(c.validFrom()).validTo(c.validTo());
        if (c.confidence() != null) {
            d.confidence(c.confidence());
        }
        c.metadata().forEach(d::metadata);
    }

    private Reply postRetractions(ApiRequest request) {
        request.allow();
        if (request.principal != null && !request.principal.mayRetract()) {
            throw new ApiException(403, "forbidden", "the credential (" + request.principal.name() + ") may not retract; "
                    + "give it retract=yes in the API tokens file, or use one that may");
        }
        JsonNode body = request.json();
        List<JsonCodec.RetractionInput> retractions = new ArrayList<>();
        long node = db.nodeId();
        for (Map.Entry<String, JsonNode> e : JsonCodec.elements(body, "retraction", "retractions", MAX_BATCH)) {
            JsonCodec.RetractionInput r = JsonCodec.retraction(e.getKey(), e.getValue());
            r.check(e.getKey(), node);
            mayWriteFor(request, e.getKey(), r.source());
            Optional<Assertion> target = db.get(r.target());
            if (target.isEmpty()) {
                throw new ApiException(422, "unknown_target", e.getKey() + ".retracts: no claim with id " + r.target()
                        + " is stored here, so it cannot be retracted; check the id");
            }
            if (!(target.get() instanceof Claim)) {
                throw ApiException.badRequest("invalid_assertion", e.getKey() + ".retracts: " + r.target()
                        + " is a retraction; only claims can be retracted");
            }
            retractions.add(r);
        }
        List<AssertionId> ids = db.write(batch -> retractions.forEach(r -> batch.retract(r.target(), r.source(), r.metadata())));
        return Reply.json(201, idsJson(ids));
    }

    /** Refuses a write for a source the caller's credential does not cover (none is needed with authentication off). */
    private static void mayWriteFor(ApiRequest request, String where, String source) {
        if (request.principal != null && !request.principal.mayWriteFor(source)) {
            throw new ApiException(403, "forbidden", where + ".source: the credential (" + request.principal.name()
                    + ") may not write for source \"" + TextInput.excerpt(source) + "\"; nothing was stored. Its sources "
                    + "are " + new java.util.TreeSet<>(request.principal.sources()));
        }
    }

    private static ObjectNode idsJson(List<AssertionId> ids) {
        ObjectNode o = JsonCodec.object();
        ArrayNode a = o.putArray("ids");
        ids.forEach(id -> a.add(id.toString()));
        o.put("count", ids.size());
        return o;
    }

    // ---------------------------------------------------------------- reads

    private Reply resolve(ApiRequest request) {
        request.allow("subject", "predicate", "lens");
        Lens lens = LensNames.parse(request.query.get("lens"));
        Resolution r = db.resolve(request.required("subject"), request.required("predicate"), lens);
        return Reply.json(200, JsonCodec.resolution(r));
    }

    private Reply history(ApiRequest request) {
        request.allow("subject", "predicate");
        return Reply.json(200, JsonCodec.history(db.history(request.required("subject"), request.required("predicate"))));
    }

    private Reply entity(ApiRequest request) {
        request.allow("subject", "lens");
        String subject = request.required("subject");
        Lens lens = LensNames.parse(request.query.get("lens"));
        SortedMap<String, Resolution> entity = db.entity(subject, lens);
        ObjectNode o = JsonCodec.object();
        o.put("subject", subject);
        o.put("lens", lens.name());
        ObjectNode predicates = o.putObject("predicates");
        entity.forEach((predicate, r) -> {
            ObjectNode p = predicates.putObject(predicate);
            p.set("values", JsonCodec.values(r.values()));
            if (r.values().size() == 1) {
                p.set("value", JsonCodec.value(r.values().first()));
            } else {
                p.putNull("value");
            }
            p.set("winners", JsonCodec.claims(r.winners()));
            p.put("explain", r.explain());
        });
        return Reply.json(200, o);
    }

    private Reply conflicts(ApiRequest request) {
        request.allow("subject", "after", "limit");
        ObjectNode o = JsonCodec.object();
        List<Conflict> found;
        String subject = request.query.get("subject");
        if (subject != null) {
            if (request.query.containsKey("after") || request.query.containsKey("limit")) {
                throw ApiException.badRequest("invalid_query", "give either subject, or after and limit to page through "
                        + "the whole database, not both");
            }
            if (subject.isEmpty()) {
                throw ApiException.badRequest("missing_parameter", "the query parameter \"subject\" is empty");
            }
            found = db.conflicts(subject);
            o.put("subject", subject);
        } else {
            int limit = 100;
            String l = request.query.get("limit");
            if (l != null) {
                try {
                    limit = Integer.parseInt(l);
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 1 || limit > MAX_CONFLICT_PAGE) {
                    throw ApiException.badRequest("invalid_parameter", "limit must be a whole number between 1 and "
                            + MAX_CONFLICT_PAGE + ", got " + TextInput.excerpt(l));
                }
            }
            String after = request.query.get("after");
            Page<Conflict> page = db.conflicts(after == null || after.isEmpty() ? null : after, limit);
            found = page.items();
            if (page.next() == null) {
                o.putNull("next");
            } else {
                o.put("next", page.next());
            }
        }
        ArrayNode list = o.putArray("conflicts");
        for (Conflict c : found) {
            ObjectNode j = list.addObject();
            j.put("subject", c.subject());
            j.put("predicate", c.predicate());
            j.set("values", JsonCodec.values(c.values()));
            j.set("claims", JsonCodec.claims(c.claims()));
        }
        return Reply.json(200, o);
    }

    private Reply stats(ApiRequest request) {
        request.allow();
        Stats s = db.stats();
        ObjectNode o = JsonCodec.object();
        o.put("nodeId", Hlc.nodeHex(s.nodeId()));
        o.put("engine", s.engine());
        o.put("assertions", s.assertions());
        o.put("claims", s.claims());
        o.put("retractions", s.retractions());
        o.put("lastSequence", s.lastSequence());
        ObjectNode props = o.putObject("engineProperties");
        new TreeMap<>(s.engineProperties()).forEach((k, v) -> {
            if (!k.equals("stats")) { // the multi-line statistics text: see the logs or stemedb stats
                props.put(k, v);
            }
        });
        Replication r = replication.get();
        if (r != null) {
            o.set("replication", replicationJson(r));
        }
        return Reply.json(200, o);
    }

    private ObjectNode replicationJson(Replication r) {
        Replication.Stats rs = r.stats();
        ObjectNode rep = JsonCodec.object();
        rep.put("interval", r.interval().toString());
        rep.put("running", r.isRunning());
        if (rs.localDigest() != null) {
            rep.put("digest", HexFormat.of().formatHex(rs.localDigest().fingerprint()));
        }
        rep.put("maxLagSeconds", rs.maxLag().toNanos() / 1e9);
        ArrayNode peers = rep.putArray("peers");
        for (int i = 0; i < rs.peers().size(); i++) {
            Replication.PeerStats p = rs.peers().get(i);
            ObjectNode j = peers.addObject();
            j.put("peer", i < peerNames.size() ? peerNames.get(i) : p.peer());
            j.put("lagSeconds", p.lag().toNanos() / 1e9);
            j.put("sessions", p.sessions());
            j.put("failures", p.failures());
            j.put("consecutiveFailures", p.consecutiveFailures());
            j.put("fetched", p.fetched());
            j.put("pushed", p.pushed());
            j.put("refused", p.refused());
            j.put("rounds", p.rounds());
            j.put("exchanges", p.exchanges());
            j.put("bytesSent", p.bytesSent());
            j.put("bytesReceived", p.bytesReceived());
            if (p.lastSuccess() != null) {
                j.put("lastSuccess", p.lastSuccess().toString());
            }
            if (p.lastSessionTime() != null) {
                j.put("lastSessionMillis", p.lastSessionTime().toNanos() / 1e6);
            }
            if (p.lastError() != null) {
                j.put("lastError", p.lastError());
                j.put("lastErrorAt", String.valueOf(p.lastErrorAt()));
            }
        }
        return rep;
    }

    private Reply health(ApiRequest request) {
        request.allow();
        ObjectNode o = JsonCodec.object();
        o.put("status", "up");
        return Reply.json(200, o);
    }

    private Reply ready(ApiRequest request) {
        request.allow();
        String why = readiness.get();
        ObjectNode o = JsonCodec.object();
        o.put("status", why == null ? "ready" : "not_ready");
        if (why != null) {
            o.put("reason", why);
        }
        return Reply.json(why == null ? 200 : 503, o);
    }

    private Reply metrics(ApiRequest request) {
        request.allow();
        return new Reply(200, PROMETHEUS_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- failures

    /** Maps a library exception to its reply; logs what is a storage error or a bug. */
    Reply failure(String method, String path, RuntimeException e) {
        if (e instanceof io.stemedb.model.Assertion.InvalidAssertionException) {
            return Reply.error(ApiException.badRequest("invalid_assertion", e.getMessage()));
        }
        if (e instanceof StemeDB.UnknownTargetException) {
            return Reply.error(new ApiException(422, "unknown_target", e.getMessage()));
        }
        if (e instanceof StorageException.DiskFull) {
            markDiskFull(e);
            return Reply.error(new ApiException(507, "disk_full", e.getMessage() + "; this node refuses writes until it "
                    + "has room and is restarted: write to another node meanwhile"));
        }
        if (e instanceof StemeDB.ClosedException) {
            return Reply.error(new ApiException(503, "unavailable", e.getMessage()));
        }
        if (e instanceof StorageException) {
            log.println(Instant.now() + " storage error on " + method + " " + path + ": " + e.getMessage());
            return Reply.error(new ApiException(500, "storage_error", e.getMessage()));
        }
        log.println(Instant.now() + " internal error on " + method + " " + path + ": " + e);
        e.printStackTrace(log);
        return Reply.error(new ApiException(500, "internal_error", "internal error: " + e));
    }

    /** A sync request that failed: a full disk is marked (and answered 507), anything else logged. */
    Reply syncFailure(RuntimeException e) {
        if (e instanceof StorageException.DiskFull) {
            markDiskFull(e);
            return Reply.text(507, e.getMessage() + "\n");
        }
        log.println(Instant.now() + " sync request failed: " + e);
        return Reply.text(500, e.getMessage() + "\n");
    }

    private void markDiskFull(RuntimeException e) {
        if (diskFull == null) {
            log.println(Instant.now() + " DISK FULL: writes are refused until there is room and the server is restarted: "
                    + e.getMessage());
        }
        diskFull = e.getMessage();
    }
}
