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

from auditor.engine.derive import http_handler_bodies
from auditor.engine.model import BodyFacts, ProjectFacts, RunCall
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/sequential-runs-in-action", "info", "Several ctx.runQuery/ctx.runMutation in a row in an action")

_TRANSACTIONS = frozenset({"runQuery", "runMutation"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in _action_bodies(project):
        for sequence in _sequences(body):
            first = sequence[0]
            names = ", ".join(f"ctx.{call.method}({call.target_text})" for call in sequence)
            yield report.at(
                first.loc,
                f"{len(sequence)} transactions in a row from an action ({names}); they are not atomic. "
                "Combine them into one internal mutation or query.",
                body=body,
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


def _sequences(body: BodyFacts) -> Iterator[list[RunCall]]:
    """Runs of two or more statement calls next to each other in one block, in source order."""
    placed = sorted((call for call in body.run_calls if call.method in _TRANSACTIONS and call.statement is not None),
                    key=lambda call: call.statement or (0, 0))
    current: list[RunCall] = []
    previous: tuple[int, int] | None = None
    for call in placed:
        block, index = call.statement or (0, 0)
        if previous is not None and (block, index) != (previous[0], previous[1] + 1):
            if len(current) >= 2:
                yield current
            current = []
        current.append(call)
        previous = (block, index)
    if len(current) >= 2:
        yield current
