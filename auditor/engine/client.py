"""Client facts: Convex React hooks called in components, custom hooks and the project's wrappers.

Extraction reads one file outside the Convex folder. It finds the hooks imported from
``convex/react`` (named, aliased or through a namespace import), the file's own wrappers (a
top-level ``useX`` function or arrow that returns such a hook call), and, in every component
(a top-level function or arrow named with a capital letter, a ``memo``/``forwardRef`` of one,
or a default-exported function that renders JSX) and custom hook (``useX``), each hook call:

* the local its result is bound to;
* ``render_calls``: that local called in the render body itself, not inside an event handler,
  effect, callback or any nested function (for mutation and action hooks);
* ``unguarded_uses``: that local dereferenced in the render body (``x.f``, ``x[0]``,
  ``x.map(...)``, destructuring, ``for...of``, an array spread) when the component never does
  anything else with it: any other appearance (a comparison, ``!x``, ``x ?? d``, ``x?.f``,
  ``x && ...``, an argument, a JSX attribute, ...) counts as handling ``undefined``, except an
  entry of a hook's dependency array and a ``console.*`` argument, which say nothing either way,
  and ``x?.f``/``x ?? d`` inside a nested function, which handle it there only.
  A hook call with a ``"skip"`` argument is left alone. Dereferences inside nested functions
  are ignored.

Calls to imported ``useX`` functions of the project (also ``hooks.useX()`` through a namespace
import) are recorded with ``via`` and resolved at
link time, through relative imports or a path alias (``@/``, ``~/``, ``#``, ``src/``), to the
wrapper they name; calls that resolve to no wrapper are dropped. Test files (``*.test.tsx``,
``*.spec.ts``, ``__tests__/``, ``__mocks__/``) are skipped: they mock ``convex/react``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

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
from auditor.engine.model import FunctionRef, HookCall, HookWrapper, ModuleFacts

if TYPE_CHECKING:
    from auditor.engine.extract import FileExtractor
    from auditor.engine.link import Linker

CONVEX_REACT_SOURCES = frozenset({"convex/react", "convex-helpers/react/cache", "convex-helpers/react/cache/hooks"})
TRACKED_HOOKS = frozenset({"useQuery", "useMutation", "useAction"})
_HOOK_NAME = re.compile(r"^use[A-Z0-9]")
_ALIAS_PREFIXES = ("@/", "~/", "#", "@@/", "src/")
_WRAPPING_CALLS = frozenset({"memo", "forwardRef", "observer"})
_JSX_TYPES = frozenset({"JSXElement", "JSXFragment"})
_DEPENDENCY_HOOKS = frozenset({"useEffect", "useLayoutEffect", "useMemo", "useCallback", "useInsertionEffect"})

Ref = tuple[FunctionRef | None, str]


def _project_source(source: str) -> bool:
    return source.startswith((".", "/")) or source.startswith(_ALIAS_PREFIXES)


def needs_client_extraction(imports: dict[str, tuple[str, str]]) -> bool:
    """Whether a file's imports give ``ClientExtractor`` anything to look for (else it finds nothing)."""
    for local, (source, name) in imports.items():
        if source in CONVEX_REACT_SOURCES and (name == "*" or name in TRACKED_HOOKS):
            return True
        if _project_source(source) and (name == "*" or _HOOK_NAME.match(name)
                                        or (name == "default" and _HOOK_NAME.match(local))):
            return True
    return False


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
            elif _project_source(source) and name == "*":
                self.project_namespaces[local] = source
            elif _project_source(source) and (_HOOK_NAME.match(name)
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
        wrapper = HookWrapper(name, self.x.loc(fn), hook=hook, via=via)
        first = call.arguments[0] if call.arguments else None
        if first is not None and first.type == "Identifier":
            params = [p.name if p.type == "Identifier" else (p.left.name if p.type == "AssignmentPattern"
                      and p.left.type == "Identifier" else None) for p in fn.params]
            if first.name in params:
                wrapper.target_param = params.index(first.name)
        if wrapper.target_param is None and first is not None:
            wrapper.target, wrapper.target_text = self._ref(first)
        return wrapper

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
        calls: list[tuple[HookCall, Node]] = []
        variables: dict[str, HookCall] = {}
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
        self.facts.hook_calls.extend(call for call, _ in calls)

    def _hook_call(self, component: str, node: Node, found: tuple[str | None, tuple[str, str] | None],
                   parent: Node | None, key: str) -> HookCall:
        hook, via = found
        refs = tuple(self._ref(arg) for arg in node.arguments[:2])
        call = HookCall(component, self.x.loc(node), hook, via=via, arg_refs=refs)
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

    def _classify(self, variables: dict[str, HookCall], occurrences: list[tuple[Node, Node, str, Node | None, bool]]
                  ) -> None:
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


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


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


def extract_client(extractor: FileExtractor) -> None:
    ClientExtractor(extractor).extract()


# Linking -----------------------------------------------------------------------------------------


class _AliasIndex:
    """Frontend modules by path stem, for path-alias imports (``@/hooks/useTasks``)."""

    def __init__(self, modules: list[ModuleFacts]) -> None:
        self.stems: dict[str, list[ModuleFacts]] = {}
        for module in modules:
            stem = module.path.rsplit(".", 1)[0]
            if stem.endswith("/index"):
                stem = stem[: -len("/index")]
            self.stems.setdefault(stem, []).append(module)

    def find(self, source: str) -> ModuleFacts | None:
        rest = source
        for prefix in ("@@/", "@/", "~/", "#"):
            if rest.startswith(prefix):
                rest = rest[len(prefix):]
                break
        rest = rest.rsplit(".", 1)[0] if rest.endswith((".ts", ".tsx", ".js", ".jsx")) else rest
        matches = [m for stem, found in self.stems.items() if stem == rest or stem.endswith("/" + rest)
                   for m in found]
        return matches[0] if len(matches) == 1 else None


def link_hook_calls(linker: Linker) -> list[HookCall]:
    """Every client hook call with its convex/react hook and target known; unresolved wrapper calls dropped."""
    project = linker.project
    modules = [*project.frontend.values(), *project.modules.values()]
    if not any(module.hook_calls for module in modules):
        return []
    aliases = _AliasIndex(list(project.frontend.values()))
    linked: list[HookCall] = []
    for module in project.frontend.values():
        for call in module.hook_calls:
            if call.hook is not None:
                linked.append(dataclasses.replace(call))
                continue
            if call.via is None:
                continue
            resolved = _resolve(linker, aliases, module, call.via, call.arg_refs, 0)
            if resolved is None:
                continue
            hook, (target, text) = resolved
            linked.append(dataclasses.replace(call, hook=hook, via=None, target=target, target_text=text))
    return linked


def _resolve(linker: Linker, aliases: _AliasIndex, module: ModuleFacts, via: tuple[str, str],
             refs: tuple[Ref, ...], depth: int) -> tuple[str, Ref] | None:
    if depth > 6:
        return None
    source, name = via
    if source == "":
        found: tuple[ModuleFacts, str] | None = (module, name)
    else:
        target_module = linker.resolve_module(module.path, source)
        if target_module is None and not source.startswith("."):
            target_module = aliases.find(source)
        if target_module is None:
            return None
        for exported, reexported_from, original in target_module.reexports:
            # ``export { useQuery } from "convex/react"`` in a project module
            hook = name if original == "*" else original
            if exported in {name, "*"} and reexported_from in CONVEX_REACT_SOURCES and hook in TRACKED_HOOKS:
                return hook, refs[0] if refs else (None, "")
        found = linker.resolve_export(target_module, name)
    if found is None:
        return None
    wrapper_module, local = found
    wrapper = wrapper_module.hook_wrappers.get(local)
    if wrapper is None:
        return None
    if wrapper.target_param is not None:
        ref: Ref = refs[wrapper.target_param] if wrapper.target_param < len(refs) else (None, "")
    else:
        ref = (wrapper.target, wrapper.target_text)
    if wrapper.hook is not None:
        return wrapper.hook, ref
    if wrapper.via is not None:
        return _resolve(linker, aliases, wrapper_module, wrapper.via, (ref,), depth + 1)
    return None
