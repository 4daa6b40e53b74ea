"""Function value passed to ctx.run* or the scheduler.

What it flags:
    `ctx.runQuery`, `ctx.runMutation`, `ctx.runAction`, `ctx.scheduler.runAfter` or `runAt`
    given a function value (a registered function of the same file, a local or imported project
    function, an inline arrow) instead of a function reference from `api.*` or `internal.*`.
    Handlers and project helpers are checked.

Why it matters:
    These APIs take a `FunctionReference`, a name Convex resolves on the server. A function
    value does not type-check against them and fails at run time, or, when cast through `any`,
    is sent as something the backend cannot resolve. Convex's own lint flags calling registered
    functions directly for the same reason: arguments are not validated and the call does not
    run as its own transaction.

Example:
    export const send = mutation({
      args: { body: v.string() },
      handler: async (ctx, { body }) => {
        await ctx.db.insert("messages", { body });
        await ctx.scheduler.runAfter(0, notify, { body });
      },
    });

Fix:
    Pass the reference: `internal.notifications.notify`, imported from `./_generated/api`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import bodies_with_owner
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("correctness/direct-function-ref", "warning", "Function value passed to ctx.run* or the scheduler")

_CALL = {"runAfter": "ctx.scheduler.runAfter", "runAt": "ctx.scheduler.runAt"}


def check(project: ProjectFacts) -> Iterator[Finding]:
    for body, owner in bodies_with_owner(project):
        for call in body.run_calls:
            if not call.target_is_direct:
                continue
            name = _CALL.get(call.method, f"ctx.{call.method}")
            yield RULE.finding(
                call.loc,
                f"`{name}` is given the function value `{call.target_text}` instead of a reference; pass "
                "`internal.<module>.<name>` (or `api.*`) from `_generated/api`.",
                function=owner,
            )
