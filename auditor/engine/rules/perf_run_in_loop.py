"""ctx.run* inside a loop.

What it flags:
    `ctx.runQuery`, `ctx.runMutation` or `ctx.runAction` called once per item: in the body of a
    `for`, `for...of` (also `for await`) or `for...in` loop, or in a callback given to an
    iteration method (`.map`, `.forEach`, `.flatMap`, `.reduce`, ...), which includes the
    common `await Promise.all(items.map((item) => ctx.runMutation(...)))`. `while` and
    `do...while` loops are left alone: they are how an action pages through a table
    (`while (!isDone) { ... ctx.runQuery(internal.x.page, { cursor }) ... }`), one call per page
    rather than per item. So are loops that already batch or are bounded by a constant: a
    counting `for` whose condition reads no `.length`/`.size` (retries: `for (let attempt = 0;
    attempt < 3; attempt++)`) or that steps by more than one (`i += BATCH`), a loop over a
    literal array (`for (const table of ["a", "b"])`), and loops or callbacks whose list or
    item is named as a batch, chunk or page (`for (const batch of chunk(ids, 100))`).
    Scheduler calls (`ctx.scheduler.runAfter`) are fan-out by design and not flagged.

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

import re
from collections.abc import Iterator

from auditor.engine.derive import bodies_with_owner
from auditor.engine.js import FUNCTION_TYPES, Node, child_keys, is_node, property_name_of_member, walk
from auditor.engine.model import BodyFacts, ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("perf/run-in-loop", "error", "ctx.run* inside a loop")

_RUNS = frozenset({"runQuery", "runMutation", "runAction"})
_ITEM_LOOPS = frozenset({"ForStatement", "ForOfStatement", "ForInStatement"})
_BATCH_NAMES = re.compile(r"batch|chunk|page", re.IGNORECASE)
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
                f"`ctx.{call.method}({call.target_text or '...'})` runs once per item of a loop, each its own "
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
                inner = per_item or (node.type in _ITEM_LOOPS and key == "body" and _iterates_items(node)) or (
                    node.type == "CallExpression" and key == "arguments" and item.type in FUNCTION_TYPES
                    and _is_iteration(node) and not _batched_callback(node, item))
                stack.append((item, inner))
    return found


def _names(node: Node | None) -> str:
    """Identifier names and property names in ``node``, joined, for batch-naming checks."""
    if node is None:
        return ""
    return " ".join(n.name for n in walk(node) if n.type == "Identifier")


def _batched(*nodes: Node | None) -> bool:
    return any(_BATCH_NAMES.search(_names(node)) for node in nodes)


def _iterates_items(loop: Node) -> bool:
    """Whether a for/for-of/for-in loop runs once per item of a collection of unknown size."""
    if loop.type == "ForStatement":
        update = loop.update
        if update is not None and update.type == "AssignmentExpression" and update.operator in {"+=", "-="}:
            step = update.right
            if not (step.type == "Literal" and step.value == 1):
                return False  # i += BATCH_SIZE: one call per batch
        test = loop.test
        if test is None:
            return False
        reads_size = any(n.type == "MemberExpression" and not n.computed and n.property.type == "Identifier"
                         and n.property.name in {"length", "size"} for n in walk(test))
        return reads_size and not _batched(loop.init, test)
    right = loop.right
    if right.type == "ArrayExpression":
        return False  # a fixed, written-out list
    return not _batched(loop.left, right)


def _batched_callback(call: Node, callback: Node) -> bool:
    callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
    return _batched(callee.object, *callback.params[:1]) or callee.object.type == "ArrayExpression"


def _is_iteration(call: Node) -> bool:
    callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
    return callee.type == "MemberExpression" and property_name_of_member(callee) in _ITERATING
