"""HTTP route without an OPTIONS preflight route.

What it flags:
    An `http.route({ path | pathPrefix, method, handler })` for POST, PUT, PATCH or DELETE (and
    for GET/HEAD when the handler reads the `Authorization` header or another credential
    header, which makes browsers preflight) with no OPTIONS route for the same path, or an
    OPTIONS `pathPrefix` route that covers it. The finding sits at `http.route(`.

    Not flagged: routes on convex-helpers' `corsRouter` (it registers OPTIONS itself) or on the
    plain router a `corsRouter` of the same file wraps (left without CORS on purpose), routes on
    its `HttpRouterWithHono` (requests it has no route for, OPTIONS included, go on to Hono,
    whose `cors()` may answer them; their responses are still checked by cors/missing-headers), routes
    whose path or method is computed at runtime, routes that an OPTIONS route with a computed
    path (or a route with a computed method) may cover, and webhook and server handlers (they
    verify a request signature, compare a credential header with an environment secret, or every
    route to them is a `webhook` path: servers call them, not browsers).

Why it matters:
    Before a cross-origin POST with a JSON body or an `Authorization` header, the browser sends
    an OPTIONS request. Convex answers an unrouted OPTIONS with 404 and no CORS headers, so the
    real request is never sent and the app sees a CORS error.

Example:
    http.route({ path: "/your-endpoint", method: "POST", handler: yourEndpoint });
    // and no { path: "/your-endpoint", method: "OPTIONS" } route

Fix:
    http.route({
      path: "/your-endpoint",
      method: "OPTIONS",
      handler: httpAction(async () => new Response(null, { status: 204, headers: CORS_HEADERS })),
    });
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import cors_left_out_by_choice, route_has_preflight, server_to_server_handler
from auditor.engine.model import ProjectFacts, RouteFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("cors/missing-preflight", "error", "HTTP route without an OPTIONS preflight route")

SIMPLE_METHODS = frozenset({"GET", "HEAD"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for route in project.routes:
        if (route.path is None and route.path_prefix is None) or route.method == "*":
            continue  # path or method computed at runtime
        if route_has_preflight(project, route) or cors_left_out_by_choice(project, route):
            continue
        handler = project.bodies.get(route.handler_body) if route.handler_body else None
        if handler is not None and server_to_server_handler(project, handler):
            continue
        if route.method in SIMPLE_METHODS and not _reads_credentials(project, route):
            continue
        where = f"path `{route.path}`" if route.path is not None else f"prefix `{route.path_prefix}`"
        yield report.at(
            route.loc,
            f"The {route.method} route for {where} has no OPTIONS route; browsers send a preflight "
            "request first and get a 404 without CORS headers. Register an OPTIONS route for it.",
            route=route,
        )


def _reads_credentials(project: ProjectFacts, route: RouteFact) -> bool:
    if not route.handler_body or route.handler_body not in project.bodies:
        return False
    return any(b.reads_authorization for b in project.reachable_bodies(project.bodies[route.handler_body]))
