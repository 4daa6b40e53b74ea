"""Field validator that accepts fewer values than before.

What it flags:
    Compared with the previous audit (the baseline), a field of an existing table whose new
    validator rejects values the old one accepted: a union that loses a member, `v.any()`
    made specific, `v.optional` dropped, a literal or id table changed, a nested object that
    loses a field or gains a required one. Widening (a union member added, a field made
    optional) is fine, and a validator either audit could not read is not compared.

Why it matters:
    Documents written under the old validator may hold the values the new one rejects, so
    the deploy fails until they are migrated.

Example:
    // before
    status: v.union(v.literal("draft"), v.literal("published"), v.literal("archived")),
    // after
    status: v.union(v.literal("draft"), v.literal("published")),

Fix:
    Migrate the documents to the narrower values first (or keep accepting the old ones), and
    narrow the validator in a later deploy.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.compat import change_location, project_changes
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("compat/field-type-narrowed", "error", "Field validator narrowed")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for change in project_changes(project):
        if change.rule == RULE.id:
            yield report.at(change_location(project, change), change.message)
