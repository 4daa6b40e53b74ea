"""Small, allocation-light helpers over esprima's ESTree nodes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.engine.model import Location

Node = Any  # esprima.nodes.Node; kept loose because esprima's classes carry no useful typing

# Keys that never hold a child node. Not "value" (Property.value) nor "expression"
# (ExpressionStatement.expression, ChainExpression.expression): those are nodes in some types.
_SKIPPED_KEYS = frozenset({"type", "range", "loc", "_start", "_end", "_line", "_column", "_end_line",
                           "_end_column", "raw", "regex", "directive", "operator", "computed", "optional",
                           "kind", "name", "prefix", "delegate", "generator", "async", "tail", "shorthand",
                           "method", "static", "bigint", "sourceType", "hashbang", "cooked"})
FUNCTION_TYPES = frozenset({"FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"})
LOOP_TYPES = frozenset({"ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement",
                        "DoWhileStatement"})


# esprima's node class, loaded on first use: a run that reads every file from the facts cache
# handles no syntax tree and need not import esprima (its parser and scanner come with it).
_node_class: type | None = None


def node_class() -> type:
    global _node_class
    if _node_class is None:
        from esprima.nodes import Node

        _node_class = Node
    return _node_class


def is_node(value: Any) -> bool:
    return isinstance(value, _node_class or node_class())


_CHILD_KEYS: dict[type, tuple[str, ...]] = {}


def child_keys(node: Node) -> tuple[str, ...]:
    # esprima builds every node of a class with the same attributes, so the keys that can hold
    # children are worked out once per class; this walk is the engine's hottest loop.
    cls = type(node)
    keys = _CHILD_KEYS.get(cls)
    if keys is None:
        keys = tuple(key for key in node.__dict__ if key not in _SKIPPED_KEYS)
        _CHILD_KEYS[cls] = keys
    return keys


def walk(node: Node, *, into_functions: bool = True) -> Iterator[Node]:
    """Every node below and including ``node``, depth first in source order, without recursion.

    With ``into_functions=False`` a function below ``node`` is yielded but its inside is not."""
    esprima_node = _node_class or node_class()
    stack = [node]
    pop = stack.pop
    while stack:
        current = pop()
        yield current
        if not into_functions and current is not node and current.type in FUNCTION_TYPES:
            continue
        attributes = current.__dict__
        pending = []
        for key in child_keys(current):
            value = attributes.get(key)
            if value is None:
                continue
            if isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, esprima_node))
            elif isinstance(value, esprima_node):
                pending.append(value)
        pending.reverse()
        stack.extend(pending)


def location(path: str, node: Node) -> Location:
    return Location(path, node._line, node._column, node._end_line, node._end_column)


def string_value(node: Node | None) -> str | None:
    """The value of a string literal, or of a template literal without expressions."""
    if node is None:
        return None
    if node.type == "Literal" and isinstance(node.value, str):
        return node.value
    if node.type == "TemplateLiteral" and not node.expressions:
        return "".join(quasi.value.cooked or "" for quasi in node.quasis)
    return None


def number_value(node: Node | None) -> int | float | None:
    if node is None:
        return None
    if node.type == "Literal" and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return node.value
    return None


def property_name(prop: Node) -> str | None:
    """The static key of an object property or member access."""
    key = prop.key if prop.type in {"Property", "PropertyDefinition", "MethodDefinition"} else prop
    if key.type == "Identifier" and not getattr(prop, "computed", False):
        return key.name
    return string_value(key) if key.type in {"Literal", "TemplateLiteral"} else None


def object_properties(node: Node | None) -> dict[str, Node]:
    """Static keys of an object literal mapped to their value nodes (spreads ignored)."""
    result: dict[str, Node] = {}
    if node is None or node.type != "ObjectExpression":
        return result
    for prop in node.properties:
        if prop.type != "Property":
            continue
        name = property_name(prop)
        if name is not None:
            result[name] = prop.value
    return result


def member_path(node: Node | None) -> list[str] | None:
    """``a.b.c`` (also ``a["b"]``, ``a?.b``, ``a!.b``) as ["a", "b", "c"]; None when not static."""
    parts: list[str] = []
    while node is not None:
        if node.type == "MemberExpression":
            name = property_name_of_member(node)
            if name is None:
                return None
            parts.append(name)
            node = node.object
        elif node.type == "ChainExpression":
            node = node.expression
        elif node.type == "Identifier":
            parts.append(node.name)
            return parts[::-1]
        elif node.type == "ThisExpression":
            parts.append("this")
            return parts[::-1]
        else:
            return None
    return None


def property_name_of_member(node: Node) -> str | None:
    prop = node.property
    if not node.computed and prop.type in {"Identifier", "PrivateIdentifier"}:
        return prop.name
    return string_value(prop)


def unwrap(node: Node | None) -> Node | None:
    """Strip wrappers that do not change a value: parentheses leave none in ESTree, chains do."""
    while node is not None and node.type in {"ChainExpression", "AwaitExpression"}:
        node = node.expression if node.type == "ChainExpression" else node.argument
    return node


def callee_path(call: Node) -> list[str] | None:
    callee = call.callee
    if callee.type == "ChainExpression":
        callee = callee.expression
    return member_path(callee)


def own_nodes(root: Node) -> Iterator[Node]:
    """The nodes of ``root`` (of a function's body, when ``root`` is a function) that are not in a function
    nested in it: a nested function is yielded, its inside is not. In source order."""
    return walk(root.body if root.type in FUNCTION_TYPES else root, into_functions=False)


def returned_expressions(fn: Node) -> list[Node]:
    """What a function returns: an arrow's expression body, or the argument of each ``return`` of its own
    (those of functions nested in it are theirs), the last ``return`` first."""
    if fn.type == "ArrowFunctionExpression" and fn.expression:
        return [fn.body]
    returns = [node for node in own_nodes(fn) if node.type == "ReturnStatement" and node.argument is not None]
    return [node.argument for node in reversed(returns)]
