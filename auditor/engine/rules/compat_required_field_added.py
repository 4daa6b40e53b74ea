"""Required field added to an existing table.

What it flags:
    Compared with the previous audit (the baseline), a table that existed then gains a field
    whose validator is not `v.optional(...)`. Only tables whose definition both audits read
    whole are compared; new tables, and schemas with `schemaValidation: false`, are not.

Why it matters:
    The documents already stored do not have the field, so they no longer match the schema
    and `npx convex deploy` refuses the push until every one of them is migrated.

Example:
    // before
    users: defineTable({ name: v.string() }),
    // after
    users: defineTable({ name: v.string(), plan: v.string() }),

Fix:
    Add the field as `v.optional(...)`, backfill it with a migration, then make it required
    in a later deploy.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.compat import change_location, project_changes
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("compat/required-field-added", "error", "Required field added to an existing table")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for change in project_changes(project):
        if change.rule == RULE.id:
            yield report.at(change_location(project, change), change.message)
