"""ctx.run* inside a loop.

What it flags:
    `ctx.runQuery`, `ctx.runMutation` or `ctx.runAction` called once per item: in the body of a
    `for`, `for...of` (also `for await`) or `for...in` loop, or in a callback given to an
    iteration method (`.map`, `.forEach`, `.flatMap`, `.reduce`, ...), which includes the
    common `await Promise.all(items.map((item) => ctx.runMutation(...)))`. `while` and
    `do...while` loops are left alone: they are how an action pages through a table
    (`while (!isDone) { ... ctx.runQuery(internal.x.page, { cursor }) ... }`), one call per page
    rather than per item. Scheduler calls (`ctx.scheduler.runAfter`) are fan-out by design and
    not flagged.

Why it matters:
    Each `ctx.run*` call is a separate transaction (and, from an action, a separate round trip
    to the database). A loop makes the work N transactions: it is slow, it is not atomic (a
    failure half-way leaves half the items written, and other writes interleave), and for
    large lists it runs into the action's time limit.

Example:
    for (const item of args.items) {
      await ctx.runMutation(internal.orders.addItem, { orderId, item });
    }

Fix:
    Pass the whole list to one internal mutation (or query) and loop inside it: a single
    transaction, one round trip. For very large lists, batch the items (a few hundred per call)
    or schedule the batches with `ctx.scheduler.runAfter`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import bodies_with_owner
from auditor.engine.js import FUNCTION_TYPES, Node, child_keys, is_node, property_name_of_member
from auditor.engine.model import BodyFacts, ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("perf/run-in-loop", "error", "ctx.run* inside a loop")

_RUNS = frozenset({"runQuery", "runMutation", "runAction"})
_ITEM_LOOPS = frozenset({"ForStatement", "ForOfStatement", "ForInStatement"})
_ITERATING = frozenset({"map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    for body, owner in bodies_with_owner(project):
        calls = [call for call in body.run_calls if call.in_loop and call.method in _RUNS and call.node is not None]
        if not calls:
            continue
        per_item = _per_item_calls(body)
        for call in calls:
            if id(call.node) not in per_item:
                continue
            yield RULE.finding(
                call.loc,
                f"ctx.{call.method}({call.target_text or '...'}) runs once per item of a loop, each its own "
                "transaction; pass the list to one internal function and loop inside it.",
                function=owner,
            )


def _per_item_calls(body: BodyFacts) -> set[int]:
    """ids of call nodes inside a for/for-of/for-in body or an iteration callback of ``body``."""
    found: set[int] = set()
    fn = body.node
    if fn is None:
        return found
    stack: list[tuple[Node, bool]] = [(fn.body, False)]
    while stack:
        node, per_item = stack.pop()
        if per_item and node.type == "CallExpression":
            found.add(id(node))
        attributes = node.__dict__
        for key in child_keys(node):
            value = attributes.get(key)
            for item in value if isinstance(value, list) else (value,):
                if not is_node(item):
                    continue
                inner = per_item or (node.type in _ITEM_LOOPS and key == "body") or (
                    node.type == "CallExpression" and key == "arguments" and item.type in FUNCTION_TYPES
                    and _is_iteration(node))
                stack.append((item, inner))
    return found


def _is_iteration(call: Node) -> bool:
    callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
    return callee.type == "MemberExpression" and property_name_of_member(callee) in _ITERATING
