"""Several ctx.runQuery/ctx.runMutation in a row in an action.

What it flags:
    Two or more consecutive statements of one block, in an action (`action`, `internalAction`,
    an `httpAction` or an inline HTTP route handler) or a project helper one calls, each of
    which is a single `ctx.runQuery(...)` or `ctx.runMutation(...)` call: `await ctx.run...(...)`,
    `const x = await ctx.run...(...)`, `x = await ctx.run...(...)` or `return [await] ctx.run...(...)`.
    Any other statement in between (an `if`, a `fetch`, a log line) breaks the sequence, and
    `ctx.runAction` does not count. One finding per sequence, at its first call.

Why it matters:
    Each `ctx.runQuery`/`ctx.runMutation` from an action is its own transaction. Between two of
    them other mutations can commit, so a read followed by a write, or two writes, are not
    atomic: the second sees a different database than the first, and a failure leaves the
    first write done. It is also one round trip per call.

Example:
    export const checkout = action({
      args: { cartId: v.id("carts") },
      handler: async (ctx, { cartId }) => {
        const cart = await ctx.runQuery(internal.carts.get, { cartId });
        await ctx.runMutation(internal.orders.create, { cart });
        await ctx.runMutation(internal.carts.clear, { cartId });
      },
    });

Fix:
    Move the reads and writes into one `internalMutation` (or one `internalQuery` for reads) and
    call it once from the action; keep in the action only the work that needs it (`fetch`,
    Node APIs).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import body_owner_labels, http_handler_bodies
from auditor.engine.js import Node, walk
from auditor.engine.model import BodyFacts, ProjectFacts, RunCall
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("perf/sequential-runs-in-action", "info", "Several ctx.runQuery/ctx.runMutation in a row in an action")

_TRANSACTIONS = frozenset({"runQuery", "runMutation"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    labels = body_owner_labels(project)
    for body in _action_bodies(project):
        runs = {id(call.node): call for call in body.run_calls
                if call.method in _TRANSACTIONS and call.node is not None}
        if len(runs) < 2 or body.node is None:
            continue
        for sequence in _sequences(body.node, runs):
            first = sequence[0]
            names = ", ".join(f"ctx.{call.method}({call.target_text})" for call in sequence)
            yield RULE.finding(
                first.loc,
                f"{len(sequence)} transactions in a row from an action ({names}); they are not atomic. "
                "Combine them into one internal mutation or query.",
                function=labels.get(body.key, body.key),
            )


def _action_bodies(project: ProjectFacts) -> list[BodyFacts]:
    bodies: dict[str, BodyFacts] = {}
    for function in project.functions.values():
        if function.kind in {"action", "httpAction"}:
            for body in project.function_bodies(function):
                bodies.setdefault(body.key, body)
    for handler, _label in http_handler_bodies(project):
        for body in project.reachable_bodies(handler):
            bodies.setdefault(body.key, body)
    return list(bodies.values())


def _sequences(fn: Node, runs: dict[int, RunCall]) -> Iterator[list[RunCall]]:
    for node in walk(fn):
        if node.type == "BlockStatement":
            statements = node.body
        elif node.type == "SwitchCase":
            statements = node.consequent
        else:
            continue
        current: list[RunCall] = []
        for statement in [*statements, None]:
            call = runs.get(id(_statement_call(statement))) if statement is not None else None
            if call is not None:
                current.append(call)
                continue
            if len(current) >= 2:
                yield current
            current = []


def _statement_call(statement: Node) -> Node | None:
    """The call a statement consists of: `await call`, `x = await call`, `return [await] call`."""
    expression = None
    awaited_only = True
    if statement.type == "ExpressionStatement":
        expression = statement.expression
        if expression.type == "AssignmentExpression":
            expression = expression.right
    elif statement.type == "VariableDeclaration" and len(statement.declarations) == 1:
        expression = statement.declarations[0].init
    elif statement.type == "ReturnStatement":
        expression = statement.argument
        awaited_only = False
    if expression is None:
        return None
    if expression.type == "AwaitExpression":
        expression = expression.argument
    elif awaited_only:
        return None
    return expression if expression.type == "CallExpression" else None
