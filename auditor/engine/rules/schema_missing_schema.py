"""Convex folder without a schema.

What it flags:
    A Convex folder that registers functions but has no `schema.ts` (or `schema.js`). Reported
    once, at the first function registration of the folder. Silent when a schema file exists
    but could not be parsed or was skipped.

Why it matters:
    Without a schema, Convex accepts any document shape: a typo in a field name or a wrong type
    is written to the database silently, `Doc<"table">` and `Id<"table">` are untyped, and no
    index can be declared, so every query scans its table.

Example:
    convex/
      messages.ts   // export const send = mutation({...})
      (no schema.ts)

Fix:
    Add `convex/schema.ts` with `export default defineSchema({ ... })`, one `defineTable` per
    table with its validators and the indexes the queries need. `npx convex dev` can generate a
    starting schema from existing data in the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/missing-schema", "warning", "Convex folder without a schema")

_SCHEMA_STEMS = ("schema",)


def _has_schema_file(project: ProjectFacts) -> bool:
    prefix = project.convex_dir + "/"
    candidates = {m.path for m in project.modules.values()} | {f.path for f in project.parse_failures}
    candidates |= {s.get("path", "") for s in project.skipped}
    for path in candidates:
        if path.startswith(prefix) and path[len(prefix):].rsplit(".", 1)[0] in _SCHEMA_STEMS:
            return True
    return any(module.schema is not None for module in project.modules.values())


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if not project.functions or _has_schema_file(project):
        return
    first = min(project.functions.values(), key=lambda f: (f.loc.path, f.loc.line, f.loc.column))
    yield report.at(
        first.loc,
        f"The Convex folder {project.convex_dir}/ registers {len(project.functions)} function(s) but has no "
        "schema.ts; documents are not validated and no index can be declared.",
        function=first,
    )
