"""Convex function defined but never exported.

What it flags:
    A registrar call (`query`, `mutation`, `action`, their `internal*` forms, or a custom
    builder made from them) assigned to a constant at the top level of a Convex module, where
    the constant is neither exported nor used anywhere else in the file. HTTP actions are not
    flagged (a router serves them without an export), nor files Convex never registers
    anything from (names with two dots such as `*.test.ts`). Reported at the declaration.

Why it matters:
    Convex registers a module's exports and nothing else: the function does not exist on the
    deployment. `api.module.name` has no such entry, so the client code that was meant to call
    it does not compile, or a string reference fails at runtime with "Could not find public
    function". Usually the `export` keyword was forgotten.

Example:
    const listMessages = query({
      args: {},
      handler: async (ctx) => await ctx.db.query("messages").take(50),
    });

Fix:
    Export it: `export const listMessages = query({...})`. If it is dead code, delete it.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import is_entry_point
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("functions/unexported-function", "warning", "Convex function defined but never exported")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for path, kind, registration in project.unexported_functions:
        if kind == "httpAction" or not is_entry_point(path):
            continue
        yield report.at(
            registration.loc,
            f"The {kind} `{registration.local}` is never exported, so Convex never registers it and no client or "
            f"scheduler can call it; write `export const {registration.local} = {registration.callee}(...)` or "
            "delete it.",
        )
