"""What a ``ctx.db.insert``/``patch``/``replace`` writes: the fields, and which of them only count.

The auth rules tell bookkeeping from user data by what a write touches (RULES.md: "Who calls an
HTTP action decides what auth it needs"). A field counts rather than carries data when its value
is a step of a number (``post.views + 1``, ``(row?.count ?? 0) - 1``, ``Math.max(0, n - 1)``), a
number literal (a counter reset to ``0``, a window of ``60_000``) or the current time
(``Date.now()``, ``new Date().toISOString()``). Anything else may be what the caller sent.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.engine.js import Node, member_path, property_name, unwrap

Resolve = Callable[[Node | None], Node | None]

_MAX_DEPTH = 6


def written_fields(value: Node | None, resolve: Resolve) -> tuple[frozenset[str] | None, frozenset[str]]:
    """(the keys written, the keys whose value only counts); the keys are None when unknown
    (a variable, a spread, a computed key)."""
    value = resolve(unwrap(value))
    if value is None or value.type != "ObjectExpression":
        return None, frozenset()
    keys: set[str] = set()
    counting: set[str] = set()
    for prop in value.properties:
        key = property_name(prop) if prop.type == "Property" else None
        if key is None:
            return None, frozenset()
        keys.add(key)
        if _counts(prop.value, resolve, 0):
            counting.add(key)
    return frozenset(keys), frozenset(counting)


def _counts(node: Node | None, resolve: Resolve, depth: int) -> bool:
    node = unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return False
    if node.type == "Identifier":
        resolved = resolve(node)
        return resolved is not None and resolved is not node and _counts(resolved, resolve, depth + 1)
    if node.type == "Literal":
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if node.type == "BinaryExpression" and node.operator in {"+", "-"}:
        return any(_number(side, resolve) for side in (node.left, node.right))
    if node.type == "UnaryExpression" and node.operator == "-":
        return _counts(node.argument, resolve, depth + 1)
    if node.type in {"CallExpression", "NewExpression"}:
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        path = member_path(callee)
        if path in (["Date", "now"], ["Date"], ["performance", "now"]):
            return True
        if path in (["Math", "max"], ["Math", "min"]):
            return bool(node.arguments) and all(_counts(arg, resolve, depth + 1) or _number(arg, resolve)
                                                 for arg in node.arguments) \
                and any(_counts(arg, resolve, depth + 1) for arg in node.arguments)
        if callee.type == "MemberExpression" and callee.object.type in {"NewExpression", "CallExpression"}:
            return _counts(callee.object, resolve, depth + 1)  # new Date().toISOString()
    return False


def _number(node: Node | None, resolve: Resolve) -> bool:
    node = resolve(unwrap(node))
    return node is not None and node.type == "Literal" and isinstance(node.value, int | float) \
        and not isinstance(node.value, bool)


__all__ = ["written_fields"]
