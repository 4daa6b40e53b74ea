"""Query filters on a field no index covers.

What it flags:
    `ctx.db.query("t").filter((q) => q.eq(q.field("f"), ...))` (any comparison on
    `q.field(...)`) with no `.withIndex`/`.withSearchIndex` on the chain, when the schema
    defines the table. The finding sits at `.filter`. When an index of the table starts with a
    filtered field, the message names it (`use .withIndex("by_f", ...)`): the index exists
    but this query does not use it. Otherwise it says which index to add. System fields
    (`_id`, `_creationTime`) and tables the schema cannot fully describe are not flagged; a
    query through `db` handed to a helper (`db: DatabaseReader`) counts like `ctx.db`.

Why it matters:
    `.filter` does not narrow what Convex reads: the query scans the whole table and tests
    every document, so its cost and latency grow with the table, it reads past the per-query
    document limit on large tables, and it re-runs on every change to any document of the
    table.

Example:
    // schema.ts: posts: defineTable({ authorId: v.id("users"), ... })  (no index)
    await ctx.db.query("posts").filter((q) => q.eq(q.field("authorId"), args.authorId)).collect();

Fix:
    Add an index that starts with the field and query through it:
    `.index("by_author", ["authorId"])` and
    `.withIndex("by_author", (q) => q.eq("authorId", args.authorId))`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_for
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/unindexed-filter", "warning", "Query filters on a field without an index")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in project.bodies.values():
        schema = schema_for(project, body.path)
        if schema is None:
            continue
        for call in body.db_calls:
            if call.method != "query" or call.table is None or call.filter_loc is None:
                continue
            if "withIndex" in call.chain or "withSearchIndex" in call.chain:
                continue
            table = schema.tables.get(call.table)
            if table is None or table.opaque:
                continue
            fields = [f for f in call.filter_fields if not f.startswith("_")]
            if not fields:
                continue
            names = ", ".join(f'"{f}"' for f in fields)
            usable = next((index for field in fields for index in table.indexes
                           if index.kind == "regular" and index.fields[:1] == (field,)), None)
            if usable is not None:
                advice = (f'The index "{usable.name}" starts with "{usable.fields[0]}": use '
                          f'`.withIndex("{usable.name}", (q) => q.eq("{usable.fields[0]}", ...))` instead.')
            else:
                advice = (f'No index covers it: add `.index("by_{fields[0]}", ["{fields[0]}"])` to "{call.table}" '
                          "and use `.withIndex`.")
            yield report.at(
                call.filter_loc,
                f'This query scans the whole "{call.table}" table and filters on {names}. {advice}',
                body=body,
            )
