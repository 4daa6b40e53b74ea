"""Mutation calls an action directly.

What it flags:
    `ctx.runAction(...)` in a `mutation`/`internalMutation` handler, in a project helper it
    calls, or in its custom builder's context function. The finding sits at the
    `ctx.runAction` call. (In a query the same call is `correctness/mutation-from-query`.)

Why it matters:
    A mutation's context has no `runAction`: the call fails. Even if it did not, an action's
    side effects cannot be rolled back with the mutation's transaction. Convex's pattern is to
    schedule the action: it then runs once, after the mutation commits.

Example:
    export const myMutation = mutation({
      handler: async (ctx) => {
        await ctx.runAction(api.actions.sendEmail);
      },
    });

Fix:
    `await ctx.scheduler.runAfter(0, internal.actions.sendEmail, args);`
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import distinct_bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("scheduler/action-called-from-mutation", "error", "Mutation calls ctx.runAction")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for reached in distinct_bodies_of_kind(project, {"mutation"}):
        function, body = reached.function, reached.body
        for call in body.run_calls:
            if call.method != "runAction":
                continue
            target = f" `{call.target_text}`" if call.target_text else ""
            yield report.at(
                call.loc,
                f"The mutation `{function.function_id}` runs the action{target} directly; mutations cannot "
                "run actions. Schedule it instead: `ctx.scheduler.runAfter(0, ...)`.",
                body=reached.body,
            )
