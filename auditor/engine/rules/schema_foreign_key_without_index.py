"""Reference field without an index.

What it flags:
    A top-level field of a schema table validated as `v.id("t")` (also optional, or in a union
    with `v.null()`) when no regular index of that table starts with the field. Tables defined
    by a library (`authTables`) and references to system tables (`v.id("_storage")`) are
    skipped. Reported at the field's validator.

Why it matters:
    A reference is almost always followed backwards: "the messages of this channel", "the
    memberships of this user", and the cascade when the referenced document is deleted. Without
    an index whose first field is the reference, each of those lookups scans the whole table,
    which gets slower and more conflict-prone as the table grows.

Example:
    messages: defineTable({ channelId: v.id("channels"), body: v.string() }),
    // ctx.db.query("messages").filter((q) => q.eq(q.field("channelId"), id))

Fix:
    Index the reference and query through it:
    `.index("by_channel", ["channelId"])`, then
    `.withIndex("by_channel", (q) => q.eq("channelId", id))`. A compound index that starts with
    the field (`["channelId", "createdAt"]`) serves both.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_tables
from auditor.engine.model import ProjectFacts, Validator
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/foreign-key-without-index", "info", "Reference field without an index")


def referenced_table(validator: Validator) -> str | None:
    """The table of a `v.id("t")`, optional, nullable or in a union with `v.null()`."""
    current = validator
    while current.kind in {"optional", "nullable"} and current.children:
        current = current.children[0]
    if current.kind == "union":
        ids = [child for child in current.children if child.kind == "id"]
        rest = [child for child in current.children if child.kind not in {"id", "null"}]
        if len(ids) == 1 and not rest:
            current = ids[0]
    return current.table if current.kind == "id" else None


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for _, table in schema_tables(project):
        if table.opaque:
            continue
        leading = table.leading_index_fields
        for field in table.fields.values():
            target = referenced_table(field.validator)
            if target is None or target.startswith("_") or field.name in leading:
                continue
            loc = field.loc or field.validator.loc or table.loc
            yield report.at(
                loc,
                f'"{table.name}.{field.name}" references "{target}" but no index of "{table.name}" starts with '
                f'it; add .index("by_{field.name}", ["{field.name}"]) for lookups and cascades.',
            )
