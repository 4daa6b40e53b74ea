"""Function value passed to ctx.run* or the scheduler.

What it flags:
    `ctx.runQuery`, `ctx.runMutation`, `ctx.runAction`, `ctx.scheduler.runAfter` or `runAt`
    given a function value (a registered function of the same file, a local function, an inline
    arrow, or an imported Convex function of the project) instead of a function reference from
    `api.*` or `internal.*`. An imported name is only reported when it resolves to a registered
    Convex function: a module that exports `const NOTIFY = internal.mail.send` hands out a
    reference, not a function. Handlers and project helpers are checked.

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

from auditor.engine.derive import convex_bodies
from auditor.engine.model import BodyFacts, ProjectFacts, RunCall
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/direct-function-ref", "warning", "Function value passed to ctx.run* or the scheduler")

_CALL = {"runAfter": "ctx.scheduler.runAfter", "runAt": "ctx.scheduler.runAt"}


def _imported_function_value(project: ProjectFacts, body: BodyFacts, call: RunCall) -> bool | None:
    """For an imported target: True when it is a registered Convex function, False when it is some
    other export, None when it is no import or cannot be resolved."""
    module = project.modules.get(body.path)
    imported = module.imports.get(call.target_text) if module is not None else None
    if imported is None:
        return None
    source, name = imported
    target = next((path for src, path, _ in project.module_imports.get(body.path, ()) if src == source and path),
                  None)
    target_module = project.modules.get(target) if target else None
    if target_module is None or target_module.module is None:
        return None
    return f"{target_module.module}:{name}" in project.functions


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):
        for call in body.run_calls:
            if not call.target_is_direct:
                continue
            if _imported_function_value(project, body, call) is False:
                continue
            name = _CALL.get(call.method, f"ctx.{call.method}")
            yield report.at(
                call.loc,
                f"`{name}` is given the function value `{call.target_text}` instead of a reference; pass "
                "`internal.<module>.<name>` (or `api.*`) from `_generated/api`.",
                body=body,
            )
