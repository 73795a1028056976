package io.stemedb.cli.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A tiny HTTP client for scripts/cluster-demo.sh on machines without curl:
 * {@code java -cp stemedb.jar io.stemedb.cli.serve.LoadClient COMMAND ...}.
 *
 * <ul>
 *   <li>{@code get URL}: prints the body; exit 0 on 2xx, 1 otherwise.</li>
 *   <li>{@code post URL JSON}: posts a JSON body, prints the reply; exit 0 on 2xx.</li>
 *   <li>{@code load BASE_URL RATE SECONDS PREFIX}: writes about RATE claims a second for SECONDS to
 *       BASE_URL/v1/claims in batches, subjects PREFIX-0, PREFIX-1...; prints {@code written N MILLIS}.</li>
 *   <li>{@code probe WRITE_URL READ_URL NAME TIMEOUT_SECONDS}: writes the claim (NAME, marker, NAME)
 *       on WRITE_URL, then polls READ_URL until it resolves; prints {@code lag_ms N} (exit 1 on timeout).</li>
 *   <li>{@code probes WRITE_URL READ_URL PREFIX SECONDS}: prints {@code ready}, then a probe
 *       (PREFIX-1, PREFIX-2...) every 500 ms for SECONDS, a {@code lag_ms N} line each (or
 *       {@code lag_ms timeout} after 10 s), then {@code done}. One process for all the probes, with
 *       a 10 ms poll over a kept-alive connection, so that the measure is the database's lag, not the
 *       cost of starting a process per poll.</li>
 * </ul>
 */
public final class LoadClient {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private LoadClient() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        switch (args[0]) {
            case "get":
                need(args, 2);
                System.exit(print(send(HttpRequest.newBuilder(URI.create(args[1])).GET())));
                break;
            case "post":
                need(args, 3);
                System.exit(print(send(post(URI.create(args[1]), args[2]))));
                break;
            case "load":
                need(args, 5);
                load(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]), args[4]);
                break;
            case "probe":
                need(args, 5);
                System.exit(probe(args[1], args[2], args[3], Double.parseDouble(args[4])));
                break;
            case "probes":
                need(args, 5);
                probes(args[1], args[2], args[3], Double.parseDouble(args[4]));
                break;
            default:
                usage();
        }
    }

    private static void need(String[] args, int n) {
        if (args.length != n) {
            usage();
        }
    }

    private static void usage() {
        System.err.println("usage: LoadClient get URL | post URL JSON | load BASE_URL RATE SECONDS PREFIX"
                + " | probe WRITE_URL READ_URL NAME TIMEOUT_SECONDS");
        System.exit(2);
    }

    private static HttpRequest.Builder post(URI uri, String json) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int print(HttpResponse<String> response) {
        System.out.println(response.body());
        return response.statusCode() / 100 == 2 ? 0 : 1;
    }

    /** Paced batch writes: every 20 ms, the claims that bring the total to RATE x elapsed seconds. */
    private static void load(String base, int rate, double seconds, String prefix) throws Exception {
        URI uri = URI.create(base + "/v1/claims");
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long written = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0) {
                break;
            }
            long due = (long) ((now - start) / 1e9 * rate);
            int n = (int) Math.min(500, due - written);
            if (n > 0) {
                StringBuilder json = new StringBuilder("[");
                for (int i = 0; i < n; i++) {
                    long k = written + i;
                    json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                            "{\"subject\":\"%s-%d\",\"predicate\":\"reading\",\"value\":%d,\"source\":\"load\"}", prefix, k, k));
                }
                HttpResponse<String> r = send(post(uri, json.append(']').toString()));
                if (r.statusCode() != 201) {
                    System.err.println("write failed: HTTP " + r.statusCode() + " " + r.body());
                    System.exit(1);
                }
                written += n;
            }
            Thread.sleep(20); // pacing, not synchronization
        }
        System.out.println("written " + written + " " + (System.nanoTime() - start) / 1_000_000);
    }

    private static void probes(String writeBase, String readBase, String prefix, double seconds) throws Exception {
        // Warm up this JVM's HTTP client on both nodes before measuring.
        send(HttpRequest.newBuilder(URI.create(writeBase + "/health")).GET());
        send(HttpRequest.newBuilder(URI.create(readBase + "/health")).GET());
        System.out.println("ready");
        System.out.flush();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int i = 1; System.nanoTime() - end < 0; i++) {
            long next = System.nanoTime() + 500_000_000L;
            probe(writeBase, readBase, prefix + "-" + i, 10);
            System.out.flush();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000); // spacing of the probes, not synchronization
            }
        }
        System.out.println("done");
    }

    private static int probe(String writeBase, String readBase, String name, double timeoutSeconds) throws Exception {
        String claim = String.format(Locale.ROOT, "{\"subject\":\"%s\",\"predicate\":\"marker\",\"value\":\"%s\",\"source\":\"probe\"}",
                name, name);
        HttpResponse<String> w = send(post(URI.create(writeBase + "/v1/claims"), claim));
        if (w.statusCode() != 201) {
            System.err.println("probe write failed: HTTP " + w.statusCode() + " " + w.body());
            return 1;
        }
        long written = System.nanoTime();
        long deadline = written + (long) (timeoutSeconds * 1e9);
        URI read = URI.create(readBase + "/v1/resolve?subject=" + name + "&predicate=marker");
        String expected = "\"value\":\"" + name + "\"";
        while (System.nanoTime() - deadline < 0) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(read).GET());
            if (r.statusCode() == 200 && r.body().contains(expected)) {
                System.out.println("lag_ms " + (System.nanoTime() - written) / 1_000_000);
                return 0;
            }
            Thread.sleep(10); // poll period: fine enough for a 1 s target, light on the node measured
        }
        System.out.println("lag_ms timeout");
        return 1;
    }
}
