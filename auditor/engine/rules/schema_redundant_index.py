"""Index whose fields are a prefix of another index.

What it flags:
    A regular index of a table whose field list is a strict prefix of another regular index of
    the same table, such as `by_author: ["authorId"]` next to
    `by_author_and_published: ["authorId", "published"]`. Reported at the shorter index's
    `.index(`. Search and vector indexes, and two indexes with the same fields, are not
    compared.

Why it matters:
    The longer index answers every range the shorter one does (`q.eq("authorId", id)` works on
    both), so the shorter one only adds write cost, storage, and a slot of the per-table index
    limit. The exception: the shorter index orders equal values by `_creationTime`, the longer
    one by its next field; keep it if a query relies on that order.

Example:
    posts: defineTable({ authorId: v.id("users"), published: v.boolean() })
      .index("by_author", ["authorId"])
      .index("by_author_and_published", ["authorId", "published"]),

Fix:
    Delete the shorter index and point its `.withIndex` calls at the longer one.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/redundant-index", "info", "Index whose fields are a prefix of another index")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if project.schema is None:
        return
    for table in project.schema.tables.values():
        if table.library:
            continue  # a library's own indexes: not the project's to change
        regular = [index for index in table.indexes if index.kind == "regular" and index.fields]
        for short in regular:
            longer = next(
                (other for other in regular
                 if len(other.fields) > len(short.fields) and other.fields[:len(short.fields)] == short.fields),
                None,
            )
            if longer is None:
                continue
            yield report.at(
                short.loc,
                f'The index "{short.name}" ({", ".join(short.fields)}) of "{table.name}" is a prefix of '
                f'"{longer.name}" ({", ".join(longer.fields)}), which serves the same queries; remove it '
                "unless a query needs its _creationTime order.",
            )
