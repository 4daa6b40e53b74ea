"""useAction for work a mutation or query could do.

What it flags:
    A `useAction(api.x.y)` from `convex/react` (also through a project wrapper) whose target is
    an action of the project that only goes through the database: its handler and the project
    helpers it calls use `ctx.runQuery`, `ctx.runMutation` or the scheduler, and nothing else
    with side effects. The auditor stays silent as soon as the action does anything it cannot
    vouch for: `fetch` or another network API, `ctx.storage`, `ctx.runAction`, a call into an
    npm package, a helper it cannot resolve, a `"use node"` module.

Why it matters:
    Actions are not transactions and are not retried: each `ctx.runQuery`/`ctx.runMutation` in
    them is a separate transaction, so the work is slower and not atomic, and a failure midway
    leaves it half done. A query called as an action also loses reactivity and caching. When
    the work only touches the database, a mutation (or query) does it in one automatic,
    retried, consistent transaction.

Example:
    // convex/cart.ts
    export const addItem = action({
      handler: async (ctx, args) => {
        const cart = await ctx.runQuery(internal.cart.get, { id: args.cartId });
        await ctx.runMutation(internal.cart.insertItem, { cartId: cart._id, item: args.item });
      },
    });
    // src/Cart.tsx
    const addItem = useAction(api.cart.addItem);

Fix:
    Turn the action into a `mutation` (or `query`) that uses `ctx.db` directly, and call it with
    `useMutation` (or `useQuery`). Keep actions for work that needs the outside world.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import has_unresolved_helpers
from auditor.engine.model import FunctionFact, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("client/action-from-client", "info", "useAction for work a mutation or query could do")

_DB_RUNS = frozenset({"runQuery", "runMutation", "runAfter", "runAt"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    verdicts: dict[str, bool] = {}
    for call in project.hook_calls:
        if call.hook != "useAction" or call.target is None:
            continue
        function = project.functions.get(call.target.function_id)
        if function is None or function.kind != "action":
            continue
        if function.function_id not in verdicts:
            verdicts[function.function_id] = _database_only(project, function)
        if not verdicts[function.function_id]:
            continue
        yield report.at(
            call.loc,
            f"{call.component} calls the action `{function.function_id}` with useAction, but it only reads and writes "
            "the database through ctx.runQuery/ctx.runMutation; make it a mutation (or query) and use "
            "useMutation.",
            owner=call.component,
        )


def _database_only(project: ProjectFacts, function: FunctionFact) -> bool:
    module = project.modules.get(function.path)
    if module is None or module.use_node or function.body is None:
        return False
    bodies = project.function_bodies(function)
    runs = [call for body in bodies for call in body.run_calls]
    if not runs or any(call.method not in _DB_RUNS for call in runs):
        return False
    for body in bodies:
        if body.fetch_calls or body.side_effect_calls or body.storage_calls:
            return False
        if has_unresolved_helpers(project, [body]):
            return False
        if body.opaque_calls or body.path not in project.modules:
            return False
    return True
