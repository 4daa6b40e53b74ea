"""ctx.runQuery/runMutation inside a query or mutation.

What it flags:
    `ctx.runQuery(...)` inside a query or mutation handler (or a project helper one calls), and
    `ctx.runMutation(...)` inside a mutation, when the target is an `api.*`/`internal.*`
    reference. `ctx.runMutation` inside a query belongs to `correctness/mutation-from-query`
    and `ctx.runAction` inside a mutation to `scheduler/action-called-from-mutation`; calls to
    a Convex component (`components.*`), which can only be reached through `ctx.run*`, are not
    flagged.

Why it matters:
    Inside a query or mutation, `ctx.runQuery`/`ctx.runMutation` runs the other function as a
    sub-transaction with its own argument and return validation and its own function-call
    overhead, for no gain: the caller already holds a transaction and the same `ctx.db`. Convex
    recommends calling a plain TypeScript helper instead.

Example:
    export const send = mutation({
      handler: async (ctx, args) => {
        const user = await ctx.runQuery(internal.users.current, {});
        await ctx.db.insert("messages", { author: user._id, body: args.body });
      },
    });

Fix:
    Move the shared logic into a helper that takes `ctx` (`convex/model/users.ts`:
    `export async function currentUser(ctx: QueryCtx) {...}`), call it from both functions,
    and keep the registered function a thin wrapper around it.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/run-from-query-or-mutation", "warning", "ctx.runQuery/runMutation inside a query or mutation")

_FLAGGED = {"query": frozenset({"runQuery"}), "mutation": frozenset({"runQuery", "runMutation"})}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function, body in bodies_of_kind(project, {"query", "mutation"}):
        for call in body.run_calls:
            if call.method not in _FLAGGED[function.kind] or call.target is None:
                continue
            helper = "helper function that takes ctx"
            yield report.at(
                call.loc,
                f"`ctx.{call.method}({call.target_text})` inside the {function.kind} `{function.function_id}` runs a "
                f"separate sub-transaction; call a plain {helper} instead.",
                body=body,
            )
