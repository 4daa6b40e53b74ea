"""HTTP route spec the router rejects.

What it flags:
    An `http.route({...})` whose spec, as written, is one Convex's `HttpRouter` throws on:
    - `path` that does not start with `/`;
    - `pathPrefix` that does not start with `/` or does not end with `/`;
    - both `path` and `pathPrefix`, or neither;
    - no `method`, or a literal method outside GET, POST, PUT, PATCH, DELETE and OPTIONS (the
      router compares case-sensitively, so `"post"` is rejected too);
    - a path under `/.files`, which Convex reserves.
    Only literal values are judged; a spec with a spread or a computed key is checked for what
    it literally holds and never for what it might lack.

Why it matters:
    `httpRouter().route` throws while `convex/http.ts` loads: the push fails and none of the
    deployment's HTTP routes is updated.

Example:
    http.route({ path: "api/upload", method: "post", handler: upload });
    http.route({ pathPrefix: "/files", method: "GET", handler: serveFile });

Fix:
    http.route({ path: "/api/upload", method: "POST", handler: upload });
    http.route({ pathPrefix: "/files/", method: "GET", handler: serveFile });
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts, RouteFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("http/invalid-route-spec", "error", "HTTP route spec the router rejects")

ROUTABLE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
RESERVED = "/.files"


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for route in project.routes:
        problem = route_spec_problem(route)
        if problem is not None:
            yield report.at(route.loc,
                            f"This route {problem}; the router throws when http.ts loads and the push fails.")


def route_spec_problem(route: RouteFact) -> str | None:
    keys = route.spec_keys
    if route.method_literal is not None and route.method_literal not in ROUTABLE_METHODS:
        suggestion = route.method_literal.upper()
        fix = f'write "{suggestion}"' if suggestion in ROUTABLE_METHODS else "use one of " + ", ".join(ROUTABLE_METHODS)
        return f'has the method "{route.method_literal}", which the router does not accept ({fix})'
    if route.spec_open:
        return None
    if "method" not in keys:
        return 'has no `method` (add method: "GET", "POST", ...)'
    if "path" in keys and "pathPrefix" in keys:
        return "gives both `path` and `pathPrefix` (keep one)"
    if "path" not in keys and "pathPrefix" not in keys:
        return "has neither `path` nor `pathPrefix`"
    if route.path is not None:
        if not route.path.startswith("/"):
            return f'has the path "{route.path}", which does not start with "/" (write "/{route.path}")'
        if route.path == RESERVED or route.path.startswith(RESERVED + "/"):
            return f'uses the path "{route.path}", which Convex reserves'
    if route.path_prefix is not None:
        prefix = route.path_prefix
        if not prefix.startswith("/"):
            return f'has the pathPrefix "{prefix}", which does not start with "/"'
        if not prefix.endswith("/"):
            return f'has the pathPrefix "{prefix}", which does not end with "/" (write "{prefix}/")'
        if prefix.startswith(RESERVED + "/"):
            return f'uses the pathPrefix "{prefix}", which Convex reserves'
    return None
