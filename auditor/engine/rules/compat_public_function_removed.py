"""Public function removed or renamed.

What it flags:
    A public query, mutation or action of the previous audit (the baseline) that this audit
    no longer has, or that became internal. A function whose module still exports the name
    (under a builder the auditor does not follow) or whose file could not be read is not
    reported.

Why it matters:
    Clients already deployed (web builds in users' tabs, mobile apps in stores, other
    services) keep calling the old name until they update; each call fails with "Could not
    find public function".

Example:
    // before: convex/messages.ts
    export const send = mutation({ ... });
    // after
    export const post = mutation({ ... });

Fix:
    Keep the old name as a thin wrapper (or alias) until no deployed client calls it, then
    remove it.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.compat import change_location, project_changes
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("compat/public-function-removed", "warning", "Public function removed or renamed")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for change in project_changes(project):
        if change.rule == RULE.id:
            yield report.at(change_location(project, change), change.message, owner=change.function)
