"""Table name starting with an underscore.

What it flags:
    A table of `defineSchema({...})` whose name starts with `_`, in the app's schema or a
    component's.

Why it matters:
    Names starting with `_` are reserved for Convex's system tables (`_storage`,
    `_scheduled_functions`). The deploy is refused with a reserved table name error. It is one
    of the hard-deny checks of Convex's own lint hook for coding agents.

Example:
    export default defineSchema({
      _migrations: defineTable({ name: v.string() }),
    });

Fix:
    Drop the leading underscore (`migrations: defineTable(...)`) and update the queries that
    name the table.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_tables
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/reserved-table-name", "error", "Table name reserved for system tables")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for _, table in schema_tables(project):
        if table.name.startswith("_"):
            yield report.at(
                table.loc,
                f'The table name "{table.name}" starts with "_", which Convex reserves for system tables; '
                f'the deploy is refused. Rename it (for example "{table.name.lstrip("_") or "items"}").',
            )
