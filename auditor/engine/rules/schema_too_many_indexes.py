"""Table with many indexes.

What it flags:
    A table of the schema with 8 or more regular indexes (`.index(...)`). Search and vector
    indexes have their own, separate limits and are not counted. Reported at the table's name.
    Past the platform limit of 32 the table is an error of `schema/invalid-index-definition`
    instead, and this rule stays silent.

Why it matters:
    Every index is updated on every insert, patch and delete of the table, so each one adds
    write latency and storage. Convex allows 32 indexes per table; a table that already needs
    eight is usually serving several access patterns that overlap (indexes that are prefixes of
    others, or that a compound index could replace).

Example:
    orders: defineTable({...})
      .index("by_user", ["userId"])
      .index("by_user_status", ["userId", "status"])
      .index("by_status", ["status"])
      // ... five more

Fix:
    Remove indexes no query uses (see `schema/unused-index`) and prefixes of compound indexes
    (see `schema/redundant-index`); serve rare access patterns with a compound index plus a
    bounded filter, or move them to a separate table.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_tables
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/too-many-indexes", "info", "Table with many indexes")

THRESHOLD = 8
PLATFORM_LIMIT = 32


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for _, table in schema_tables(project):
        regular = [index for index in table.indexes if index.kind == "regular"]
        if THRESHOLD <= len(regular) <= PLATFORM_LIMIT:
            yield report.at(
                table.loc,
                f'The table "{table.name}" has {len(regular)} indexes (limit {PLATFORM_LIMIT}); each one '
                "slows every write. Remove unused or redundant ones.",
            )
