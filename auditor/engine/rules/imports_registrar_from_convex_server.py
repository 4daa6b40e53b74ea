"""Function registrar imported from convex/server.

What it flags:
    `query`, `mutation`, `action`, `internalQuery`, `internalMutation`, `internalAction` or
    `httpAction` imported from the `convex/server` package, in Convex code or anywhere else in
    the project. The name imported counts, not the local one: `queryGeneric as query` is fine,
    `query as convexQuery` is not.

Why it matters:
    The package does not export these names (it exports `queryGeneric` and friends); the
    registrars typed for the app live in the generated `./_generated/server`. TypeScript
    rejects the import and the bundler finds no such export, so the push or deploy fails. It
    is one of the hard-deny checks of Convex's own lint hook for coding agents.

Example:
    import { query } from "convex/server";

    export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("tasks").collect() });

Fix:
    `import { query } from "./_generated/server";` (the path relative to the file). To build
    registrars for a data model outside the app, import `queryGeneric` from `convex/server`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import shadowed_convex_packages
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("imports/registrar-from-convex-server", "error", "Registrar imported from convex/server")

REGISTRARS = frozenset({"query", "mutation", "action", "internalQuery", "internalMutation", "internalAction",
                        "httpAction"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if "convex/server" in shadowed_convex_packages(project):
        return
    for module in [*project.modules.values(), *project.frontend.values()]:
        for source, name, loc in module.import_specifiers:
            if source == "convex/server" and name in REGISTRARS:
                yield report.at(
                    loc,
                    f'`{name}` is imported from "convex/server", which does not export it; import it from '
                    '"./_generated/server" (relative to this file).',
                )
