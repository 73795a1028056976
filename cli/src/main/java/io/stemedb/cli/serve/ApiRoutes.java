package io.stemedb.cli.serve;

/**
 * The routes of the pilot server's API, in one list: what docs/openapi.json describes (a test
 * checks that the two agree). {@code POST /sync}, mounted only with a cluster secret, is served by
 * {@link JettyFront} with its own authentication.
 */
final class ApiRoutes {
    private ApiRoutes() {}

    static Routes of(ReadHandlers reads, WriteHandlers writes, OpsHandlers ops) {
        Routes routes = new Routes();
        routes.add("/v1/claims", "POST", Routes.Access.WRITE, true, writes::postClaims);
        routes.add("/v1/retractions", "POST", Routes.Access.WRITE, true, writes::postRetractions);
        routes.add("/v1/erasures", "POST", Routes.Access.WRITE, true, writes::postErasures);
        routes.add("/v1/resolve", "GET", Routes.Access.READ, false, reads::resolve);
        routes.add("/v1/entity", "GET", Routes.Access.READ, false, reads::entity);
        routes.add("/v1/history", "GET", Routes.Access.READ, false, reads::history);
        routes.add("/v1/find", "GET", Routes.Access.READ, false, reads::find);
        routes.add("/v1/conflicts", "GET", Routes.Access.READ, false, reads::conflicts);
        routes.add("/v1/subjects", "GET", Routes.Access.READ, false, reads::subjects);
        routes.add("/v1/sources", "GET", Routes.Access.READ, false, reads::sources);
        routes.add("/v1/assertion", "GET", Routes.Access.READ, false, reads::assertion);
        routes.add("/v1/stats", "GET", Routes.Access.READ, false, ops::stats);
        routes.add("/health", "GET", Routes.Access.OPEN, false, ops::health);
        routes.add("/ready", "GET", Routes.Access.OPEN, false, ops::ready);
        routes.add("/metrics", "GET", Routes.Access.OPEN, false, ops::metrics);
        routes.add("/openapi.json", "GET", Routes.Access.OPEN, false, ops::openapi);
        return routes;
    }
}
