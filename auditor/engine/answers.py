"""Which calls in a function body have their answer thrown away.

An identity call (``ctx.auth.getUserIdentity()``, ``getAuthUserId(ctx)``) checks nothing when
nobody looks at what it returns: real apps add such lines to quiet other linters. A call's
answer is thrown away when the call is a statement of its own (``await call();``,
``void call();``) or is bound to a local name that nothing reads afterwards. Any other use
(a test, a return, an argument, a member read, a destructuring that throws on ``null``)
counts as used.
"""

from __future__ import annotations

from collections import Counter

from auditor.engine.js import Node, child_keys, is_node


def unused_answer_calls(fn: Node) -> set[int]:
    """``id()`` of each call expression in ``fn`` whose answer is never used."""
    unused: set[int] = set()
    bound: list[tuple[int, str]] = []  # (call id, local name it is bound to)
    reads: Counter[str] = Counter()
    stack: list[tuple[Node, Node | None, str]] = [(fn.body, None, "")]
    while stack:
        node, parent, key = stack.pop()
        kind = node.type
        if kind == "ExpressionStatement":
            call = _answered_call(node.expression)
            if call is not None:
                unused.add(id(call))
        elif kind == "VariableDeclarator" and node.id.type == "Identifier" and node.init is not None:
            call = _answered_call(node.init)
            if call is not None:
                bound.append((id(call), node.id.name))
        elif kind == "Identifier" and not _binding_or_key(parent, key):
            reads[node.name] += 1
        attributes = node.__dict__
        for child_key in child_keys(node):
            value = attributes.get(child_key)
            for item in value if isinstance(value, list) else (value,):
                if is_node(item):
                    stack.append((item, node, child_key))
    unused.update(call for call, name in bound if reads[name] == 0)
    return unused


def _answered_call(node: Node | None) -> Node | None:
    """The call whose answer ``node`` is: through ``await``, ``void``, ``!`` and optional chains."""
    while node is not None:
        if node.type == "AwaitExpression":
            node = node.argument
        elif node.type == "ChainExpression":
            node = node.expression
        elif node.type == "UnaryExpression" and node.operator == "void":
            node = node.argument
        elif node.type == "TSNonNullExpression":
            node = node.expression
        else:
            break
    return node if node is not None and node.type == "CallExpression" else None


def _binding_or_key(parent: Node | None, key: str) -> bool:
    """An identifier in a position that names rather than reads: a declared name or a property key."""
    if parent is None:
        return False
    if parent.type == "VariableDeclarator" and key == "id":
        return True
    if parent.type == "MemberExpression" and key == "property" and not parent.computed:
        return True
    return parent.type == "Property" and key == "key" and not parent.computed and not parent.shorthand
