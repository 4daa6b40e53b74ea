"""Function registered with the old bare-function syntax.

What it flags:
    A query, mutation or action (public or internal, custom builders included) registered with a
    bare function, `query(async (ctx) => ...)`, instead of an object with a `handler`.
    `httpAction(async (ctx, request) => ...)` is the one correct form for HTTP actions and is
    never flagged.

Why it matters:
    The bare form cannot carry an `args` or `returns` validator, so the function accepts any
    arguments from any client. Convex's ESLint plugin (`no-old-registered-function-syntax`) and
    guidelines ask for the object form everywhere.

Example:
    export const generateUploadUrl = mutation(async (ctx) => {
      return await ctx.storage.generateUploadUrl();
    });

Fix:
    Pass an object with `args` and `handler`:
    `mutation({ args: {}, handler: async (ctx) => await ctx.storage.generateUploadUrl() })`.
    A missing validator on the bare form is reported here alone, not also by
    `validators/missing-args`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("functions/old-syntax", "warning", "Function registered with the old bare-function syntax")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.syntax != "function" or function.kind == "httpAction":
            continue
        yield report.at(
            function.loc,
            f"`{function.name}` is registered as `{function.builder}(async (ctx) => ...)`; use "
            f"`{function.builder}({{ args: {{...}}, handler: async (ctx, args) => ... }})`.",
            function=function,
        )
