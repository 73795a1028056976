package io.stemedb.cli.serve;

import io.stemedb.model.TextInput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pilot server's routes: a path and a method to a handler, with what the route needs: who
 * may call it ({@link Access}) and whether it reads a body. Built once, then read by any number
 * of threads.
 */
final class Routes {
    /** Who may call a route. */
    enum Access {
        /** Anyone: health, readiness, metrics. */
        OPEN,
        /** Anyone on a server bound to loopback; with a known credential otherwise. */
        READ,
        /** With a known credential whenever authentication is on; the handler checks the sources it writes for. */
        WRITE
    }

    /** One route's handler. */
    @FunctionalInterface
    interface Handler {
        Reply handle(ApiRequest request) throws IOException;
    }

    record Route(String path, String method, Access access, boolean hasBody, Handler handler) {}

    private final Map<String, Map<String, Route>> byPath = new LinkedHashMap<>();

    void add(String path, String method, Access access, boolean hasBody, Handler handler) {
        byPath.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, new Route(path, method, access, hasBody, handler));
    }

    /** Every route: its path and its methods (lower case, as OpenAPI writes them). */
    java.util.SortedMap<String, java.util.Set<String>> operations() {
        java.util.SortedMap<String, java.util.Set<String>> out = new java.util.TreeMap<>();
        byPath.forEach((path, methods) -> methods.keySet().forEach(m ->
                out.computeIfAbsent(path, p -> new java.util.TreeSet<>()).add(m.toLowerCase(java.util.Locale.ROOT))));
        return out;
    }

    /** True when {@code path} is a route, whatever its methods: the label of its metrics. */
    boolean knows(String path) {
        return byPath.containsKey(path);
    }

    /**
     * The route of a request.
     *
     * @throws ApiException 404 for an unknown path, 405 (with Allow) for a method the path does not take
     */
    Route find(String path, String method, String more) {
        Map<String, Route> methods = byPath.get(path);
        if (methods == null) {
            throw new ApiException(404, "not_found", "no endpoint " + TextInput.excerpt(path) + "; the endpoints are "
                    + String.join(", ", byPath.keySet()) + more);
        }
        Route route = methods.get(method);
        if (route == null) {
            String allow = String.join(", ", methods.keySet());
            throw new ApiException(405, "method_not_allowed", TextInput.excerpt(method) + " is not allowed on " + path
                    + "; use " + allow, "Allow", allow);
        }
        return route;
    }
}
