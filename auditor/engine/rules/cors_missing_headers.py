"""HTTP response without CORS headers.

What it flags:
    A `new Response(...)` or `Response.json(...)` created in an `httpAction` (exported or
    inline in `http.route`, or in a project helper it calls) whose headers have no
    `Access-Control-Allow-Origin`: success, error and OPTIONS preflight responses alike. The
    finding sits at `Response`.

    Headers given through a constant, a spread (`{...CORS_HEADERS, "Content-Type": ...}`),
    `new Headers({...})` or a helper (`corsHeaders()`) of the same project count, also when
    imported from another file. A project function that builds the handler (`handler:
    withErrors(async (ctx, request) => ...)`) answers for the route too: its catch-all error
    response needs the header as well. Not flagged: headers the auditor cannot see (a parameter, a
    value from a library), handlers registered on convex-helpers' `corsRouter` (it adds the
    headers) or on the plain router a `corsRouter` of the same file wraps (the file puts its
    browser routes on the `corsRouter`; one it registers beside them, such as a server-to-server
    proxy, is left without CORS on purpose), webhook and server handlers (they verify a request
    signature, compare a credential header with an environment secret, or every route to them is
    a `webhook` path: servers call them, not browsers), the bare `new Response()` an OPTIONS
    handler sends when the request is not a CORS preflight, next to the response with CORS
    headers it sends when it is (Convex's documented preflight handler), redirects (a 3xx
    status or a `Location` header) and the responses of a handler that answers with HTML pages
    (`Content-Type: text/html`, such as an OAuth callback), which browsers reach by navigation,
    where CORS does not apply.

Why it matters:
    The `.convex.site` host is a different origin from the web app. Without the header the
    browser blocks the response: the endpoint works from curl and Postman but fails in the app,
    and error responses without it hide the real error behind a CORS message.

Example:
    return new Response(JSON.stringify({ error: "Missing requiredField" }), {
      status: 400,
      headers: { "Content-Type": "application/json" },
    });

Fix:
    Define the headers once and use them in every response, including errors and the OPTIONS
    route:
    const CORS_HEADERS = { "Access-Control-Allow-Origin": process.env.CLIENT_ORIGIN!, Vary: "Origin" };
    return new Response(body, { status: 400, headers: { ...CORS_HEADERS, "Content-Type": "application/json" } });
    Or register the routes on convex-helpers' `corsRouter`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import (
    cors_left_out_bodies,
    cors_routed_bodies,
    http_handler_bodies,
    server_to_server_handler,
)
from auditor.engine.model import BodyFacts, ProjectFacts, ResponseFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("cors/missing-headers", "error", "HTTP response without CORS headers")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    cors_routed = cors_routed_bodies(project) | cors_left_out_bodies(project)
    seen: set[str] = set()
    for handler, label in http_handler_bodies(project):
        if handler.key in cors_routed or server_to_server_handler(project, handler):
            continue
        bodies = project.reachable_bodies(handler)
        # A wrapper that builds the handler (`withErrors(async (ctx, req) => ...)`) answers for it too.
        for route in project.routes:
            if route.handler_body == handler.key and route.wrapper_body in project.bodies:
                bodies.extend(body for body in project.reachable_bodies(project.bodies[route.wrapper_body])
                              if body not in bodies)
        if any(response.serves_page for body in bodies for response in body.responses):
            continue  # an endpoint that answers with HTML pages is navigated to (an OAuth callback)
        conditional_preflight = _serves_only_options(project, handler) and any(
            response.has_cors for body in bodies for response in body.responses)
        for body in bodies:
            if body.key in seen:
                continue
            seen.add(body.key)
            for response in body.responses:
                if not response.headers_known or response.has_cors:
                    continue
                if conditional_preflight and _bare(response):
                    continue  # the answer to a request that is not a CORS preflight
                if _redirect(response):
                    continue  # browsers follow redirects by navigation, not through fetch
                kind = "error response" if response.in_catch or response.body_has_error_key else "response"
                yield report.at(
                    response.loc,
                    f"This {kind} of the HTTP action `{label}` has no `Access-Control-Allow-Origin` header; "
                    "browsers on another origin will block it. Add the CORS headers to every response.",
                    body=body,
                )


def _serves_only_options(project: ProjectFacts, handler: BodyFacts) -> bool:
    methods = {route.method for route in project.routes if route.handler_body == handler.key}
    return methods == {"OPTIONS"}


def _bare(response: ResponseFact) -> bool:
    return response.status in (None, 200, 204) and not response.own_header_names and not response.header_refs


def _redirect(response: ResponseFact) -> bool:
    return "location" in response.header_names or (response.status is not None and 300 <= response.status < 400)
