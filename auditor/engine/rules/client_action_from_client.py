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
from auditor.engine.extract import LIBRARY_IDENTITY_HELPERS
from auditor.engine.js import Node, is_node, member_path, walk
from auditor.engine.model import BodyFacts, FunctionFact, ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("client/action-from-client", "info", "useAction for work a mutation or query could do")

_DB_RUNS = frozenset({"runQuery", "runMutation", "runAfter", "runAt"})
_SAFE_GLOBALS = frozenset({
    "Error", "ConvexError", "String", "Number", "Boolean", "Array", "Object", "Date", "Promise", "Set", "Map",
    "JSON", "Math", "console", "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent",
    "decodeURIComponent", "structuredClone", "BigInt", "Symbol", "Intl", "RegExp",
})
_SAFE_METHODS = frozenset({
    "map", "filter", "forEach", "reduce", "find", "findIndex", "some", "every", "includes", "join", "slice",
    "splice", "push", "pop", "shift", "unshift", "sort", "reverse", "flatMap", "flat", "concat", "indexOf", "at",
    "trim", "toLowerCase", "toUpperCase", "split", "startsWith", "endsWith", "replace", "replaceAll", "padStart",
    "padEnd", "substring", "charAt", "toFixed", "toString", "toISOString", "getTime", "valueOf", "keys", "values",
    "entries", "get", "set", "has", "add", "delete", "then", "catch", "finally", "localeCompare", "repeat",
})


def check(project: ProjectFacts) -> Iterator[Finding]:
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
        yield RULE.finding(
            call.loc,
            f"{call.component} calls the action `{function.function_id}` with useAction, but it only reads and writes "
            "the database through ctx.runQuery/ctx.runMutation; make it a mutation (or query) and use "
            "useMutation.",
            function=call.component,
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
        if not _only_known_calls(project, body):
            return False
    return True


def _only_known_calls(project: ProjectFacts, body: BodyFacts) -> bool:
    """Every call in the body is ctx.*, a resolved project helper, a global built-in or a value method."""
    fn = body.node
    module = project.modules.get(body.path)
    if fn is None or module is None:
        return False
    imports = {local: found for local, found in module.imports.items() if not _safe_import(*found)}
    helpers = {call.name.split(".")[0] for call in body.helper_calls}
    ctx_names = _ctx_names(fn)
    for node in walk(fn.body):
        if node.type not in {"CallExpression", "NewExpression"}:
            continue
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        if callee.type == "Identifier":
            name = callee.name
            if name in helpers or name in ctx_names or (name in _SAFE_GLOBALS and name not in imports):
                continue
            if name in module.imports and name not in imports:
                continue  # ConvexError, getAuthUserId, ...
            return False
        path = member_path(callee)
        if path is None:
            if callee.type == "MemberExpression" and _method(callee) in _SAFE_METHODS:
                continue  # a method of a computed value: (await x).map(...), rows[0].toString()
            return False
        root = path[0]
        if root in ctx_names or root in helpers:
            continue
        if root in imports:
            return False
        if root in _SAFE_GLOBALS or path[-1] in _SAFE_METHODS:
            continue
        return False
    return True


def _safe_import(source: str, name: str) -> bool:
    """Convex's own values and server helpers, generated code, and library identity helpers."""
    if source in {"convex/values", "convex/server"} or "_generated/" in source:
        return True
    return name in LIBRARY_IDENTITY_HELPERS.get(source, ())


def _method(member: Node) -> str | None:
    prop = member.property
    return prop.name if not member.computed and prop.type == "Identifier" else None


def _ctx_names(fn: Node) -> set[str]:
    if not fn.params:
        return set()
    first = fn.params[0]
    if first.type == "Identifier":
        return {first.name}
    if first.type == "ObjectPattern":
        return {prop.value.name for prop in first.properties
                if prop.type == "Property" and is_node(prop.value) and prop.value.type == "Identifier"}
    return set()
