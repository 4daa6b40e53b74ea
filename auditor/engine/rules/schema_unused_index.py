"""Index that no code uses.

What it flags:
    An index of the schema (`.index`, `.searchIndex` or `.vectorIndex`) whose name appears
    nowhere in the Convex folder outside the schema module: no `.withIndex("name", ...)`,
    `.withSearchIndex("name", ...)`, `ctx.vectorSearch("table", "name", ...)`, helper call such
    as `getManyFrom(db, "table", "name", ...)` or constant names it. Reported at the `.index(`.
    The rule stays silent for a table queried through `.withIndex(name)` with a name it cannot
    resolve, for the tables of a library spread into the schema (Convex Auth's `authTables`,
    whose code queries `users` by "email" and "phone"), and for the whole project when a file
    of the Convex folder failed to parse or was skipped (that file may be the one using the
    index).

Why it matters:
    Every index is maintained on every write to its table: it costs write time and storage,
    and counts against the per-table index limit, for nothing. An unused index is also often
    the sign of a query that was meant to use it and scans the table with `.filter` instead.

Example:
    users: defineTable({ email: v.string(), name: v.string() })
      .index("by_email", ["email"])
      .index("by_name", ["name"]), // nothing queries by name

Fix:
    Use the index where the query needs it (`.withIndex("by_name", (q) => q.eq("name", n))`),
    or delete it from the schema.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import unused_indexes
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/unused-index", "info", "Index that no code uses")

_KIND = {"regular": "index", "search": "search index", "vector": "vector index"}
_HOW = {"regular": ".withIndex", "search": ".withSearchIndex", "vector": "ctx.vectorSearch"}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    prefix = project.convex_dir + "/"
    if any(failure.path.startswith(prefix) for failure in project.parse_failures):
        return
    if any(entry.get("path", "").startswith(prefix) for entry in project.skipped):
        return
    for index in unused_indexes(project):
        yield report.at(
            index.loc,
            f'The {_KIND[index.kind]} "{index.name}" of "{index.table}" is not used by any {_HOW[index.kind]} '
            "in the project; use it or remove it (every write to the table maintains it).",
        )
