"""The esprima hook walker of the engine's first design, kept as the tests' reference.

The engine reads client hooks with tree-sitter (``auditor.engine.clienthooks``). This walker over
esprima's ESTree gave the same facts before; the tests compare both on fixtures and, given
``CONVEX_AUDIT_REALAPPS``, on real apps, so that a change to either shows.
"""

from __future__ import annotations

import re

from auditor.engine.client import CONVEX_REACT_SOURCES, TRACKED_HOOKS, is_project_source
from auditor.engine.clienthooks import HookCallDraft
from auditor.engine.extract import FileExtractor
from auditor.engine.js import (
    FUNCTION_TYPES,
    Node,
    callee_path,
    child_keys,
    is_node,
    property_name,
    returned_expressions,
    string_value,
    unwrap,
    walk,
)
from auditor.engine.model import FunctionRef, HookWrapper, ModuleFacts
from auditor.engine.parsing import parse_source

_HOOK_NAME = re.compile(r"^use[A-Z0-9]")
_WRAPPING_CALLS = frozenset({"memo", "forwardRef", "observer"})
_JSX_TYPES = frozenset({"JSXElement", "JSXFragment"})
_DEPENDENCY_HOOKS = frozenset({"useEffect", "useLayoutEffect", "useMemo", "useCallback", "useInsertionEffect"})

Ref = tuple[FunctionRef | None, str]


def esprima_facts(path: str, source: str) -> ModuleFacts:
    """A frontend file's facts from esprima, its hooks read by this walker."""
    parsed = parse_source(path, source)
    assert parsed.tree is not None, parsed.error
    extractor = FileExtractor(path, None, source, parsed.tree)
    extractor.extract()
    ClientExtractor(extractor).extract()
    return extractor.facts.freeze()


class ClientExtractor:
    def __init__(self, extractor: FileExtractor) -> None:
        self.x = extractor
        self.facts = extractor.facts
        self.hooks: dict[str, str] = {}  # local name -> convex/react hook
        self.namespaces: set[str] = set()
        self.candidates: dict[str, tuple[str, str]] = {}  # local name -> (source, name) of a possible wrapper
        self.project_namespaces: dict[str, str] = {}  # ``import * as hooks from "@/hooks"``: local -> source
        for local, (source, name) in extractor.scope.imports.items():
            if source in CONVEX_REACT_SOURCES:
                if name == "*":
                    self.namespaces.add(local)
                elif name in TRACKED_HOOKS:
                    self.hooks[local] = name
            elif is_project_source(source) and name == "*":
                self.project_namespaces[local] = source
            elif is_project_source(source) and (_HOOK_NAME.match(name)
                                              or (name == "default" and _HOOK_NAME.match(local))):
                self.candidates[local] = (source, name)

    def extract(self) -> None:
        if not self.hooks and not self.namespaces and not self.candidates and not self.project_namespaces:
            return
        functions = self._top_level_functions()
        for name, fn, _ in functions:
            if _HOOK_NAME.match(name):
                wrapper = self._wrapper(name, fn)
                if wrapper is not None:
                    self.facts.hook_wrappers[name] = wrapper
        for name, fn, default in functions:
            if name[:1].isupper() or _HOOK_NAME.match(name) or (default and _renders_jsx(fn)):
                self._component(name, fn)

    # Hooks -------------------------------------------------------------------------------------

    def _hook_of(self, call: Node) -> tuple[str | None, tuple[str, str] | None] | None:
        """(convex hook, None) for a direct hook call, (None, via) for a wrapper call, None otherwise."""
        if call.type != "CallExpression":
            return None
        path = callee_path(call)
        if not path:
            return None
        if len(path) == 1:
            name = path[0]
            if name in self.hooks:
                return self.hooks[name], None
            if name in self.candidates:
                return None, self.candidates[name]
            if _HOOK_NAME.match(name) and name in self.x.scope.functions:
                return None, ("", name)
        elif len(path) == 2 and path[0] in self.namespaces and path[1] in TRACKED_HOOKS:
            return path[1], None
        elif len(path) == 2 and path[0] in self.project_namespaces and _HOOK_NAME.match(path[1]):
            return None, (self.project_namespaces[path[0]], path[1])
        return None

    def _hook_call_in(self, node: Node | None) -> Node | None:
        """The hook call ``node`` is, or carries through ``.withOptimisticUpdate(...)``."""
        node = unwrap(node)
        if node is None or node.type != "CallExpression":
            return None
        if self._hook_of(node) is not None:
            return node
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        if callee.type == "MemberExpression" and property_name(callee.property) == "withOptimisticUpdate":
            inner = unwrap(callee.object)
            if inner is not None and self._hook_of(inner) is not None:
                return inner
        return None

    def _ref(self, node: Node | None) -> Ref:
        target, text, _ = self.x.function_ref(node)
        return target, text

    # Wrappers ----------------------------------------------------------------------------------

    def _wrapper(self, name: str, fn: Node) -> HookWrapper | None:
        returned = returned_expressions(fn)
        if len(returned) != 1:
            return None
        call = self._hook_call_in(returned[0])
        if call is None:
            return None
        hook, via = self._hook_of(call)  # type: ignore[misc]
        first = call.arguments[0] if call.arguments else None
        target_param: int | None = None
        target, target_text = None, ""
        if first is not None and first.type == "Identifier":
            params = [p.name if p.type == "Identifier" else (p.left.name if p.type == "AssignmentPattern"
                      and p.left.type == "Identifier" else None) for p in fn.params]
            if first.name in params:
                target_param = params.index(first.name)
        if target_param is None and first is not None:
            target, target_text = self._ref(first)
        return HookWrapper(name, self.x.loc(fn), hook=hook, via=via, target=target, target_text=target_text,
                           target_param=target_param)

    # Components --------------------------------------------------------------------------------

    def _top_level_functions(self) -> list[tuple[str, Node, bool]]:
        """(name, function, default-exported) for each top-level function of the file."""
        found: list[tuple[str, Node, bool]] = []
        default_local = self.facts.exports.get("default")
        for name, fn in self.x.scope.functions.items():
            found.append((name, fn, name == default_local))
        for name, init in self.x.scope.consts.items():
            if name in self.x.scope.functions:
                continue
            if name == "default":
                fn = _unwrap_component(init)
                if fn is not None:
                    found.append(("default", fn, True))
                continue
            if init.type == "CallExpression":
                fn = _unwrap_component(init)
                if fn is not None:
                    found.append((name, fn, name == default_local))
        return found

    def _component(self, name: str, fn: Node) -> None:
        name = "the default export" if name == "default" else name
        calls: list[tuple[HookCallDraft, Node]] = []
        variables: dict[str, HookCallDraft] = {}
        optimistic: dict[int, Node] = {}
        occurrences: list[tuple[Node, Node, str, Node | None, bool]] = []  # (id, parent, key, grandparent, nested)
        stack: list[tuple[Node, Node | None, str, Node | None, bool]] = [(fn.body, fn, "body", None, False)]
        while stack:
            node, parent, key, grandparent, nested = stack.pop()
            kind = node.type
            if kind == "Identifier":
                occurrences.append((node, parent, key, grandparent, nested))
                continue
            if kind == "VariableDeclarator" and node.init is not None and not nested:
                # ``const send = useMutation(f).withOptimisticUpdate(...)`` binds the hook's function.
                inner = self._hook_call_in(node.init)
                if inner is not None and inner is not unwrap(node.init):
                    optimistic[id(inner)] = node
            if kind == "CallExpression" and not nested:
                found = self._hook_of(node)
                if found is not None:
                    declarator = optimistic.get(id(node))
                    holder, holder_key = (declarator, "init") if declarator is not None else (parent, key)
                    call = self._hook_call(name, node, found, holder, holder_key)
                    calls.append((call, node))
                    if call.variable is not None:
                        variables[call.variable] = call
            attributes = node.__dict__
            pending = []
            for child_key in child_keys(node):
                value = attributes.get(child_key)
                if value is None:
                    continue
                for item in value if isinstance(value, list) else (value,):
                    if is_node(item):
                        pending.append((item, node, child_key, parent, nested or item.type in FUNCTION_TYPES))
            pending.reverse()
            stack.extend(pending)
        if variables:
            self._classify(variables, occurrences)
        self.facts.hook_calls.extend(call.freeze() for call, _ in calls)

    def _hook_call(self, component: str, node: Node, found: tuple[str | None, tuple[str, str] | None],
                   parent: Node | None, key: str) -> HookCallDraft:
        hook, via = found
        refs = tuple(self._ref(arg) for arg in node.arguments[:2])
        call = HookCallDraft(component, self.x.loc(node), hook, via=via, arg_refs=refs)
        if hook is not None and refs:
            call.target, call.target_text = refs[0]
        if via is not None:
            call.wrapper = via[1] if via[1] != "default" else next(
                (local for local, imported in self.candidates.items() if imported == via), "default")
        call.skip = any(string_value(n) == "skip" for arg in node.arguments for n in walk(arg))
        if parent is not None and parent.type == "VariableDeclarator" and key == "init":
            if parent.id.type == "Identifier":
                call.variable = parent.id.name
            elif parent.id.type in {"ObjectPattern", "ArrayPattern"}:
                call.unguarded_uses.append(self.x.loc(parent.id))
        elif parent is not None and parent.type == "CallExpression" and key == "callee":
            call.render_calls.append(self.x.loc(parent))
        return call

    def _classify(self, variables: dict[str, HookCallDraft],
                  occurrences: list[tuple[Node, Node, str, Node | None, bool]]) -> None:
        handled: set[str] = set()
        for node, parent, key, grandparent, nested in occurrences:
            name = node.name
            call = variables.get(name)
            if call is None or _not_a_reference(parent, key):
                continue
            if parent.type == "VariableDeclarator" and key == "id":
                continue
            if parent.type == "CallExpression" and key == "callee":
                if not nested:
                    call.render_calls.append(self.x.loc(parent))
                continue
            if _dereferences(parent, key, grandparent):
                if not nested:
                    call.unguarded_uses.append(self.x.loc(parent))
                continue
            if _neutral(parent, key, grandparent) or (nested and _local_default(parent, key)):
                continue
            handled.add(name)
        for name in handled:
            variables[name].unguarded_uses.clear()


def _not_a_reference(parent: Node, key: str) -> bool:
    kind = parent.type
    if kind == "MemberExpression" and key == "property" and not parent.computed:
        return True
    if kind in {"Property", "MethodDefinition", "PropertyDefinition"} and key == "key" and not parent.computed:
        return True
    return kind in {"LabeledStatement", "BreakStatement", "ContinueStatement"}


def _dereferences(parent: Node, key: str, grandparent: Node | None) -> bool:
    """Whether the identifier, as ``parent``'s ``key``, is read in a way that throws on undefined."""
    kind = parent.type
    if kind == "MemberExpression" and key == "object":
        return not parent.optional
    if kind == "ForOfStatement" and key == "right":
        return True
    if kind == "VariableDeclarator" and key == "init":
        return parent.id.type in {"ObjectPattern", "ArrayPattern"}
    if kind == "SpreadElement":
        return grandparent is not None and grandparent.type in {"ArrayExpression", "CallExpression", "NewExpression"}
    return False


def _local_default(parent: Node, key: str) -> bool:
    """``x?.f``, ``x ?? d``, ``x || d``: handles ``undefined`` for that expression only."""
    if parent.type == "MemberExpression" and key == "object":
        return bool(parent.optional)
    return parent.type == "LogicalExpression" and key == "left" and parent.operator in {"??", "||"}


def _neutral(parent: Node, key: str, grandparent: Node | None) -> bool:
    """A dependency array entry or a ``console.*`` argument: says nothing about handling ``undefined``."""
    if parent.type == "ArrayExpression" and grandparent is not None and grandparent.type == "CallExpression" \
            and len(grandparent.arguments) > 1 and grandparent.arguments[1] is parent:
        path = callee_path(grandparent)
        return bool(path) and path[-1] in _DEPENDENCY_HOOKS
    if parent.type == "CallExpression" and key == "arguments":
        path = callee_path(parent)
        return bool(path) and len(path) == 2 and path[0] == "console"
    return False


def _unwrap_component(node: Node | None) -> Node | None:
    """The function of ``memo(function X() {...})``/``forwardRef((props, ref) => ...)`` or a bare function."""
    depth = 0
    while node is not None and depth < 4:
        if node.type in FUNCTION_TYPES:
            return node
        if node.type != "CallExpression" or not node.arguments:
            return None
        path = callee_path(node)
        if not path or path[-1] not in _WRAPPING_CALLS:
            return None
        node = node.arguments[0]
        depth += 1
    return None


def _renders_jsx(fn: Node) -> bool:
    return any(node.type in _JSX_TYPES for node in walk(fn.body))
