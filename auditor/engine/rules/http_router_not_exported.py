"""HTTP router that Convex never sees.

What it flags:
    - `convex/http.ts` (or `.js`) that creates an `httpRouter()` (or registers routes) but has
      no `export default`: reported at the router's creation;
    - a router with routes created in another module of the Convex folder that no module
      imports, so it can never reach `http.ts`'s default export: reported at its creation.

Why it matters:
    Convex serves exactly the router that `convex/http.ts` exports as default. Without that
    export the deployment has no HTTP routes at all: webhooks from Stripe or Clerk get 404s,
    sign-in callbacks of Convex Auth fail, and nothing in the deploy output says why.

Example:
    // convex/http.ts
    const http = httpRouter();
    http.route({ path: "/stripe", method: "POST", handler: stripeWebhook });
    // (no export default)

Fix:
    End `convex/http.ts` with `export default http;`. A router built in another file must be
    imported into `convex/http.ts` and exported from there.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from auditor.engine.model import ModuleFacts, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("http/router-not-exported", "error", "HTTP router that Convex never sees")

ENTRY_NAMES = ("http.ts", "http.js", "http.mts", "http.mjs", "http.tsx", "http.jsx")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    entries = {posixpath.join(project.convex_dir, name) if project.convex_dir else name for name in ENTRY_NAMES}
    imported = {target for sites in project.module_imports.values() for _, target, _ in sites if target}
    for module in project.modules.values():
        if module.path in entries:
            yield from _entry(report, module)
        elif module.routes and module.path not in imported and not _is_test(module.path):
            for name, loc in module.routers:
                if any(route.router == name for route in module.routes):
                    yield report.at(
                        loc,
                        f"The router `{name}` gets routes in {module.path}, but no module imports this file, so its "
                        "routes never reach convex/http.ts and Convex serves none of them. Register them on the "
                        "router that convex/http.ts exports as default.",
                    )


def _entry(report: RuleContext, module: ModuleFacts) -> Iterator[Finding]:
    if "default" in module.exports or not (module.routers or module.routes):
        return
    name, loc = module.routers[0] if module.routers else ("http", module.routes[0].loc)
    yield report.at(
        loc,
        f"{module.path} has no `export default`, so Convex serves none of its routes; add `export default {name};`.",
    )


def _is_test(path: str) -> bool:
    name = posixpath.basename(path)
    return ".test." in name or ".spec." in name
