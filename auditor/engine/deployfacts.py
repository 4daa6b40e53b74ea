"""Facts about how Convex loads a module of the Convex folder, read from literals.

- ``"use node"`` directives that are not in the file's directive prologue (Convex reads only
  the prologue, as the parser reports it, so such a directive is ignored);
- registrar calls (``const list = query({...})``) assigned at the top level, neither exported
  nor referenced anywhere else in the file: Convex registers exports only;
- ``.paginate(args.x)`` calls of a registered handler, with the keys its ``args`` validator
  literally has, so a rule can tell when the pagination options are not declared.

Runs once per file during extraction (``collect_deploy_facts``); the facts hold no syntax node.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from auditor.engine.js import FUNCTION_TYPES, Node, callee_path, member_path, property_name, walk
from auditor.engine.model import PaginateRead, UnexportedRegistration

if TYPE_CHECKING:
    from auditor.engine.extract import FileExtractor

USE_NODE = "use node"


def collect_deploy_facts(x: FileExtractor) -> None:
    if USE_NODE in x.facts.source:
        _misplaced_use_node(x)
    _unexported_registrations(x)
    _paginate_reads(x)


def _misplaced_use_node(x: FileExtractor) -> None:
    prologue: set[int] = set()
    for statement in x.tree.body:
        if not _is_string_statement(statement):
            break
        prologue.add(id(statement))
    for node in walk(x.tree):
        if _is_string_statement(node) and node.expression.value == USE_NODE and id(node) not in prologue:
            x.facts.misplaced_use_node.append(x.loc(node))


def _is_string_statement(node: Node) -> bool:
    return node.type == "ExpressionStatement" and node.expression.type == "Literal" \
        and isinstance(node.expression.value, str)


def _unexported_registrations(x: FileExtractor) -> None:
    exported_locals = set(x.facts.exports.values())
    candidates: dict[str, tuple[str, Node]] = {}
    for statement in x.tree.body:
        if statement.type != "VariableDeclaration":
            continue
        for declarator in statement.declarations:
            init = declarator.init
            if declarator.id.type != "Identifier" or init is None or init.type != "CallExpression" \
                    or init.callee.type != "Identifier" or not init.arguments:
                continue
            name = declarator.id.name
            argument = init.arguments[0]
            if name in exported_locals or argument.type not in {"ObjectExpression", *FUNCTION_TYPES}:
                continue
            if argument.type == "ObjectExpression" and not any(
                    property_name(prop) == "handler" for prop in argument.properties if prop.type == "Property"):
                continue
            candidates[name] = (init.callee.name, declarator)
    if not candidates:
        return
    references: dict[str, int] = dict.fromkeys(candidates, 0)
    for node in walk(x.tree):
        if node.type == "Identifier" and node.name in references:
            references[node.name] += 1
    for name, (callee, declarator) in candidates.items():
        if references[name] == 1:  # the declaration itself
            x.facts.unexported_registrations.append(UnexportedRegistration(name, callee, x.loc(declarator)))


def exported_handlers(x: FileExtractor) -> Iterator[tuple[str, Node, dict[str | None, Node]]]:
    """(export name, handler function, spec properties) of each exported ``builder({...})`` or
    ``builder(handler)`` whose handler is a function of the file. The builder is not judged here:
    linking tells which registrations are Convex functions."""
    exported = {local: name for name, local in x.facts.exports.items()}
    for local, init in x.scope.consts.items():
        export_name = exported.get(local)
        if export_name is None or init.type != "CallExpression" or not init.arguments:
            continue
        spec = init.arguments[0]
        props: dict[str | None, Node] = {}
        handler: Node | None = spec
        if spec.type == "ObjectExpression":
            props = {property_name(prop): prop.value for prop in spec.properties if prop.type == "Property"}
            handler = x.resolve(props.get("handler"))
            if handler is not None and handler.type == "Identifier" and handler.name in x.scope.functions:
                handler = x.scope.functions[handler.name]
        if handler is not None and handler.type in FUNCTION_TYPES:
            yield export_name, handler, props


def _paginate_reads(x: FileExtractor) -> None:
    source = x.facts.source
    if "paginate" not in source and "\\u" not in source:
        return  # no walk of every handler for a call the text cannot hold (`\u` escapes can spell it)
    for export_name, handler, props in exported_handlers(x):
        if not props or len(handler.params) < 2:
            continue
        reads = _paginate_keys(x, handler)
        if not reads:
            continue
        keys = _literal_keys(x, props["args"]) if "args" in props else None
        for key, node in reads:
            anchor = node.callee.property if node.callee.type == "MemberExpression" else node
            x.facts.paginate_reads.append(PaginateRead(export_name, key, x.loc(anchor), "args" in props, keys))


def _paginate_keys(x: FileExtractor, handler: Node) -> list[tuple[str, Node]]:
    """(args key, call) for each ``.paginate(args.key)`` or ``.paginate(key)`` of a destructured argument.
    The handler's calls come from the file's one walk (``ScopeModel.within``)."""
    param = handler.params[1]
    if param.type == "AssignmentPattern":
        param = param.left
    whole: str | None = param.name if param.type == "Identifier" else None
    destructured: dict[str, str] = {}
    if param.type == "ObjectPattern":
        for prop in param.properties:
            if prop.type == "Property" and prop.value.type == "Identifier":
                key = property_name(prop)
                if key is not None:
                    destructured[prop.value.name] = key
    found: list[tuple[str, Node]] = []
    for node in x.scopes.within("CallExpression", handler.body):
        if not node.arguments:
            continue
        path = callee_path(node)
        callee = node.callee
        if not (path and path[-1] == "paginate") and not (
                callee.type == "MemberExpression" and not callee.computed
                and getattr(callee.property, "name", None) == "paginate"):
            continue
        argument = node.arguments[0]
        read = member_path(argument)
        if whole is not None and read is not None and len(read) == 2 and read[0] == whole:
            found.append((read[1], node))
        elif argument.type == "Identifier" and argument.name in destructured:
            found.append((destructured[argument.name], node))
    return found


def _literal_keys(x: FileExtractor, node: Node | None) -> frozenset[str] | None:
    """The keys an args validator literally has; None when a spread or a computed value may add more."""
    node = x.resolve(node)
    if node is not None and node.type == "CallExpression" and callee_path(node) == ["v", "object"] \
            and node.arguments:
        node = x.resolve(node.arguments[0])
    if node is None or node.type != "ObjectExpression":
        return None
    keys: set[str] = set()
    for prop in node.properties:
        name = property_name(prop) if prop.type == "Property" else None
        if name is None:
            return None
        keys.add(name)
    return frozenset(keys)


__all__ = ["collect_deploy_facts", "exported_handlers"]
