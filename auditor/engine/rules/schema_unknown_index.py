"""Index not defined in the schema.

What it flags:
    `.withIndex("name", ...)` or `.withSearchIndex("name", ...)` on `ctx.db.query("t")` where
    the schema defines the table `t` but no index of that name on it. The built-in
    `by_creation_time` and `by_id` indexes always exist. The finding sits at the index name
    literal. Not flagged: tables the schema cannot fully describe (defined by a library such
    as `authTables`), table or index names computed at runtime, and chains whose table is
    itself unknown (that is `schema/unknown-table`'s finding).

Why it matters:
    Convex throws `Index t.name not found` when the query runs. The usual causes are a typo or
    an index renamed or removed from the schema while code still uses it.

Example:
    // schema.ts: posts: defineTable({...}).index("by_author", ["authorId"])
    await ctx.db.query("posts").withIndex("by_authorId", (q) => q.eq("authorId", id)).collect();

Fix:
    Use the index name from the schema, or add the index:
    `.index("by_authorId", ["authorId"])`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_for
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/unknown-index", "error", "Index not defined in the schema")

BUILTIN_INDEXES = frozenset({"by_creation_time", "by_id"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in project.bodies.values():
        schema = schema_for(project, body.path)
        if schema is None:
            continue
        for call in body.db_calls:
            if call.index is None or call.index_loc is None or call.table is None:
                continue
            table = schema.tables.get(call.table)
            if table is None or table.opaque or call.index in BUILTIN_INDEXES:
                continue
            if table.index_named(call.index) is not None:
                continue
            known = ", ".join(f'"{index.name}"' for index in table.indexes) or "none besides the built-in ones"
            yield report.at(
                call.index_loc,
                f'The table "{call.table}" has no index "{call.index}" (its indexes: {known}); the query '
                "throws at runtime. Use an index the schema defines or add it.",
                body=body,
            )
