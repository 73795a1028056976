package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.cli.ClusterSecret;
import io.stemedb.merkle.ClusterAuth;
import io.stemedb.merkle.HttpSyncTransport;
import io.stemedb.merkle.SyncLimits;
import io.stemedb.merkle.SyncReplica;
import io.stemedb.merkle.SyncReport;
import io.stemedb.model.Assertion;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb sync}: one Merkle sync session with a peer over HTTP. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Syncs the database with a peer over HTTP: one Merkle sync session.",
            "PEER_URL is the peer's sync endpoint, e.g. http://10.0.0.2:7070/sync (a URL without a path gets /sync).",
            "Fetches what this database lacks and pushes what the peer lacks. Both sides must share the "
                    + "cluster secret. Safe to interrupt and run again."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE + "; also: peer unreachable or refused, records refused",
            ExitCodes.USAGE_LINE})
public final class SyncCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "PEER_URL", description = "The peer's sync endpoint, http:// or https://.")
    String peer;

    @Option(names = "--cluster-secret-file", required = true, paramLabel = "FILE",
            description = "The file holding the cluster's shared secret (at least 16 bytes; e.g. openssl rand -hex 32 > FILE).")
    Path secretFile;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long one exchange with the peer may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    @SuppressWarnings("try") // the progress display only needs closing
    protected int execute() {
        URI endpoint = endpoint();
        if (timeoutSeconds < 1) {
            throw usage("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        ClusterAuth auth = ClusterSecret.auth(secretFile, Clock.systemUTC());
        // A reply is one frame of the peer's; its frames grow with its value size limit, at most 16 MiB (+ framing).
        HttpSyncTransport transport = new HttpSyncTransport(endpoint, auth, Duration.ofSeconds(timeoutSeconds),
                Math.max(SyncLimits.DEFAULT.maxFrameBytes(), Assertion.MAX_VALUE_BYTES + (1 << 20)) + (64 << 10));
        SyncReport r;
        try (StemeDB db = openForWriting(); Progress progress = progress().ticking("sync with " + endpoint)) {
            r = db.syncWith(transport);
        }
        if (json) {
            ObjectNode o = object();
            o.put("peer", endpoint.toString());
            o.put("wasInSync", r.wasInSync());
            o.put("reconcileRounds", r.reconcileRounds());
            o.put("exchanges", r.exchanges());
            o.put("bytesSent", r.bytesSent());
            o.put("bytesReceived", r.bytesReceived());
            o.put("fetched", r.fetched());
            o.put("stored", r.stored());
            o.put("pushed", r.pushed());
            o.put("peerStored", r.peerStored());
            o.set("refusedHere", refused(r.refusedHere()));
            o.set("refusedByPeer", refused(r.refusedByPeer()));
            o.put("elapsedMillis", r.elapsed().toMillis());
            printJson(o);
        } else {
            out().println(r.wasInSync() ? "in sync with " + endpoint + " already" : "synced with " + endpoint);
            Table.keyValues()
                    .row("fetched", r.fetched() + " (" + r.stored() + " new here)")
                    .row("pushed", r.pushed() + " (" + r.peerStored() + " new at the peer)")
                    .row("refused here", r.refusedHere().size())
                    .row("refused by peer", r.refusedByPeer().size())
                    .row("rounds", r.reconcileRounds() + " reconciliation, " + r.exchanges() + " exchanges")
                    .row("bytes", String.format("%,d sent, %,d received", r.bytesSent(), r.bytesReceived()))
                    .row("time", r.elapsed().toMillis() + " ms")
                    .print(out());
            r.refusedHere().forEach(x -> out().println("  refused here " + x.id().shortHex() + ": " + x.reason()));
            r.refusedByPeer().forEach(x -> out().println("  refused by peer " + x.id().shortHex() + ": " + x.reason()));
            out().flush();
        }
        if (!r.refusedHere().isEmpty() || !r.refusedByPeer().isEmpty()) {
            return fail((r.refusedHere().size() + r.refusedByPeer().size())
                    + " records were refused (see above); the rest was synced", null);
        }
        return ExitCodes.OK;
    }

    private URI endpoint() {
        URI uri;
        try {
            uri = new URI(peer);
        } catch (URISyntaxException e) {
            throw usage("PEER_URL '" + peer + "' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw usage("PEER_URL '" + peer + "' must be an http:// or https:// URL with a host, e.g. http://10.0.0.2:7070/sync");
        }
        if (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")) {
            uri = uri.resolve("/sync");
        }
        return uri;
    }

    private static ArrayNode refused(List<SyncReplica.Refused> list) {
        ArrayNode a = object().arrayNode();
        list.forEach(x -> a.addObject().put("id", x.id().toString()).put("reason", x.reason()));
        return a;
    }
}
