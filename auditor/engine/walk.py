"""The engine's one walk with context: every node of a syntax tree with what encloses it.

``visit(root)`` yields a ``Visit`` per node, depth first and in source order (the order of
``js.walk``), without recursion. A visit knows:

* ``parent`` (the parent's ``Visit``, so ``ancestors()`` climbs to the root) and ``key``, the
  attribute of the parent that holds the node (``"body"``, ``"arguments"``, ``"test"``...);
* ``function``: the innermost function (declaration, expression or arrow) around the node,
  ``root_function`` when the walk started inside one, and ``nested`` when that is another one;
* ``loops``: the iterations around the node, outermost first. An iteration is a loop statement
  (``for``, ``for...of``, ``for...in``, ``while``, ``do...while``) whose body holds the node, or
  a call of an array iteration method (``items.map(cb)``, ``forEach``, ``reduce``...) whose
  callback holds it; ``loop`` is the innermost one;
* ``try_statement``: the innermost ``try`` whose protected block holds the node, and
  ``catch``: the innermost ``catch`` clause (the try statement's handler) that holds it;
* ``data``: what a caller's ``annotate(parent_visit, key, node)`` worked out for the node, so
  a walker can carry its own inherited state (is this value awaited? is this call per item?)
  through the same loop instead of writing another one. Given ``annotating`` (node kinds), only
  the children of those kinds of node are annotated; the others take their parent's ``data``.

``descend(visit)`` returning False skips the node's children (to stay out of nested functions,
say). The plain ``js.walk`` stays for walks that need no context: it allocates nothing per node.

Example::

    for at in visit(handler.body, function=handler):
        if at.node.type == "CallExpression" and at.loop is not None and not at.nested:
            ...  # a call once per item of a loop of the handler itself
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from auditor.engine.js import FUNCTION_TYPES, LOOP_TYPES, Node, child_keys, node_class, property_name_of_member

# Array methods that call their callback once per item.
ITERATING_METHODS = frozenset({"map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find"})

Annotate = Callable[["Visit", str, Node], Any]
Descend = Callable[["Visit"], bool]


class Visit:
    """One node of a walk and its surroundings. Read-only by convention; built by ``visit``."""

    __slots__ = ("catch", "data", "function", "key", "loops", "node", "parent", "root_function", "try_statement")

    def __init__(self, node: Node, parent: Visit | None, key: str, function: Node | None, root_function: Node | None,
                 loops: tuple[Node, ...], try_statement: Node | None, catch: Node | None, data: Any) -> None:
        self.node = node
        self.parent = parent
        self.key = key
        self.function = function
        self.root_function = root_function
        self.loops = loops
        self.try_statement = try_statement
        self.catch = catch
        self.data = data

    @property
    def loop(self) -> Node | None:
        """The innermost loop statement or iteration call around the node."""
        return self.loops[-1] if self.loops else None

    @property
    def nested(self) -> bool:
        """Inside a function nested in the one the walk started in (a callback, a local function)."""
        return self.function is not self.root_function

    @property
    def parent_node(self) -> Node | None:
        return self.parent.node if self.parent is not None else None

    def ancestors(self) -> Iterator[Visit]:
        """The visits of the parent, its parent, ... up to the root."""
        current = self.parent
        while current is not None:
            yield current
            current = current.parent


def is_iteration_call(call: Node) -> bool:
    """``items.map(...)`` and the other array methods that call their callback once per item."""
    callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
    return callee.type == "MemberExpression" and property_name_of_member(callee) in ITERATING_METHODS


def visit(root: Node, *, function: Node | None = None, annotate: Annotate | None = None, data: Any = None,
          descend: Descend | None = None, annotating: frozenset[str] | None = None) -> Iterator[Visit]:
    """Every node below and including ``root`` with its context (see the module docstring).

    ``function`` is the function ``root`` belongs to (a handler when ``root`` is its body); it is
    both the first ``function`` and ``root_function``. ``data`` is the root's ``data``."""
    if function is None and root.type in FUNCTION_TYPES:
        function = root
    esprima_node = node_class()
    stack = [Visit(root, None, "", function, function, (), None, None, data)]
    pop = stack.pop
    while stack:
        current = pop()
        yield current
        if descend is not None and not descend(current):
            continue
        node = current.node
        kind = node.type
        # What every child shares, worked out once per node: this loop runs for every node of
        # every walk with context.
        in_loop = kind in LOOP_TYPES
        is_call = kind == "CallExpression"
        is_try = kind == "TryStatement"
        catch = node if kind == "CatchClause" else current.catch
        outer_loops = current.loops
        outer_try = current.try_statement
        function_ = current.function
        root_function = current.root_function
        annotate_here = annotate if annotating is None or kind in annotating else None
        inherited = current.data if annotate is not None else None
        pending: list[Visit] = []
        attributes = node.__dict__
        for key in child_keys(node):
            value = attributes.get(key)
            if value is None:
                continue
            for item in value if isinstance(value, list) else (value,):
                if not isinstance(item, esprima_node):
                    continue
                item_type = item.type
                loops = outer_loops
                if (in_loop and key == "body") or (
                        is_call and key == "arguments" and item_type in FUNCTION_TYPES and is_iteration_call(node)):
                    loops = (*outer_loops, node)
                pending.append(Visit(item, current, key, item if item_type in FUNCTION_TYPES else function_,
                                     root_function, loops, node if is_try and key == "block" else outer_try, catch,
                                     annotate_here(current, key, item) if annotate_here is not None else inherited))
        pending.reverse()
        stack.extend(pending)


__all__ = ["ITERATING_METHODS", "Visit", "is_iteration_call", "visit"]
