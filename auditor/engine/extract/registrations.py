"""Function registrations (``export const f = query({...})``) and custom builders (``customQuery``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.engine.extract.builders import BASE_BUILDERS, CUSTOM_BUILDER_FACTORIES, declared_names
from auditor.engine.js import FUNCTION_TYPES, Node, callee_path, object_properties
from auditor.engine.model import BuilderDef, Registration

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor


def collect_builder_defs(x: FileExtractor) -> None:
    for name, init in x.scope.consts.items():
        if init.type != "CallExpression" or init.callee.type != "Identifier":
            continue
        factory = init.callee.name
        imported = x.scope.imports.get(factory)
        factory_name = imported[1] if imported else factory
        if factory_name not in CUSTOM_BUILDER_FACTORIES or not init.arguments:
            continue
        base = init.arguments[0]
        if base.type != "Identifier":
            continue
        context_body = None
        if len(init.arguments) > 1:
            context_fn = _custom_context_function(x, init.arguments[1])
            if context_fn is not None:
                context_key = f"{x.path}#{name}.ctx"
                x.facts.bodies[f"{name}.ctx"] = x.analyse_body(context_fn, context_key, f"{name} context",
                                                                     ctx_names=set())
                context_body = context_key
        x.facts.builder_defs[name] = BuilderDef(name, base.name, x.loc(init), context_body)


def _custom_context_function(x: FileExtractor, node: Node) -> Node | None:
    node = x.resolve(node)
    if node is None:
        return None
    if node.type in FUNCTION_TYPES:
        return node
    if node.type == "CallExpression" and node.arguments:
        path = callee_path(node)
        if path and path[-1] == "customCtx":
            inner = x.resolve(node.arguments[0])
            return inner if inner is not None and inner.type in FUNCTION_TYPES else None
    if node.type == "ObjectExpression":
        props = object_properties(node)
        inner = x.resolve(props.get("input"))
        return inner if inner is not None and inner.type in FUNCTION_TYPES else None
    return None


def collect_registrations(x: FileExtractor) -> None:
    # One local can be exported under several names (`export const run = ...; export default run;`):
    # Convex registers it under each of them.
    exported_locals: dict[str, list[str]] = {}
    for exported_name, local_name in x.facts.exports.items():
        exported_locals.setdefault(local_name, []).append(exported_name)
    for local, init in x.scope.consts.items():
        for exported in exported_locals.get(local, ()):
            _collect_registration(x, local, exported, init)


def _collect_registration(x: FileExtractor, local: str, exported: str, init: Node) -> None:
    declaration = _export_statement_for(x, local)
    conditional = False
    call = init
    if call.type == "ConditionalExpression":
        conditional = True
        call = call.consequent if call.consequent.type == "CallExpression" else call.alternate
    if call.type == "LogicalExpression":
        conditional = True
        call = call.right
    if call.type != "CallExpression" or call.callee.type != "Identifier" or not call.arguments:
        return
    registration = _registration(x, exported, call, declaration or init, conditional)
    if registration is not None:
        x.facts.registrations.append(registration)


def _export_statement_for(x: FileExtractor, local: str) -> Node | None:
    for statement in x.tree.body:
        if statement.type == "ExportNamedDeclaration" and statement.declaration is not None \
                and local in declared_names(statement.declaration):
            return statement
        if statement.type == "ExportDefaultDeclaration" and local == "default":
            return statement
    for statement in x.tree.body:
        if statement.type == "VariableDeclaration" and local in declared_names(statement):
            return statement
    return None


def _registration(x: FileExtractor, exported: str, call: Node, anchor: Node, conditional: bool) -> Registration | None:
    argument = call.arguments[0]
    callee = call.callee.name
    builder_name = x.scope.imports.get(callee, ("", callee))[1]
    known_builder = (builder_name in BASE_BUILDERS or callee in x.facts.builder_defs
                     or (callee in x.scope.imports and x.project_source(x.scope.imports[callee][0])))
    if not known_builder:
        return None
    loc = x.loc(anchor)
    key = f"{x.path}#export:{exported}"
    if argument.type in FUNCTION_TYPES:
        body = x.analyse_body(argument, key, exported, ctx_names=set())
        x.facts.bodies[f"export:{exported}"] = body
        return Registration(exported, callee, loc, "function", key, conditional=conditional)
    spread = any(prop.type == "SpreadElement" for prop in argument.properties) \
        if argument.type == "ObjectExpression" else False
    if argument.type != "ObjectExpression":
        return None
    props = object_properties(argument)
    handler = props.get("handler")
    if handler is None:
        return None
    found: dict[str, Any] = {}  # the Registration's other fields, as they are found
    resolved_handler = x.resolve(handler)
    if resolved_handler is not None and resolved_handler.type in FUNCTION_TYPES:
        body = x.analyse_body(resolved_handler, key, exported, ctx_names=set())
        x.facts.bodies[f"export:{exported}"] = body
        found["body_key"] = key
    elif handler.type == "Identifier" and handler.name in x.scope.functions:
        found["body_key"] = f"{x.path}#{handler.name}"
    elif handler.type == "Identifier" and handler.name in x.scope.imports:
        found["handler_ref"] = x.scope.imports[handler.name]
    if "args" in props:
        found["has_args"] = True
        found["args_loc"] = x.loc(props["args"])
        found["args"] = x.validator_fields(props["args"])
        found["args_validator"] = x.validator(props["args"])
    if "returns" in props:
        found["has_returns"] = True
        found["returns"] = x.validator(props["returns"])
    return Registration(exported, callee, loc, "object", found.pop("body_key", None), conditional=conditional,
                        options_spread=spread, **found)
