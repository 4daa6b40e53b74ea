"""Public function without an args validator.

What it flags:
    A public `query`, `mutation` or `action` (custom builders made with convex-helpers count as
    their base kind) registered with an object that has no `args` key. Internal functions and
    `httpAction`s are not flagged; neither is the bare-function form, which
    `functions/old-syntax` reports on the same line, nor an object with a spread
    (`{ ...shared, handler }`), which may bring `args` along.

Why it matters:
    Public functions are callable by anyone with the deployment URL. Without `args`, Convex
    accepts any value for the arguments, so a client can send ids of another table, objects
    where strings were expected, or extra fields the handler spreads into a write. TypeScript
    types on the handler's parameters are not checked at run time.

Example:
    export const get = query({
      handler: async (ctx, { id }: { id: Id<"messages"> }) => {
        return await ctx.db.get(id);
      },
    });

Fix:
    Declare the arguments, even when there are none:
    `args: { id: v.id("messages") }` or `args: {}`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("validators/missing-args", "warning", "Public function without an args validator")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.visibility != "public" or function.kind not in {"query", "mutation", "action"}:
            continue
        if function.syntax != "object" or function.has_args or function.options_spread:
            continue
        yield report.at(
            function.loc,
            f"Public {function.kind} `{function.function_id}` has no `args` validator; any client can pass "
            "any arguments. Add `args: {...}` (or `args: {}`).",
            function=function,
        )

