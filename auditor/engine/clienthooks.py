"""Client facts from tree-sitter: Convex React hooks called in components, custom hooks and wrappers.

A frontend file that imports from ``convex/react`` (or a project hook, see
``client.needs_client_extraction``) is read here, over the tree ``frontend`` already parsed, in
place of an esprima tree walked in Python. The facts are the ones the esprima walker of the
engine's first design gave, field for field (a test compares them on fixtures of every hook shape
and, given ``CONVEX_AUDIT_REALAPPS``, on real apps):

* ``hook_wrappers``: each top-level ``useX`` function or arrow that returns one hook call (directly,
  through ``.withOptimisticUpdate(...)``, or through another project hook), with the function
  reference it passes or the parameter that carries it;
* ``hook_calls``: in every component (a top-level function or arrow named with a capital letter,
  a ``memo``/``forwardRef``/``observer`` of one, or a default-exported function that renders JSX)
  and custom hook (``useX``), each hook call of its render body (not of nested functions), with
  its target, the local its result is bound to, ``render_calls`` (that local called in the render
  body) and ``unguarded_uses`` (that local dereferenced in the render body when the component
  never does anything else with it; ``client``'s docstring says which uses count).

Positions and texts are esprima's: tree-sitter reads the text esprima reads (TypeScript blanked),
parentheses are looked through as ESTree has none, and an optional chain's top is treated as
ESTree's ``ChainExpression`` wrapper. Identifiers resolve to constants with shadowing (a small
scope lookup, run only for identifiers given to hooks).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from auditor.engine.client import CONVEX_REACT_SOURCES, TRACKED_HOOKS, is_project_source
from auditor.engine.extract.drafts import freeze_draft
from auditor.engine.model import FunctionRef, HookCall, HookWrapper, Location
from auditor.engine.parsing import named_children, unparenthesised

if TYPE_CHECKING:
    from tree_sitter import Node

    from auditor.engine.extract.drafts import ModuleDraft
    from auditor.engine.frontend import TreeReader

_HOOK_NAME = re.compile(r"^use[A-Z0-9]")
_WRAPPING_CALLS = frozenset({"memo", "forwardRef", "observer"})
_DEPENDENCY_HOOKS = frozenset({"useEffect", "useLayoutEffect", "useMemo", "useCallback", "useInsertionEffect"})
# ESTree's FunctionDeclaration/FunctionExpression/ArrowFunctionExpression; a method is its function.
FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "arrow_function",
                            "generator_function_declaration", "generator_function", "method_definition"})
_FUNCTION_VALUES = frozenset({"function_expression", "arrow_function", "generator_function"})
_DECLARATIONS = frozenset({"function_declaration", "generator_function_declaration"})
_JSX_ELEMENTS = frozenset({"jsx_element", "jsx_self_closing_element"})
_JSX_NAMED = frozenset({"jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element"})
# Nodes with no identifier below them that ESTree would count (keys, labels, literals).
_IDENTIFIERS = frozenset({"identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern"})
_LEAVES = frozenset({"property_identifier", "statement_identifier", "comment", "string", "number", "regex"})
_MEMBERS = frozenset({"member_expression", "subscript_expression"})
_BLOCK_SCOPES = frozenset({"statement_block", "for_statement", "for_in_statement", "switch_statement",
                           "catch_clause"})
_MAX_DEPTH = 16

Ref = tuple[FunctionRef | None, str]
Declare = Callable[[str, str, "Node | None", bool], None]


class _Binding(NamedTuple):
    scope: int  # id of the node that opens the declaring scope
    kind: str  # const, let, var, param, function, class, import, catch, loop
    init: Node | None
    destructured: bool


def read_client_facts(reader: TreeReader, facts: ModuleDraft) -> None:
    """Fill ``facts.hook_wrappers`` and ``facts.hook_calls`` (its imports and exports already read)."""
    _HookReader(reader, facts).read()


@dataclasses.dataclass(slots=True)
class HookCallDraft:
    """A ``HookCall`` while the component's uses of its result are classified: lists, then ``freeze``."""

    component: str
    loc: Location
    hook: str | None
    via: tuple[str, str] | None = None
    wrapper: str | None = None
    target: FunctionRef | None = None
    target_text: str = ""
    arg_refs: tuple[Ref, ...] = ()
    variable: str | None = None
    skip: bool = False
    render_calls: list[Location] = dataclasses.field(default_factory=list)
    unguarded_uses: list[Location] = dataclasses.field(default_factory=list)

    def freeze(self) -> HookCall:
        return freeze_draft(self, HookCall, _HOOK_CALL_FIELDS)


_HOOK_CALL_FIELDS = tuple(f.name for f in dataclasses.fields(HookCall))


class _HookReader:
    def __init__(self, reader: TreeReader, facts: ModuleDraft) -> None:
        self.r = reader
        self.facts = facts
        self.hooks: dict[str, str] = {}  # local name -> convex/react hook
        self.namespaces: set[str] = set()
        self.candidates: dict[str, tuple[str, str]] = {}  # local -> (source, name) of a possible wrapper
        self.project_namespaces: dict[str, str] = {}
        for local, (source, name) in facts.imports.items():
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
        self.functions: dict[str, Node] = {}
        self.consts: dict[str, Node] = {}
        self._scopes: dict[int, dict[str, _Binding]] = {}  # by id of the node opening the scope
        self._reassigned: set[tuple[int, str]] | None = None  # (scope, name) written somewhere
        self._duplicates: set[tuple[int, str]] = set()  # (scope, name) declared twice in one scope

    def read(self) -> None:
        if not self.hooks and not self.namespaces and not self.candidates and not self.project_namespaces:
            return
        self._top_level()
        found = self._top_level_functions()
        for name, fn, _ in found:
            if _HOOK_NAME.match(name):
                wrapper = self._wrapper(name, fn)
                if wrapper is not None:
                    self.facts.hook_wrappers[name] = wrapper
        for name, fn, default in found:
            if name[:1].isupper() or _HOOK_NAME.match(name) or (default and _renders_jsx(fn)):
                self._component(name, fn)

    # Top-level names ---------------------------------------------------------------------------

    def _top_level(self) -> None:
        for statement in named_children(self.r.root):
            declaration: Node | None = statement
            if statement.type == "export_statement":
                if any(child.type == "default" for child in statement.children):
                    declaration = statement.child_by_field_name("declaration")
                    if declaration is None or declaration.child_by_field_name("name") is None:
                        value = unparenthesised(statement.child_by_field_name("value")) or declaration
                        if value is not None and value.type != "identifier":
                            self.consts["default"] = value
                        continue
                else:
                    declaration = statement.child_by_field_name("declaration")
                if declaration is None:
                    continue
            if declaration.type in {"lexical_declaration", "variable_declaration"}:
                for declarator in named_children(declaration):
                    name = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" \
                        else None
                    value = unparenthesised(declarator.child_by_field_name("value")) \
                        if declarator.type == "variable_declarator" else None
                    if name is None or name.type != "identifier" or value is None:
                        continue
                    local = self.r.source_of(name)
                    if value.type in {"arrow_function", "function_expression"}:
                        self.functions[local] = value
                    self.consts[local] = value
            elif declaration.type in _DECLARATIONS:
                name = declaration.child_by_field_name("name")
                if name is not None:
                    self.functions[self.r.source_of(name)] = declaration

    def _top_level_functions(self) -> list[tuple[str, Node, bool]]:
        """(name, function, default-exported) for each top-level function of the file."""
        found: list[tuple[str, Node, bool]] = []
        default_local = self.facts.exports.get("default")
        for name, fn in self.functions.items():
            found.append((name, fn, name == default_local))
        for name, init in self.consts.items():
            if name in self.functions:
                continue
            if name == "default":
                fn = self._unwrap_component(init)
                if fn is not None:
                    found.append(("default", fn, True))
                continue
            if init.type == "call_expression":
                fn = self._unwrap_component(init)
                if fn is not None:
                    found.append((name, fn, name == default_local))
        return found

    def _unwrap_component(self, node: Node | None) -> Node | None:
        """The function of ``memo(function X() {...})``/``forwardRef((props, ref) => ...)`` or a bare function."""
        depth = 0
        while node is not None and depth < 4:
            if node.type in FUNCTION_TYPES:
                return node
            arguments = _arguments(node) if node.type == "call_expression" else None
            if not arguments:
                return None
            path = self._callee_path(node)
            if not path or path[-1] not in _WRAPPING_CALLS:
                return None
            node = arguments[0]
            depth += 1
        return None

    # Hooks -------------------------------------------------------------------------------------

    def _callee_path(self, call: Node) -> list[str] | None:
        return self.r.member_path(call.child_by_field_name("function"))

    def _hook_of(self, call: Node) -> tuple[str | None, tuple[str, str] | None] | None:
        """(convex hook, None) for a direct hook call, (None, via) for a wrapper call, None otherwise."""
        if call.type != "call_expression" or _arguments(call) is None:
            return None
        path = self._callee_path(call)
        if not path:
            return None
        if len(path) == 1:
            name = path[0]
            if name in self.hooks:
                return self.hooks[name], None
            if name in self.candidates:
                return None, self.candidates[name]
            if _HOOK_NAME.match(name) and name in self.functions:
                return None, ("", name)
        elif len(path) == 2 and path[0] in self.namespaces and path[1] in TRACKED_HOOKS:
            return path[1], None
        elif len(path) == 2 and path[0] in self.project_namespaces and _HOOK_NAME.match(path[1]):
            return None, (self.project_namespaces[path[0]], path[1])
        return None

    def _hook_call_in(self, node: Node | None) -> Node | None:
        """The hook call ``node`` is, or carries through ``.withOptimisticUpdate(...)``."""
        node = _unwrap(node)
        if node is None or node.type != "call_expression":
            return None
        if self._hook_of(node) is not None:
            return node
        callee = unparenthesised(node.child_by_field_name("function"))
        if callee is not None and callee.type in _MEMBERS and self.r.member_name(callee) == "withOptimisticUpdate":
            inner = _unwrap(callee.child_by_field_name("object"))
            if inner is not None and self._hook_of(inner) is not None:
                return inner
        return None

    # Wrappers ----------------------------------------------------------------------------------

    def _wrapper(self, name: str, fn: Node) -> HookWrapper | None:
        returned = _returned_expressions(fn)
        if len(returned) != 1:
            return None
        call = self._hook_call_in(returned[0])
        if call is None:
            return None
        hook, via = self._hook_of(call)  # type: ignore[misc]
        arguments = _arguments(call) or []
        first = arguments[0] if arguments else None
        target_param: int | None = None
        target, target_text = None, ""
        if first is not None and first.type == "identifier":
            params = [self._param_name(p) for p in _params(fn)]
            if self.r.source_of(first) in params:
                target_param = params.index(self.r.source_of(first))
        if target_param is None and first is not None:
            target, target_text = self._ref(first)
        return HookWrapper(name, self.r.loc(fn), hook=hook, via=via, target=target, target_text=target_text,
                           target_param=target_param)

    def _param_name(self, param: Node) -> str | None:
        if param.type == "identifier":
            return self.r.source_of(param)
        if param.type in {"required_parameter", "optional_parameter"}:
            pattern = param.child_by_field_name("pattern")
            if pattern is not None and pattern.type == "identifier":
                return self.r.source_of(pattern)
        return None

    # Components --------------------------------------------------------------------------------

    def _component(self, name: str, fn: Node) -> None:
        """The hook calls of the function's render body, and the uses of the locals they are bound to.

        The render body is what a walk down its named children reaches (``_reached``): not
        nested functions, not an element's name. Rather than walk every node of every component
        (most of a light read's Python time), the calls are found from the callee names that
        ``_hook_of`` can match, searched in the body's text, and each name's uses likewise: a
        hook call's callee path starts with such a name inside the call, so every call found by
        the walk is an ancestor of one of the places found here.
        """
        name = "the default export" if name == "default" else name
        body = fn.child_by_field_name("body")
        if body is None:
            return
        calls: list[HookCallDraft] = []
        variables: dict[str, HookCallDraft] = {}
        for node in self._render_calls(body):
            found = self._hook_of(node)
            if found is not None:
                call = self._hook_call(name, node, found, self._optimistic_declarator(node, body))
                calls.append(call)
                if call.variable is not None:
                    variables[call.variable] = call
        if variables:
            self._classify(variables, self._occurrences(body, variables))
        self.facts.hook_calls.extend(call.freeze() for call in calls)

    @functools.cached_property
    def _callee_names(self) -> list[bytes]:
        """Every name a callee path that ``_hook_of`` matches can start with, as the text holds it
        (asked once the file's hooks, wrappers and functions are known)."""
        names = {*self.hooks, *self.candidates, *self.namespaces, *self.project_namespaces}
        names.update(name for name in self.functions if _HOOK_NAME.match(name))
        return sorted(_encoded(name) for name in names)

    def _render_calls(self, body: Node) -> list[Node]:
        """The calls of the render body that may be hook calls, in the walk's (document) order."""
        found: dict[int, Node] = {}
        for start, end in _occurrences_in(self.r.data, body, self._callee_names):
            node = body.named_descendant_for_byte_range(start, end)
            for reached, nested in _reached(_path(body, node)):
                if not nested and reached.type == "call_expression":
                    found[reached.id] = reached
        return sorted(found.values(), key=lambda call: (call.start_byte, -call.end_byte))

    def _optimistic_declarator(self, call: Node, body: Node) -> Node | None:
        """The declarator of ``const send = useMutation(f).withOptimisticUpdate(...)`` for its hook call."""
        node: Node | None = call
        while node is not None and node.id != body.id:
            if node.type == "variable_declarator":
                value = node.child_by_field_name("value")
                inner = self._hook_call_in(value)
                if inner is not None and inner.id == call.id and inner.id != _unwrap(value).id:  # type: ignore[union-attr]
                    return node
            node = node.parent
        return None

    def _occurrences(self, body: Node, variables: dict[str, HookCallDraft]) -> list[tuple[Node, bool]]:
        """Each identifier of the render body and nested functions named as a hook's local, with
        whether it is in a nested function, in document order."""
        found: list[tuple[Node, bool]] = []
        for start, end in _occurrences_in(self.r.data, body, [_encoded(name) for name in variables]):
            node = body.named_descendant_for_byte_range(start, end)
            if node is None or node.type not in _IDENTIFIERS or node.start_byte != start or node.end_byte != end:
                continue  # part of a longer name, or in a string or a comment
            reached = _reached(_path(body, node))
            if reached and reached[-1][0].id == node.id:
                found.append(reached[-1])
        found.sort(key=lambda occurrence: occurrence[0].start_byte)
        return found

    def _hook_call(self, component: str, node: Node, found: tuple[str | None, tuple[str, str] | None],
                   declarator: Node | None) -> HookCallDraft:
        hook, via = found
        arguments = _arguments(node) or []
        refs = tuple(self._ref(arg) for arg in arguments[:2])
        call = HookCallDraft(component, self.r.loc(node), hook, via=via, arg_refs=refs)
        if hook is not None and refs:
            call.target, call.target_text = refs[0]
        if via is not None:
            call.wrapper = via[1] if via[1] != "default" else next(
                (local for local, imported in self.candidates.items() if imported == via), "default")
        call.skip = any(self._says_skip(arg) for arg in arguments)
        if declarator is not None:
            parent, relation = declarator, "value"
        else:
            parent, relation = _estree_parent(node)
        if parent is not None and parent.type == "variable_declarator" and relation == "value":
            target = parent.child_by_field_name("name")
            if target is not None and target.type == "identifier":
                call.variable = self.r.source_of(target)
            elif target is not None and target.type in {"object_pattern", "array_pattern"}:
                call.unguarded_uses.append(self.r.loc(target))
        elif parent is not None and parent.type == "call_expression" and relation == "function":
            call.render_calls.append(self.r.loc(parent))
        return call

    def _says_skip(self, node: Node) -> bool:
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in {"string", "template_string"} and self.r.string_value(current) == "skip":
                return True
            stack.extend(current.named_children)
        return False

    def _classify(self, variables: dict[str, HookCallDraft], occurrences: list[tuple[Node, bool]]) -> None:
        handled: set[str] = set()
        for node, nested in occurrences:
            name = self.r.source_of(node)
            call = variables.get(name)
            if call is None:
                continue
            if node.type != "identifier":  # a shorthand property or pattern: ESTree's Property value
                handled.add(name)
                continue
            parent, relation = _estree_parent(node)
            if parent is None:
                handled.add(name)
                continue
            kind = parent.type
            if kind == "variable_declarator" and relation == "name":
                continue
            if kind == "call_expression" and relation == "function" and not _tagged(parent):
                if not nested:
                    call.render_calls.append(self.r.loc(parent))
                continue
            if self._dereferences(parent, relation):
                if not nested:
                    call.unguarded_uses.append(self.r.loc(parent))
                continue
            if self._neutral(parent, relation) or (nested and _local_default(parent, relation)):
                continue
            handled.add(name)
        for name in handled:
            variables[name].unguarded_uses.clear()

    def _dereferences(self, parent: Node, relation: str) -> bool:
        """Whether the identifier, as ``parent``'s ``relation``, is read in a way that throws on undefined."""
        kind = parent.type
        if kind in _MEMBERS and relation == "object":
            return not _optional(parent)
        if kind == "for_in_statement" and relation == "right":
            return any(child.type == "of" for child in parent.children)
        if kind == "variable_declarator" and relation == "value":
            target = parent.child_by_field_name("name")
            return target is not None and target.type in {"object_pattern", "array_pattern"}
        if kind == "spread_element":
            holder, _ = _estree_parent(parent)
            return holder is not None and holder.type in {"array", "call_expression", "new_expression"}
        return False

    def _neutral(self, parent: Node, relation: str) -> bool:
        """A dependency array entry or a ``console.*`` argument: says nothing about handling ``undefined``."""
        if parent.type == "array":
            holder, holder_relation = _estree_parent(parent)
            if holder is not None and holder.type == "call_expression" and holder_relation == "arguments":
                arguments = _arguments(holder) or []
                if len(arguments) > 1 and arguments[1].id == parent.id:
                    path = self._callee_path(holder)
                    return bool(path) and path[-1] in _DEPENDENCY_HOOKS
            return False
        if parent.type == "call_expression" and relation == "arguments":
            path = self._callee_path(parent)
            return bool(path) and len(path) == 2 and path[0] == "console"
        return False

    # Function references -------------------------------------------------------------------------

    def _ref(self, node: Node) -> Ref:
        """``extract.extractor.FileExtractor.function_ref`` (its reference and text) over tree-sitter nodes."""
        node = unparenthesised(node)  # type: ignore[assignment]
        resolved = self._resolve(node)
        path = self.r.member_path(resolved)
        text = ".".join(path) if path else self.r.original_text(node)
        if path and len(path) >= 3 and path[0] in {"api", "internal"}:
            source = self.facts.imports.get(path[0], ("", ""))[0]
            if path[0] in self.facts.imports and not source.endswith("_generated/api") \
                    and "_generated/api" not in source:
                return None, text
            return FunctionRef(path[0], "/".join(path[1:-1]), path[-1]), text  # type: ignore[arg-type]
        return None, text

    def _resolve(self, node: Node | None) -> Node | None:
        depth = 0
        while node is not None and node.type == "identifier" and depth < _MAX_DEPTH:
            found = self._binding(node, self.r.source_of(node))
            if found is None or found.init is None or found.destructured \
                    or found.kind not in {"const", "let", "var"} or self._is_reassigned(found, node):
                return node
            node = unparenthesised(found.init)
            depth += 1
        return node

    def _binding(self, at: Node, name: str) -> _Binding | None:
        node: Node | None = at
        while node is not None:
            bindings = self._bindings_of(node)
            if bindings is not None and name in bindings:
                return bindings[name]
            node = node.parent
        return None

    def _is_reassigned(self, binding: _Binding, at: Node) -> bool:
        if self._reassigned is None:
            self._reassigned = set()
            for write, name in self._writes():
                found = self._binding(write, name)
                if found is not None:
                    self._reassigned.add((found.scope, name))
        key = (binding.scope, self.r.source_of(at))
        return key in self._reassigned or key in self._duplicates

    def _writes(self) -> list[tuple[Node, str]]:
        writes: list[tuple[Node, str]] = []
        stack = [self.r.root]
        while stack:
            node = stack.pop()
            if node.type in {"assignment_expression", "augmented_assignment_expression"}:
                left = node.child_by_field_name("left")
                for identifier, _ in _pattern_names(left):
                    writes.append((node, self.r.source_of(identifier)))
            elif node.type == "update_expression":
                argument = node.child_by_field_name("argument")
                if argument is not None and argument.type == "identifier":
                    writes.append((node, self.r.source_of(argument)))
            stack.extend(node.named_children)
        return writes

    def _bindings_of(self, node: Node) -> dict[str, _Binding] | None:
        """The names the scope ``node`` opens declares, or None when it opens none."""
        kind = node.type
        if kind == "statement_block" and node.parent is not None and (
                node.parent.type in FUNCTION_TYPES or node.parent.type == "catch_clause"):
            return None  # a function's or catch clause's body shares its scope
        if kind not in FUNCTION_TYPES and kind not in _BLOCK_SCOPES and kind != "program":
            return None
        found = self._scopes.get(node.id)
        if found is not None:
            return found
        bindings: dict[str, _Binding] = {}
        scope = node.id

        def declare(name: str, kind: str, init: Node | None, destructured: bool) -> None:
            if name in bindings:
                self._duplicates.add((scope, name))
                return
            bindings[name] = _Binding(scope, kind, init, destructured)

        if kind in FUNCTION_TYPES:
            if kind in {"function_expression", "generator_function"}:
                own = node.child_by_field_name("name")
                if own is not None:
                    declare(self.r.source_of(own), "function", node, False)
            single = node.child_by_field_name("parameter")
            for param in [single] if single is not None else _params(node):
                target = param.child_by_field_name("pattern") if param.type in {
                    "required_parameter", "optional_parameter"} else param
                for identifier, destructured in _pattern_names(target):
                    declare(self.r.source_of(identifier), "param", None, destructured)
            body = node.child_by_field_name("body")
            if body is not None and body.type == "statement_block":
                self._block_declarations(body, declare)
            self._vars(body, declare)
        elif kind == "program":
            for statement in named_children(node):
                if statement.type == "import_statement":
                    clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
                    for identifier in _import_locals(clause):
                        declare(self.r.source_of(identifier), "import", None, False)
            self._block_declarations(node, declare)
            self._vars(node, declare)
        elif kind == "catch_clause":
            for identifier, destructured in _pattern_names(node.child_by_field_name("parameter")):
                declare(self.r.source_of(identifier), "catch", None, destructured)
            body = node.child_by_field_name("body")
            if body is not None:
                self._block_declarations(body, declare)
        elif kind == "for_statement":
            initializer = node.child_by_field_name("initializer")
            if initializer is not None and initializer.type == "lexical_declaration":
                self._declarators(initializer, declare)
        elif kind == "for_in_statement":
            loop_kind = node.child_by_field_name("kind")
            if loop_kind is not None and loop_kind.type in {"const", "let"}:
                for identifier, _ in _pattern_names(node.child_by_field_name("left")):
                    declare(self.r.source_of(identifier), "loop", None, True)
        elif kind == "switch_statement":
            body = node.child_by_field_name("body")
            for case in named_children(body):
                self._block_declarations(case, declare)
        else:  # statement_block
            self._block_declarations(node, declare)
        self._scopes[node.id] = bindings
        return bindings

    def _block_declarations(self, block: Node, declare: Declare) -> None:
        for statement in block.named_children:
            declaration = statement.child_by_field_name("declaration") \
                if statement.type == "export_statement" else statement
            if declaration is None:
                continue
            if declaration.type == "lexical_declaration":
                self._declarators(declaration, declare)
            elif declaration.type in _DECLARATIONS or declaration.type == "class_declaration":
                name = declaration.child_by_field_name("name")
                if name is not None:
                    declare(self.r.source_of(name), "function" if declaration.type in _DECLARATIONS else "class",
                            declaration, False)

    def _declarators(self, declaration: Node, declare: Declare) -> None:
        kind_node = declaration.child_by_field_name("kind")
        kind = kind_node.type if kind_node is not None else "var"
        if declaration.type == "variable_declaration":
            kind = "var"
        for declarator in named_children(declaration):
            if declarator.type != "variable_declarator":
                continue
            value = declarator.child_by_field_name("value")
            for identifier, destructured in _pattern_names(declarator.child_by_field_name("name")):
                declare(self.r.source_of(identifier), kind, value, destructured)

    def _vars(self, node: Node | None, declare: Declare) -> None:
        """``var`` declarations of a function or the module: anywhere in it but nested functions."""
        if node is None:
            return
        stack = list(node.named_children)
        while stack:
            current = stack.pop()
            if current.type in FUNCTION_TYPES or current.type == "class_declaration":
                continue
            if current.type == "variable_declaration":
                self._declarators(current, declare)
            elif current.type == "for_in_statement":
                loop_kind = current.child_by_field_name("kind")
                if loop_kind is not None and loop_kind.type == "var":
                    for identifier, _ in _pattern_names(current.child_by_field_name("left")):
                        declare(self.r.source_of(identifier), "loop", None, True)
            stack.extend(current.named_children)


# Tree helpers ------------------------------------------------------------------------------------


def _encoded(name: str) -> bytes:
    return name.encode("utf-8", errors="surrogatepass")


def _occurrences_in(data: bytes, node: Node, names: list[bytes]) -> list[tuple[int, int]]:
    """The byte spans where each of ``names`` occurs in ``node``'s text, overlaps included."""
    spans: list[tuple[int, int]] = []
    end = node.end_byte
    for name in names:
        if not name:
            continue
        at = data.find(name, node.start_byte, end)
        while at >= 0:
            spans.append((at, at + len(name)))
            at = data.find(name, at + 1, end)
    return spans


def _path(top: Node, node: Node | None) -> list[Node]:
    """The nodes from ``top`` down to ``node``, its descendant; empty when it is none."""
    path: list[Node] = []
    while node is not None:
        path.append(node)
        if node.id == top.id:
            path.reverse()
            return path
        node = node.parent
    return []


def _reached(path: list[Node]) -> list[tuple[Node, bool]]:
    """The nodes of ``path`` a component walk from its first node reaches, each with whether it is
    inside a nested function: the walk enters named children, but not an identifier, a leaf
    (``_LEAVES``) or an element's name, and below its start a function is a nested one."""
    if not path:
        return []
    reached = [(path[0], False)]
    nested = False
    for parent, child in pairwise(path):
        kind = parent.type
        if kind in _IDENTIFIERS or kind in _LEAVES:
            break
        if kind in _JSX_NAMED:  # an element's name is a JSXIdentifier in ESTree, no reference
            element = parent.child_by_field_name("name")
            if element is not None and element.id == child.id:
                break
        nested = nested or child.type in FUNCTION_TYPES
        reached.append((child, nested))
    return reached



def _outermost_parens(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _unwrap(node: Node | None) -> Node | None:
    """``js.unwrap``: parentheses and ``await`` looked through (ESTree's chains have no node here)."""
    while True:
        node = unparenthesised(node)
        if node is None or node.type != "await_expression":
            return node
        node = next((child for child in node.named_children if child.type != "comment"), None)


def _arguments(call: Node) -> list[Node] | None:
    """A call's arguments; None for a tagged template (ESTree's TaggedTemplateExpression)."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":
        return None
    return [unparenthesised(child) or child for child in named_children(arguments)]


def _tagged(call: Node) -> bool:
    return _arguments(call) is None


def _params(fn: Node) -> list[Node]:
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return [single]
    return named_children(fn.child_by_field_name("parameters"))


def _optional(member: Node) -> bool:
    return member.child_by_field_name("optional_chain") is not None


def _chain_is_optional(node: Node) -> bool:
    """Whether a member or call chain holds a ``?.``: ESTree wraps its top in a ChainExpression."""
    current: Node | None = node
    while current is not None:
        if current.type in _MEMBERS:
            if _optional(current):
                return True
            current = current.child_by_field_name("object")
        elif current.type == "call_expression":
            if any(child.type == "?." for child in current.children):
                return True
            current = current.child_by_field_name("function")
        else:
            return False
    return False


def _estree_parent(node: Node) -> tuple[Node | None, str]:
    """The node ESTree would give as ``node``'s parent, and the field ``node`` fills in it.

    Parentheses are looked through; ``arguments`` lists belong to their call; a member or call
    chain holding a ``?.`` has ESTree's ChainExpression above its top, given here as None.
    """
    if node.type in _MEMBERS or node.type == "call_expression":
        parent = node.parent
        top = parent is None or not (
            (parent.type in _MEMBERS and _is_field(parent, "object", node))
            or (parent.type == "call_expression" and _is_field(parent, "function", node)))
        if top and _chain_is_optional(node):
            return None, ""
    child = _outermost_parens(node)
    parent = child.parent
    if parent is None:
        return None, ""
    if parent.type == "arguments" and parent.parent is not None and parent.parent.type in {
            "call_expression", "new_expression"}:
        return parent.parent, "arguments"
    for field in ("object", "function", "name", "value", "right", "left", "index", "property"):
        if _is_field(parent, field, child):
            return parent, field
    return parent, ""


def _is_field(parent: Node, field: str, child: Node) -> bool:
    value = parent.child_by_field_name(field)
    return value is not None and value.id == child.id


def _local_default(parent: Node, relation: str) -> bool:
    """``x?.f``, ``x ?? d``, ``x || d``: handles ``undefined`` for that expression only."""
    if parent.type in _MEMBERS and relation == "object":
        return _optional(parent)
    if parent.type == "binary_expression" and relation == "left":
        operator = parent.child_by_field_name("operator")
        return operator is not None and operator.type in {"??", "||"}
    return False


def _returned_expressions(fn: Node) -> list[Node]:
    """An arrow's expression body, or the argument of each ``return`` of the function's own."""
    body = fn.child_by_field_name("body")
    if body is None:
        return []
    if body.type != "statement_block":
        return [unparenthesised(body) or body]
    found: list[Node] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            value = next((child for child in node.named_children if child.type != "comment"), None)
            if value is not None:
                found.append(unparenthesised(value) or value)
            continue
        if node.type in FUNCTION_TYPES:
            continue
        stack.extend(node.named_children)
    return found


def _renders_jsx(fn: Node) -> bool:
    body = fn.child_by_field_name("body")
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type in _JSX_ELEMENTS:
            return True
        stack.extend(node.named_children)
    return False


def _pattern_names(pattern: Node | None, destructured: bool = False) -> list[tuple[Node, bool]]:
    """(identifier, whether destructured) for each name a binding or assignment pattern declares."""
    if pattern is None:
        return []
    kind = pattern.type
    if kind in {"identifier", "shorthand_property_identifier_pattern"}:
        return [(pattern, destructured or kind != "identifier")]
    if kind == "parenthesized_expression":
        return _pattern_names(unparenthesised(pattern), destructured)
    if kind in {"object_pattern", "array_pattern", "rest_pattern", "assignment_pattern", "object_assignment_pattern",
                "pair_pattern"}:
        found: list[tuple[Node, bool]] = []
        for child in pattern.named_children:
            if kind in {"assignment_pattern", "object_assignment_pattern"} and _is_field(pattern, "right", child):
                continue
            if kind == "pair_pattern" and _is_field(pattern, "key", child):
                continue
            found.extend(_pattern_names(child, True))
        return found
    return []


def _import_locals(clause: Node | None) -> list[Node]:
    locals_: list[Node] = []
    for part in named_children(clause):
        if part.type == "identifier":
            locals_.append(part)
        elif part.type == "namespace_import":
            locals_.extend(c for c in part.named_children if c.type == "identifier")
        elif part.type == "named_imports":
            for spec in named_children(part):
                alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                if alias is not None and alias.type == "identifier":
                    locals_.append(alias)
    return locals_
