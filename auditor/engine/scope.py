"""Scopes of one file: bindings, shadowing, imports, parameters and constant values.

``ScopeModel(tree)`` walks the file once (``walk.visit``) and builds a ``Scope`` for the module,
each function (its parameters, ``var``\\ s and body), each block, each ``for`` head, each
``catch`` clause and each ``switch``. Every declared name becomes a ``Binding`` in the scope that
owns it: ``var`` in the nearest function, ``let``/``const``/classes/function declarations in
their block, parameters and a function expression's own name in the function, imports in the
module. A binding read or written elsewhere resolves to the innermost scope that declares the
name, so shadowing is honoured. A name assigned (``=``, ``+=``, ``++``) anywhere is marked
``reassigned`` and has no constant value.

The model is for extraction only: it holds syntax nodes, so it never goes into facts.

API (``node`` is any node of the tree the model was built from):

* ``model.scope_at(node)``: the innermost scope around the node;
* ``model.binding(identifier)``: the ``Binding`` an identifier refers to, or None (a global);
  ``model.lookup(name, at=node)`` does the same for a name;
* ``model.resolve(node)``: follows identifiers bound to constants to the expression they were
  given (``const INDEX = "by_user"``; ``.withIndex(INDEX)`` resolves to the literal);
* ``model.value(node)``: the constant value of an expression, or ``UNKNOWN``. Strings, numbers,
  booleans, null, template literals and ``+`` whose parts are constants, arrays (as tuples),
  objects (as dicts), member access on them, and identifiers bound to constants fold;
* ``model.values(node)``: every value an expression may hold, or None when unknown: a constant
  gives one; the variable of a loop over a constant array gives one per item
  (``for (const path of ["/a", "/b"]) http.route({ path, ... })``, also
  ``ROUTES.forEach(({ path }) => ...)`` and destructured items);
* ``model.module_reads``: the names read outside every function, i.e. while the module loads;
* ``model.by_type[kind]`` (for the kinds given as ``index``): the file's nodes of that kind, in the
  order of ``walk.visit``; ``model.within(kind, node)`` those of them inside ``node``, and
  ``model.in_function(kind, fn)`` those of a function's own code (not of functions nested in it),
  so that a part of extraction that needs, say, the declarators of one function reads them
  without walking it again;
* ``model.template_parts(node)``: a template literal as ``("text", str)`` and ``("expr", node)``
  parts, with every constant expression folded into the text around it
  (`` `${SITE}/api` `` with ``const SITE = "https://x.convex.site"``).

Example::

    model = ScopeModel(tree)
    for call in calls_to_with_index:
        name = model.value(call.arguments[0])
        if isinstance(name, str):
            ...
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any, Literal

from auditor.engine.js import FUNCTION_TYPES, Node, property_name, property_name_of_member
from auditor.engine.walk import Visit, is_iteration_call, visit

BindingKind = Literal["import", "const", "let", "var", "function", "class", "param", "catch"]


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()
"""What ``ScopeModel.value`` answers for an expression that is not a constant."""

_MAX_DEPTH = 16
_BLOCK_SCOPES = frozenset({"BlockStatement", "ForStatement", "ForInStatement", "ForOfStatement", "SwitchStatement",
                           "CatchClause", "StaticBlock"})
# The nodes whose children may be in another scope than theirs (see _child_scope).
_SCOPE_MAKERS = FUNCTION_TYPES | _BLOCK_SCOPES


class Binding:
    """One declared name."""

    __slots__ = ("_scope", "declaration", "init", "iterates", "kind", "name", "path", "reassigned", "source")

    def __init__(self, name: str, kind: BindingKind, declaration: Node, scope: Scope, *, init: Node | None = None,
                 path: tuple[str, ...] = (), iterates: Node | None = None,
                 source: tuple[str, str] | None = None) -> None:
        self.name = name
        self.kind: BindingKind = kind
        self.declaration = declaration  # the declaring identifier (or the function/class node)
        # Weak: the scope holds its bindings, and a reference back would make every file's scopes,
        # and the syntax tree they point into, a cycle only the collector could free.
        self._scope = weakref.ref(scope)
        self.init = init  # the declarator's initialiser (for a destructured name, the whole value)
        self.path = path  # keys leading from ``init`` (or from each item) to the name: const { a: { b } } = o
        self.iterates = iterates  # the collection a loop variable or iteration callback parameter walks
        self.source = source  # (module, imported name) of an import; "*" for a namespace, "default"
        self.reassigned = False

    @property
    def scope(self) -> Scope:
        scope = self._scope()
        assert scope is not None, "a binding outlived its scope model"
        return scope

    @property
    def constant(self) -> bool:
        """A name whose value never changes after its declaration."""
        if self.reassigned:
            return False
        return self.kind in {"const", "import", "function", "class"} or (
            self.kind in {"let", "var"} and self.init is not None)

    def __repr__(self) -> str:
        return f"Binding({self.name!r}, {self.kind})"


class Scope:
    __slots__ = ("__weakref__", "bindings", "kind", "node", "parent")

    def __init__(self, node: Node, kind: Literal["module", "function", "block"], parent: Scope | None) -> None:
        self.node = node
        self.kind = kind
        self.parent = parent
        self.bindings: dict[str, Binding] = {}

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.bindings.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    @property
    def function_scope(self) -> Scope:
        scope = self
        while scope.kind == "block" and scope.parent is not None:
            scope = scope.parent
        return scope

    def declare(self, binding: Binding) -> None:
        # A second declaration of one name in one scope (a redeclared var, a function overload)
        # makes its value unknowable here.
        if binding.name in self.bindings:
            self.bindings[binding.name].reassigned = True
            return
        self.bindings[binding.name] = binding


class ScopeModel:
    """Scopes and bindings of one parsed file; see the module docstring."""

    def __init__(self, tree: Node, index: tuple[str, ...] = ()) -> None:
        self.tree = tree
        # The nodes of the kinds asked for, in source order: the file's one walk serves both.
        self.by_type: dict[str, list[Node]] = {kind: [] for kind in index}
        self._starts: dict[str, list[int] | None] = {}  # per kind, where each node starts (None: out of order)
        by_type = self.by_type
        self.module_reads: set[str] = set()  # names read outside every function: while the module loads
        self.module = Scope(tree, "module", None)
        self._scope_of: dict[int, Scope] = {}
        self._owned: dict[int, Scope] = {}  # by id of the node that opens the scope
        writes: list[tuple[str, Scope]] = []
        for at in visit(tree, annotate=self._child_scope, data=self.module, annotating=_SCOPE_MAKERS):
            node = at.node
            scope: Scope = at.data
            self._scope_of[id(node)] = scope
            kind = node.type
            bucket = by_type.get(kind)
            if bucket is not None:
                bucket.append(node)
            if kind in FUNCTION_TYPES:
                self._function(node, at, scope)
            elif kind == "VariableDeclaration":
                self._variables(node, at, scope)
            elif kind == "ImportDeclaration":
                self._import(node)
            elif kind == "ClassDeclaration" and node.id is not None:
                scope.declare(Binding(node.id.name, "class", node, scope))
            elif kind == "CatchClause" and node.param is not None:
                inner = self._own_scope(node, scope)
                for name, identifier, path in _pattern_names(node.param):
                    inner.declare(Binding(name, "catch", identifier, inner, path=path))
            elif kind == "AssignmentExpression":
                for name, _identifier, _path in _pattern_names(node.left):
                    writes.append((name, scope))
            elif kind == "UpdateExpression" and node.argument.type == "Identifier":
                writes.append((node.argument.name, scope))
            elif kind == "Identifier" and at.function is None and not _not_a_read(at):
                self.module_reads.add(node.name)
        for name, scope in writes:
            found = scope.lookup(name)
            if found is not None:
                found.reassigned = True

    # Building ------------------------------------------------------------------------------------

    def _own_scope(self, node: Node, outer: Scope) -> Scope:
        """The scope a scope-making node opens (made on first request)."""
        scope = self._owned.get(id(node))
        if scope is None:
            kind: Literal["function", "block"] = "function" if node.type in FUNCTION_TYPES else "block"
            scope = self._owned[id(node)] = Scope(node, kind, outer)
        return scope

    def _child_scope(self, parent: Visit, key: str, child: Node) -> Scope:
        node = parent.node
        kind = node.type
        outer: Scope = parent.data
        if kind in FUNCTION_TYPES:
            return self._own_scope(node, outer)
        if kind in _BLOCK_SCOPES:
            if kind == "BlockStatement" and parent.parent is not None and (
                    parent.parent.node.type in FUNCTION_TYPES or parent.parent.node.type == "CatchClause"):
                return outer  # a function's or catch clause's body shares its scope
            return self._own_scope(node, outer)
        return outer

    def _function(self, node: Node, at: Visit, outer: Scope) -> None:
        inner = self._own_scope(node, outer)
        if node.type == "FunctionDeclaration" and node.id is not None:
            outer.declare(Binding(node.id.name, "function", node, outer, init=node))
        elif node.type == "FunctionExpression" and node.id is not None:
            inner.declare(Binding(node.id.name, "function", node, inner, init=node))
        iterates = None
        if at.parent is not None and at.key == "arguments" and at.parent.node.type == "CallExpression" \
                and is_iteration_call(at.parent.node) and at.parent.node.arguments[0] is node:
            callee = at.parent.node.callee
            callee = callee.expression if callee.type == "ChainExpression" else callee
            iterates = callee.object
        for index, param in enumerate(node.params):
            for name, identifier, path in _pattern_names(param):
                inner.declare(Binding(name, "param", identifier, inner, path=path,
                                      iterates=iterates if index == 0 else None))

    def _variables(self, node: Node, at: Visit, scope: Scope) -> None:
        kind: BindingKind = node.kind if node.kind in {"const", "let", "var"} else "let"
        target = scope.function_scope if kind == "var" else scope
        iterates = None
        if at.parent is not None and at.key == "left" and at.parent.node.type == "ForOfStatement":
            iterates = at.parent.node.right
        for declarator in node.declarations:
            for name, identifier, path in _pattern_names(declarator.id):
                target.declare(Binding(name, kind, identifier, target, init=declarator.init, path=path,
                                       iterates=iterates))

    def _import(self, node: Node) -> None:
        source = node.source.value
        for spec in node.specifiers:
            if spec.type == "ImportDefaultSpecifier":
                imported = "default"
            elif spec.type == "ImportNamespaceSpecifier":
                imported = "*"
            else:
                imported = spec.imported.name if spec.imported.type == "Identifier" else str(spec.imported.value)
            self.module.declare(Binding(spec.local.name, "import", spec.local, self.module,
                                        source=(source, imported)))

    # Questions -----------------------------------------------------------------------------------

    def within(self, kind: str, node: Node) -> list[Node]:
        """The indexed nodes of ``kind`` in ``node`` (itself included), in the order of the walk.

        A node's descendants are the nodes its source range holds. The walk meets them in source
        order, so they are found by bisection where each node starts; the few kinds a file keeps out
        of source order (the identifiers of an import specifier: the local name is its first child)
        are searched from end to end."""
        nodes = self.by_type[kind]
        if kind not in self._starts:
            begins = [found._start for found in nodes]
            self._starts[kind] = begins if begins == sorted(begins) else None
        starts = self._starts[kind]
        start, end = node._start, node._end
        candidates = nodes if starts is None else nodes[bisect_left(starts, start):bisect_left(starts, end)]
        return [found for found in candidates if start <= found._start and found._end <= end]

    def in_function(self, kind: str, fn: Node) -> list[Node]:
        """The indexed nodes of ``kind`` in the body of the function ``fn`` and not in a function nested
        in it, in the order of the walk."""
        return [found for found in self.within(kind, fn.body) if self.scope_at(found).function_scope.node is fn]

    def scope_at(self, node: Node) -> Scope:
        return self._scope_of.get(id(node), self.module)

    def lookup(self, name: str, at: Node | None = None) -> Binding | None:
        return (self.scope_at(at) if at is not None else self.module).lookup(name)

    def binding(self, identifier: Node) -> Binding | None:
        if identifier is None or identifier.type != "Identifier":
            return None
        return self.scope_at(identifier).lookup(identifier.name)

    @property
    def imports(self) -> dict[str, tuple[str, str]]:
        """Local name -> (module, imported name) of every import of the file."""
        return {name: b.source for name, b in self.module.bindings.items() if b.source is not None}

    def resolve(self, node: Node | None) -> Node | None:
        """Follow identifiers bound to constants (without destructuring) to their initialiser."""
        depth = 0
        while node is not None and depth < _MAX_DEPTH:
            if node.type == "ChainExpression":
                node = node.expression
            elif node.type == "Identifier":
                found = self.binding(node)
                if found is None or not found.constant or found.init is None or found.path \
                        or found.iterates is not None or found.kind == "function":
                    return node
                node = found.init
            else:
                return node
            depth += 1
        return node

    def value(self, node: Node | None, depth: int = 0) -> Any:
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        kind = node.type
        if kind == "Literal":
            return UNKNOWN if getattr(node, "regex", None) is not None else node.value
        if kind == "TemplateLiteral":
            parts = self.template_parts(node, depth)
            if any(part_kind == "expr" for part_kind, _ in parts):
                return UNKNOWN
            return "".join(text for _, text in parts)
        if kind == "Identifier":
            found = self.binding(node)
            if found is None or not found.constant or found.init is None or found.iterates is not None \
                    or found.kind == "function":
                return UNKNOWN
            return _at_path(self.value(found.init, depth + 1), found.path)
        if kind == "ChainExpression":
            return self.value(node.expression, depth + 1)
        if kind == "BinaryExpression" and node.operator == "+":
            left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            if isinstance(left, str) or isinstance(right, str):
                return _text(left) + _text(right) if _text(left) is not None and _text(right) is not None \
                    else UNKNOWN
            return left + right if _number(left) and _number(right) else UNKNOWN
        if kind == "ArrayExpression":
            items: list[Any] = []
            for element in node.elements:
                if element is None:
                    items.append(None)
                elif element.type == "SpreadElement":
                    inner = self.value(element.argument, depth + 1)
                    if not isinstance(inner, tuple):
                        return UNKNOWN
                    items.extend(inner)
                else:
                    items.append(self.value(element, depth + 1))
            return tuple(items)
        if kind == "ObjectExpression":
            result: dict[str, Any] = {}
            for prop in node.properties:
                if prop.type == "SpreadElement":
                    inner = self.value(prop.argument, depth + 1)
                    if not isinstance(inner, dict):
                        return UNKNOWN
                    result.update(inner)
                    continue
                name = property_name(prop)
                if name is None:
                    return UNKNOWN
                result[name] = self.value(prop.value, depth + 1)
            return result
        if kind == "MemberExpression":
            base = self.value(node.object, depth + 1)
            key = property_name_of_member(node) if not node.computed else self.value(node.property, depth + 1)
            return _member(base, key)
        return UNKNOWN

    def values(self, node: Node | None) -> tuple[Any, ...] | None:
        """Every value ``node`` may hold (one per item for a loop variable over a constant array)."""
        if node is None:
            return None
        found = self.binding(node) if node.type == "Identifier" else None
        if found is not None and found.iterates is not None and not found.reassigned:
            items = self.value(found.iterates)
            if not isinstance(items, tuple):
                return None
            picked = tuple(_at_path(item, found.path) for item in items)
            return None if any(item is UNKNOWN for item in picked) else picked
        value = self.value(node)
        return None if value is UNKNOWN else (value,)

    def template_parts(self, node: Node, depth: int = 0) -> list[tuple[str, Any]]:
        """A template literal's text and expressions, constants folded into the text."""
        parts: list[tuple[str, Any]] = []

        def text(value: str) -> None:
            if parts and parts[-1][0] == "text":
                parts[-1] = ("text", parts[-1][1] + value)
            else:
                parts.append(("text", value))

        for index, quasi in enumerate(node.quasis):
            text(quasi.value.cooked or "")
            if index < len(node.expressions):
                expression = node.expressions[index]
                value = _text(self.value(expression, depth + 1))
                if value is None:
                    parts.append(("expr", expression))
                else:
                    text(value)
        return parts

    def bindings(self) -> Iterator[Binding]:
        """Every binding of the file, module scope first."""
        seen: set[int] = set()
        for scope in [self.module, *self._owned.values()]:
            if id(scope) not in seen:
                seen.add(id(scope))
                yield from scope.bindings.values()


_IMPORT_SPECIFIERS = frozenset({"ImportSpecifier", "ImportDefaultSpecifier", "ImportNamespaceSpecifier"})


def _not_a_read(at: Visit) -> bool:
    """An identifier that names something (a property, a declared or imported name, a label) rather than reading it."""
    parent = at.parent
    if parent is None:
        return False
    node, key = parent.node, at.key
    kind = node.type
    if kind == "MemberExpression" and key == "property" and not node.computed:
        return True
    if kind in {"Property", "MethodDefinition", "PropertyDefinition"} and key == "key" and not node.computed:
        return True
    if kind == "ExportSpecifier" or kind in _IMPORT_SPECIFIERS or (kind == "VariableDeclarator" and key == "id"):
        return True
    return kind in {"LabeledStatement", "BreakStatement", "ContinueStatement"}


def _pattern_names(pattern: Node | None, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Node, tuple[str, ...]]]:
    """(name, identifier, key path) for each name a binding pattern declares."""
    if pattern is None:
        return
    kind = pattern.type
    if kind == "Identifier":
        yield pattern.name, pattern, path
    elif kind == "AssignmentPattern":
        yield from _pattern_names(pattern.left, path)
    elif kind == "RestElement":
        yield from _pattern_names(pattern.argument, (*path, "..."))
    elif kind == "ObjectPattern":
        for prop in pattern.properties:
            if prop.type == "RestElement":
                yield from _pattern_names(prop.argument, (*path, "..."))
            else:
                key = property_name(prop)
                yield from _pattern_names(prop.value, (*path, key if key is not None else "?"))
    elif kind == "ArrayPattern":
        for index, element in enumerate(pattern.elements):
            yield from _pattern_names(element, (*path, str(index)))


def _member(base: Any, key: Any) -> Any:
    if base is UNKNOWN or key is UNKNOWN or key is None:
        return UNKNOWN
    if isinstance(base, dict):
        return base.get(str(key), UNKNOWN)
    if isinstance(base, tuple | str):
        if key == "length":
            return len(base)
        index = int(key) if isinstance(key, str) and key.isdigit() else key
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(base):
            return base[index]
    return UNKNOWN


def _at_path(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if key in {"...", "?"}:
            return UNKNOWN
        value = _member(value, key)
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> str | None:
    """How a constant reads inside a string (``${1}`` is "1"), or None when it is not a scalar."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if value is None:
        return "null"
    return None


__all__ = ["UNKNOWN", "Binding", "Scope", "ScopeModel"]
