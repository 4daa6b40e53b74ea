"""Convex function exported under a condition.

What it flags:
    An exported Convex function whose registration sits behind a condition:
    `export const f = process.env.DEBUG ? mutation({...}) : internalMutation({...})` or
    `export const f = isDev && query({...})`. Whatever the condition reads, the function a
    deployment exposes is decided at bundle time, not in review.

Why it matters:
    Reviewers and tools read `export const f = mutation(...)` as "f is public". Behind a ternary,
    a debug or admin endpoint can become public in a deployment where an environment variable
    happens to be set, or disappear from another. It is also how backdoors hide. Convex's own
    tooling cannot tell which branch a deployment took.

Example:
    export const resetDatabase = process.env.ALLOW_RESET
      ? mutation({ args: {}, handler: async (ctx) => { /* wipe tables */ } })
      : internalMutation({ args: {}, handler: async () => {} });

Fix:
    Export one registration unconditionally and check the condition inside the handler
    (throw when the feature is off), or keep the function `internal*` and call it from the
    dashboard or a script.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("auth/conditional-export", "warning", "Convex function exported under a condition")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if not function.conditional:
            continue
        yield report.at(
            function.loc,
            f"`{function.function_id}` is exported behind a condition: which function a deployment exposes "
            "(and whether it is public) is decided outside review. Export it unconditionally and check "
            "the condition inside the handler.",
            function=function,
        )
