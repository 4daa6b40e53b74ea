"""Public mutation or action without an authentication check.

What it flags:
    A public `mutation` or `action` (not `internal*`, not a query) whose handler, the project
    helpers it calls (also across files) and its custom builder's context function never call
    `ctx.auth.getUserIdentity()` or a library identity helper (`getAuthUserId` of Convex
    Auth) and use its answer, nor run (`ctx.runQuery`/`runMutation`/`runAction`) a function
    that does. An identity call on a line of its own, or bound to a name nothing reads, checks
    nothing. The finding sits at the `export const` line.

    A check guards only what comes after it takes effect: where its answer is read, or where
    a checking helper is called. An action that writes (runs or schedules a mutation or action,
    directly or in a helper) before its first check is flagged at that first write: an action
    has no transaction, so the write stays done when the check then fails. A mutation is one
    transaction, and a check that throws rolls back what was written before it; a mutation is
    flagged only when its checks fail by returning (`const identity = ...; await
    ctx.db.patch(...); if (!identity) return null;`), which keeps the earlier write.

    Only in projects that sign users in at all (an `auth.config.ts`, or an identity check
    somewhere): in an app without sign-in, every function is public by design. A helper's
    name never counts; what it calls does. Not flagged when the handler is wrapped in a way
    the auditor cannot see into, or hands `ctx` to project code it cannot resolve (a path-alias
    import), since the check may live there. Code it cannot resolve that gets only `ctx.db` or
    plain values cannot read the identity, and does not hide a check. Nor is a function whose
    handler or custom builder's context first throws unless the environment allows it (`if
    (process.env.IS_TEST === undefined) throw ...`): a test-only or development-only function,
    which production deployments refuse to run.

Why it matters:
    Every public function is an endpoint anyone can call with any arguments, from a script,
    without the app's UI. A mutation that does not ask who is calling lets anyone write, delete
    or spend on the project's behalf (actions often call paid APIs).

Example:
    export const deletePost = mutation({
      args: { id: v.id("posts") },
      handler: async (ctx, { id }) => {
        await ctx.db.delete(id);
      },
    });

Fix:
    Check the caller, and that they may do this:
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) throw new ConvexError("Unauthenticated");
    Or make the function `internalMutation`/`internalAction` when only the backend calls it.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import (
    function_checks_auth,
    has_unresolved_helpers,
    project_uses_auth,
    writes_before_auth_check,
)
from auditor.engine.model import FunctionFact, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("auth/public-function-without-auth", "warning", "Public mutation or action without an auth check")


def _environment_gated(project: ProjectFacts, function: FunctionFact) -> bool:
    """The handler, or its custom builder's context, throws unless the deployment's environment
    allows it (a test-only or development-only builder): not an endpoint of production."""
    gated = [function.body] if function.body is not None else []
    if function.custom_context and function.custom_context in project.bodies:
        gated.append(project.bodies[function.custom_context])
    return any(body.env_gates for body in gated)


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if not project_uses_auth(project, identity_only=True):
        return
    for function in project.functions.values():
        if function.visibility != "public" or function.kind not in {"mutation", "action"}:
            continue
        if function.body is None:
            continue  # a wrapped or unresolved handler: its checks are out of sight
        bodies = project.function_bodies(function)
        if has_unresolved_helpers(project, bodies, identity=True) or _environment_gated(project, function):
            continue
        if function_checks_auth(project, function):
            early = writes_before_auth_check(project, function)
            if early:
                what, loc = early[0]
                yield report.at(
                    loc,
                    f"The public {function.kind} `{function.function_id}` runs `{what}` before it checks who is "
                    "calling; anyone can make this write before the check fails. Check the identity first.",
                    function=function,
                )
            continue
        yield report.at(
            function.loc,
            f"The public {function.kind} `{function.function_id}` never checks who is calling "
            "(`ctx.auth.getUserIdentity()`), yet anyone can call it. Check the identity or make it internal.",
            function=function,
        )
