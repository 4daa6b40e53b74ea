"""Deeply nested validator.

What it flags:
    A schema field, or an argument of a registered function, whose validator nests objects
    and arrays more than three deep. The field itself counts as the first level, the document
    or `args` object around it does not; `v.optional`, `v.union` and `v.record` add no level.
    Reported once per field, at the first object or array of the fourth level.

Why it matters:
    Deeply nested documents are hard to index (an index reaches into objects but not into
    arrays), hard to patch (a change deep inside rewrites the whole top-level field), and they
    tend to grow without bound. Arguments that deep usually carry a whole client-side model
    that the server should not trust as is.

Example:
    pages: defineTable({
      layout: v.object({
        sections: v.array(v.object({
          blocks: v.array(v.object({ text: v.string() })),
        })),
      }),
    }),

Fix:
    Split the inner level into its own table with a reference to its parent
    (`blocks: defineTable({ sectionId: v.id("sections"), text: v.string() })`), or flatten it.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_tables
from auditor.engine.model import ProjectFacts, Validator
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/deep-nesting", "info", "Deeply nested validator")

MAX_DEPTH = 3
_CONTAINERS = frozenset({"object", "array"})


def too_deep(validator: Validator) -> Validator | None:
    """The first object or array below ``MAX_DEPTH`` levels, counting ``validator`` as level one."""
    stack: list[tuple[Validator, int]] = [(validator, 0)]
    while stack:
        current, above = stack.pop()
        level = above + 1 if current.kind in _CONTAINERS else above
        if level > MAX_DEPTH:
            return current
        for child in reversed([*current.children, *current.fields.values()]):
            stack.append((child, level))
    return None


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for _, table in schema_tables(project):
        for field in table.fields.values():
            found = too_deep(field.validator)
            if found is not None:
                yield report.at(found.loc or field.loc or table.loc, _message(f'"{table.name}.{field.name}"'))
    for function in project.functions.values():
        for name, validator in (function.args or {}).items():
            found = too_deep(validator)
            if found is not None and found.loc is not None:
                yield report.at(found.loc, _message(f'The argument "{name}" of `{function.function_id}`'),
                                function=function)


def _message(what: str) -> str:
    return (f"{what} nests objects and arrays more than {MAX_DEPTH} levels deep; move the inner level to its own "
            "table or flatten it.")
