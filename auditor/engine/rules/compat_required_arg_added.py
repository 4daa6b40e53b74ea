"""Public function gains a required argument.

What it flags:
    A public query, mutation or action that existed in the previous audit (the baseline)
    and now declares an argument that is not `v.optional(...)` and that it did not require
    before (a new argument, or an optional one made required). Functions whose `args` either
    audit could not read whole are not compared.

Why it matters:
    Clients already deployed, and jobs already scheduled with the old arguments, call it
    without the new one; argument validation rejects every such call.

Example:
    // before
    export const send = mutation({ args: { body: v.string() }, handler });
    // after
    export const send = mutation({ args: { body: v.string(), channel: v.id("channels") }, handler });

Fix:
    Add the argument as `v.optional(...)` with a default in the handler; require it only
    once no old client or scheduled job remains.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.compat import change_location, project_changes
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("compat/required-arg-added", "warning", "Public function gains a required argument")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for change in project_changes(project):
        if change.rule == RULE.id:
            yield report.at(change_location(project, change), change.message, owner=change.function)
