"""Field removed from an existing table.

What it flags:
    Compared with the previous audit (the baseline), a field of a table that still exists is
    gone from the schema. Only tables whose definition both audits read whole are compared,
    and schemas with `schemaValidation: false` are not.

Why it matters:
    Documents that hold the field no longer match the schema, so the deploy fails while any
    of them is left; code already deployed may also still write it.

Example:
    // before
    users: defineTable({ name: v.string(), nickname: v.optional(v.string()) }),
    // after
    users: defineTable({ name: v.string() }),

Fix:
    Deploy code that stops reading and writing the field, run a migration that removes it
    from every document, then drop it from the schema.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.compat import change_location, project_changes
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("compat/field-removed", "warning", "Field removed from an existing table")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for change in project_changes(project):
        if change.rule == RULE.id:
            yield report.at(change_location(project, change), change.message)
