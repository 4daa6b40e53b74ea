"""The same HTTP route registered twice.

What it flags:
    Two `http.route({...})` calls on one router, at the top level of the module, with the same
    literal method and the same literal `path` (or the same `pathPrefix`). The finding sits at
    the second registration. Routes whose path or method is computed, and routes registered
    inside conditions, loops or functions, are not compared.

Why it matters:
    The router throws "Path '/x' for method POST already in use" (or "pathPrefix ... is already
    defined") while `convex/http.ts` loads, so the push fails and no HTTP route of the
    deployment is updated. It usually comes from a copied route whose path was not changed.

Example:
    http.route({ path: "/webhooks/stripe", method: "POST", handler: stripeWebhook });
    http.route({ path: "/webhooks/stripe", method: "POST", handler: clerkWebhook });

Fix:
    Give the second route its own path (`/webhooks/clerk`), or delete the copy.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts, RouteFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("http/duplicate-route", "error", "HTTP route registered twice")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    first: dict[tuple[str, str, str, str, str], RouteFact] = {}
    for route in project.routes:
        if not route.top_level or route.method_literal is None or route.spec_open:
            continue
        if route.path is not None and "pathPrefix" not in route.spec_keys:
            kind, value = "path", route.path
        elif route.path_prefix is not None and "path" not in route.spec_keys:
            kind, value = "pathPrefix", route.path_prefix
        else:
            continue
        key = (route.loc.path, route.router, route.method, kind, value)
        earlier = first.setdefault(key, route)
        if earlier is route:
            continue
        yield report.at(
            route.loc,
            f'{route.method} {kind} "{value}" is already registered on line {earlier.loc.line}; the router throws '
            "when http.ts loads and the push fails. Give this route its own path or remove it.",
        )
