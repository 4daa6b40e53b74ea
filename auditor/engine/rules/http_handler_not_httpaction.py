"""HTTP route handler that is not an httpAction.

What it flags:
    An `http.route` whose `handler` is a bare function (inline, a local function or constant,
    or a plain function exported by another project module), or a query, mutation or action
    registered with `query(...)`, `mutation(...)`, `action(...)` or their internal forms,
    written inline, held in a constant, or imported from another module. A handler built by a
    wrapper the auditor cannot see into, or imported and not resolved, is left alone.

Why it matters:
    The router only serves functions registered with `httpAction`: it needs the request and
    response plumbing that wrapper adds. A bare function or another kind of Convex function
    is rejected when the routes load, so the deploy fails or the route never answers. It is
    one of the hard-deny checks of Convex's own lint hook for coding agents.

Example:
    http.route({
      path: "/ping",
      method: "GET",
      handler: async (ctx, request) => new Response("pong"),
    });

Fix:
    Wrap it: `handler: httpAction(async (ctx, request) => new Response("pong"))`, with
    `httpAction` from `./_generated/server`. To reach a query or mutation, call it from the
    HTTP action with `ctx.runQuery`/`ctx.runMutation`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.extract import BASE_BUILDERS
from auditor.engine.model import ProjectFacts, RouteFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("http/handler-not-httpaction", "error", "HTTP route handler not wrapped in httpAction")


def _problem(project: ProjectFacts, route: RouteFact) -> str | None:
    if route.handler_form == "function":
        return "a bare function"
    if route.handler_form == "call" and route.handler_builder in BASE_BUILDERS \
            and BASE_BUILDERS[route.handler_builder][0] != "httpAction":
        return f"a {route.handler_builder}(...)"
    function = project.functions.get(route.handler_function) if route.handler_function else None
    if function is not None and function.kind != "httpAction":
        return f"the {function.kind} {function.function_id}"
    if route.handler_import is not None and function is None and route.handler_body is not None:
        # Linked to a plain function of another module (`export async function handle(ctx, req)`);
        # a registration the linker could not type (`export const h = wrap(...)`) has an export body.
        body = project.bodies.get(route.handler_body)
        if body is not None and not body.key.rpartition("#")[2].startswith(("export:", "route:")):
            return f"the plain function {route.handler_import[1]} of {route.handler_import[0]}"
    return None


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for route in project.routes:
        problem = _problem(project, route)
        if problem is not None:
            yield report.at(
                route.loc,
                f"The handler of {route.method} {route.route_key} is {problem}, not an `httpAction`; the router "
                "cannot serve it. Wrap the handler in `httpAction(...)` from `./_generated/server`.",
            )
