"""Action calling an action in the same runtime.

What it flags:
    `ctx.runAction(...)` in an action (or a project helper one calls) whose target is an action
    of the project running in the same runtime as the caller: both in the default Convex
    runtime, or both in modules marked `"use node"`. Calling from the default runtime into a
    `"use node"` action (or back) is how an action reaches Node APIs, and is not flagged;
    neither are targets the auditor cannot resolve (components, dynamic references).

Why it matters:
    `ctx.runAction` starts a whole new action: a separate function invocation, billed and
    counted against concurrency limits, with its own arguments serialised and validated, while
    the caller waits idle. Within one runtime a plain async function does the same work
    without any of that.

Example:
    export const process = action({
      handler: async (ctx, args) => {
        const summary = await ctx.runAction(internal.ai.summarize, { text: args.text });
        await ctx.runMutation(internal.notes.save, { summary });
      },
    });

Fix:
    Extract the target's logic into a helper (`export async function summarize(ctx, text)`) and
    call it directly; keep `ctx.runAction` only to cross into (or out of) the Node runtime.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/action-calls-action", "warning", "Action calling an action in the same runtime")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function, body in bodies_of_kind(project, {"action"}):
        caller = project.modules.get(function.path)
        if caller is None:
            continue
        for call in body.run_calls:
            if call.method != "runAction" or call.target is None:
                continue
            target = project.functions.get(call.target.function_id)
            if target is None or target.kind != "action":
                continue
            callee = project.modules.get(target.path)
            if callee is None or callee.use_node != caller.use_node:
                continue
            runtime = "Node" if caller.use_node else "default Convex"
            yield report.at(
                call.loc,
                f"`ctx.runAction({call.target_text})` starts a separate action in the same ({runtime}) runtime as "
                f"`{function.function_id}`; call the logic as a plain helper function instead.",
                body=body,
            )
