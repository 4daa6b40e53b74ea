"""Array of ids in a document.

What it flags:
    A schema field (at any depth of a table's document) validated as `v.array(v.id("t"))`,
    optional or not. Reported at the `v.array(`.

Why it matters:
    A list of references inside one document grows without bound: every new member, tag or
    follower rewrites the whole document, concurrent additions conflict with each other, the
    document creeps towards the 1 MB limit and arrays are capped at 8192 elements. The reverse
    question ("which documents reference this one?") cannot use an index either.

Example:
    teams: defineTable({ name: v.string(), memberIds: v.array(v.id("users")) }),

Fix:
    Use a join table with an index on each side:
    `teamMembers: defineTable({ teamId: v.id("teams"), userId: v.id("users") })
       .index("by_team", ["teamId"]).index("by_user", ["userId"])`.
    Small, fixed-size lists (a pair of participants) can stay arrays; suppress the finding with
    a comment saying why.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_tables
from auditor.engine.model import ProjectFacts, Validator
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/unbounded-id-array", "warning", "Array of ids in a document")


def _id_arrays(validator: Validator, path: str) -> Iterator[tuple[str, Validator]]:
    """Each array of ids inside a field's validator, with the dotted path of the object field holding it."""
    stack = [(path, validator)]
    while stack:
        where, current = stack.pop()
        if current.kind == "array" and current.children and current.children[0].inner.kind == "id":
            yield where, current
            continue
        stack.extend((where, child) for child in current.children)  # union members, optional, array items
        stack.extend((f"{where}.{name}", child) for name, child in current.fields.items())


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for _, table in schema_tables(project):
        for field in table.fields.values():
            for where, array in _id_arrays(field.validator, f"{table.name}.{field.name}"):
                target = array.children[0].inner.table or "another table"
                yield report.at(
                    array.loc or field.loc or table.loc,
                    f'"{where}" holds an array of ids of "{target}", which grows without '
                    "bound; model the relation as a join table with an index on each side.",
                )
