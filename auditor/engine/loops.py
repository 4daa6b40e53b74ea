"""How a call sits in its function body: once per item of a collection, or alone as a statement.

Extraction reads these while it walks a body, so that rules read ``RunCall.per_item`` and
``RunCall.statement`` instead of the syntax tree.

*Per item* means inside the body of a ``for``, ``for...of`` or ``for...in`` loop, or inside a
callback given to an array iteration method (``items.map(cb)``), over a collection of unknown
size. ``while``/``do...while`` loops are left out (they page through a table: one call per
page, also when the paging loop sits inside a loop over items), and so are loops that already
batch or are bounded by a constant: a counting ``for`` whose condition reads no
``.length``/``.size`` or that steps by more than one, a loop over a literal array, and loops or
callbacks whose list or item is named as a batch, chunk or page. A loop that waits on a timer
(``setTimeout``) each round spaces its calls out on purpose and is left out too.

A *statement call* is a call that makes up a whole statement of a block: ``await call``,
``x = await call``, ``const x = await call`` or ``return [await] call``.
"""

from __future__ import annotations

import re

from auditor.engine.js import FUNCTION_TYPES, Node, walk
from auditor.engine.walk import Visit, is_iteration_call

_ITEM_LOOPS = frozenset({"ForStatement", "ForOfStatement", "ForInStatement"})
_PAGE_LOOPS = frozenset({"WhileStatement", "DoWhileStatement"})
_BATCH_NAMES = re.compile(r"batch|chunk|page", re.IGNORECASE)
# The kinds of node whose children per_item_below can tell apart from the node itself.
PER_ITEM_PARENTS = _ITEM_LOOPS | _PAGE_LOOPS | {"CallExpression"}


def per_item_below(parent: Visit, key: str, child: Node, inherited: bool) -> bool:
    """Whether ``child`` of ``parent`` runs once per item, given whether ``parent`` does.

    The body of a ``while``/``do...while`` loop runs once per page, also inside a loop over items
    (``for (const table of tables) { while (!done) { done = await ctx.runMutation(...) } }``
    clears each table a page at a time): one transaction per item would not fit there.
    """
    if parent.node.type in _PAGE_LOOPS and key == "body":
        return False
    return inherited or enters_per_item(parent, key, child)


def enters_per_item(parent: Visit, key: str, child: Node) -> bool:
    """Whether ``child`` of ``parent`` starts code that runs once per item (see the module docstring)."""
    node = parent.node
    kind = node.type
    if kind in _ITEM_LOOPS and key == "body":
        return _iterates_items(node) and not _paced(child)
    return kind == "CallExpression" and key == "arguments" and child.type in FUNCTION_TYPES \
        and is_iteration_call(node) and not _batched_callback(node, child)


def statement_call(statement: Node) -> Node | None:
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


def block_statements(node: Node) -> list[Node] | None:
    """The statements of a block or a ``switch`` case, None for other nodes."""
    if node.type == "BlockStatement":
        return node.body
    if node.type == "SwitchCase":
        return node.consequent
    return None


def _names(node: Node | None) -> str:
    """Identifier names in ``node``, joined, for batch-naming checks."""
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


def _paced(body: Node) -> bool:
    """The loop waits on a timer each round (``await new Promise((r) => setTimeout(r, ms))``): the
    calls are spaced out on purpose (rate limits, benchmarks), which one transaction cannot do."""
    return any(n.type == "CallExpression" and n.callee.type == "Identifier" and n.callee.name == "setTimeout"
               for n in walk(body))


def _batched_callback(call: Node, callback: Node) -> bool:
    callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
    return _batched(callee.object, *callback.params[:1]) or callee.object.type == "ArrayExpression"


__all__ = ["block_statements", "enters_per_item", "per_item_below", "statement_call"]
