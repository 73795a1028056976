package io.stemedb.cli.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemedb.Replication;
import io.stemedb.Stats;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.Hlc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The endpoints for operators and tools: statistics (with replication per peer), liveness,
 * readiness, Prometheus metrics, and the API's contract, {@code GET /openapi.json} (docs/openapi.json,
 * packaged as a resource, served byte for byte). Thread-safe.
 */
final class OpsHandlers {
    /** Where the build puts docs/openapi.json (the cli pom's resources). */
    static final String OPENAPI_RESOURCE = "/io/stemedb/cli/serve/openapi.json";
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StemeDB db;
    private final PrometheusMeterRegistry registry;
    private final Supplier<Replication> replication;
    private final List<String> peerNames;
    private final Supplier<String> readiness;
    private final byte[] openapi;

    OpsHandlers(StemeDB db, PrometheusMeterRegistry registry, Supplier<Replication> replication, List<String> peerNames,
            Supplier<String> readiness) {
        this.db = db;
        this.registry = registry;
        this.replication = replication;
        this.peerNames = peerNames;
        this.readiness = readiness;
        this.openapi = openapiDocument();
    }

    /** The OpenAPI document of this server, as the build packaged it. */
    static byte[] openapiDocument() {
        try (InputStream in = OpsHandlers.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the class path; the build copies "
                        + "docs/openapi.json there (cli/pom.xml, resources)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply openapi(ApiRequest request) {
        request.allow();
        return new Reply(200, Reply.JSON_TYPE, openapi);
    }

    Reply stats(ApiRequest request) {
        request.allow();
        Stats s = db.stats();
        ObjectNode o = Json.object();
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
        if (!s.extensions().isEmpty()) {
            ObjectNode ext = o.putObject("extensions");
            new TreeMap<>(s.extensions()).forEach(ext::put);
        }
        return Reply.json(200, o);
    }

    private ObjectNode replicationJson(Replication r) {
        Replication.Stats rs = r.stats();
        ObjectNode rep = Json.object();
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

    Reply health(ApiRequest request) {
        request.allow();
        ObjectNode o = Json.object();
        o.put("status", "up");
        return Reply.json(200, o);
    }

    Reply ready(ApiRequest request) {
        request.allow();
        String why = readiness.get();
        ObjectNode o = Json.object();
        o.put("status", why == null ? "ready" : "not_ready");
        if (why != null) {
            o.put("reason", why);
        }
        return Reply.json(why == null ? 200 : 503, o);
    }

    Reply metrics(ApiRequest request) {
        request.allow();
        return new Reply(200, PROMETHEUS_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
