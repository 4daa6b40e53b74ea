"""Validators (``v.*``, ``args``/``returns`` objects) and the static shapes of objects (keys and constant values)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from auditor.engine.extract.headers import AddedHeaders, binding_added
from auditor.engine.js import FUNCTION_TYPES, Node, callee_path, property_name, string_value, walk
from auditor.engine.model import FrozenDict, ObjectShape, Validator

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor


def collect_object_shapes(x: FileExtractor) -> None:
    """The shapes of top-level constants and of the objects top-level functions return."""
    for name, init in x.scope.consts.items():
        shape = object_shape(x, init)
        if shape is not None:
            x.facts.object_shapes[name] = shape
    for name, fn in x.scope.functions.items():
        returned = returned_object(fn)
        if returned is not None:
            shape = object_shape(x, returned)
            if shape is not None:
                x.facts.object_shapes[name] = shape


def object_shape(x: FileExtractor, node: Node | None, depth: int = 0) -> ObjectShape | None:
    holder = x.scopes.binding(node) if node is not None and node.type == "Identifier" else None
    node = x.resolve(node)
    if node is None or depth > 6:
        return None
    if node.type == "NewExpression" and node.callee.type == "Identifier" and node.callee.name == "Headers":
        shape = object_shape(x, node.arguments[0], depth + 1) if node.arguments else ObjectShape()
        if holder is not None and shape is not None:
            # A Headers held in a variable gets more names through its .set/.append calls.
            shape = with_added(shape, binding_added(x, holder))
        return shape
    if node.type == "CallExpression" and node.callee.type == "Identifier":
        name = node.callee.name
        if name in x.scope.functions:
            returned = returned_object(x.scope.functions[name])
            return object_shape(x, returned, depth + 1) if returned is not None else ObjectShape(opaque=True)
        if name in x.scope.imports and x.project_source(x.scope.imports[name][0]):
            return ObjectShape(refs=(x.scope.imports[name],))
        return None
    if node.type == "Identifier" and node.name in x.scope.imports:
        source, imported = x.scope.imports[node.name]
        if x.project_source(source):
            return ObjectShape(refs=((source, imported),))
        return ObjectShape(opaque=True)
    if node.type != "ObjectExpression":
        return None
    keys: set[str] = set()
    refs: list[tuple[str, str]] = []
    opaque = False
    values: dict[str, str] = {}  # in source order: a later key or spread overrides an earlier value
    for prop in node.properties:
        if prop.type == "SpreadElement":
            inner = object_shape(x, prop.argument, depth + 1)
            if inner is None or inner.opaque or inner.refs:
                values.clear()  # what the spread holds may override any earlier value
            if inner is None:
                opaque = True
            else:
                keys |= inner.keys
                refs.extend(inner.refs)
                opaque = opaque or inner.opaque
                for key in inner.keys:
                    values.pop(key, None)
                values.update(inner.values)
            continue
        name = property_name(prop)
        if name is None:
            opaque = True
            continue
        keys.add(name.lower())
        value = x.scopes.value(prop.value)
        if isinstance(value, str | bool):
            values[name.lower()] = str(value).lower() if isinstance(value, bool) else value
        else:
            values.pop(name.lower(), None)
    return ObjectShape(frozenset(keys), tuple(refs), opaque, tuple(values.items()))


def with_added(shape: ObjectShape, added: AddedHeaders | None) -> ObjectShape:
    """A shape with the headers ``set``/``append`` calls add to it (see headers.py)."""
    if added is None:
        return shape
    values = dict(shape.values)
    for name, value in added.values:
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    keys = shape.keys | {name for name, _ in added.values}
    return ObjectShape(keys, shape.refs, shape.opaque or added.open, tuple(values.items()))


def validator_fields(x: FileExtractor, node: Node | None) -> FrozenDict[str, Validator] | None:
    node = x.resolve(node)
    if node is None:
        return None
    if node.type == "CallExpression" and callee_path(node) == ["v", "object"] and node.arguments:
        node = x.resolve(node.arguments[0])
    if node is None or node.type != "ObjectExpression":
        return None
    fields: dict[str, Validator] = {}
    for prop in node.properties:
        if prop.type == "SpreadElement":
            inner = x.validator_fields(prop.argument)
            if inner:
                fields.update(inner)
            continue
        name = property_name(prop)
        if name is not None:
            fields[name] = validator(x, prop.value)
    return FrozenDict(fields)


def _fields_complete(x: FileExtractor, node: Node | None, depth: int = 0) -> bool:
    """Whether every field of an object of validators is read: no unresolved spread or computed key."""
    node = x.resolve(node)
    if node is not None and node.type == "CallExpression" and callee_path(node) == ["v", "object"] \
            and node.arguments:
        node = x.resolve(node.arguments[0])
    if node is None or node.type != "ObjectExpression" or depth > 8:
        return False
    for prop in node.properties:
        if prop.type == "SpreadElement":
            if not _fields_complete(x, prop.argument, depth + 1):
                return False
        elif property_name(prop) is None:
            return False
    return True


def validator(x: FileExtractor, node: Node | None, depth: int = 0) -> Validator:
    original = node
    node = x.resolve(node)
    if node is None or depth > 40:
        return Validator("unknown")
    loc = x.loc(original if original is not None else node)
    if node.type == "ObjectExpression":
        return Validator("object", fields=x.validator_fields(node) or FrozenDict(), loc=loc,
                         open=not _fields_complete(x, node))
    if node.type != "CallExpression":
        return Validator("unknown", loc=loc)
    path = callee_path(node)
    if path is None and node.callee.type == "MemberExpression":
        # Chained helpers like v.string().optional() are not Convex API; treat the base.
        return validator(x, node.callee.object, depth + 1)
    if not path or len(path) != 2 or path[0] not in {"v", "zid"}:
        return Validator("unknown", loc=loc)
    kind = path[1]
    args = node.arguments
    if kind == "id":
        return Validator("id", table=string_value(args[0]) if args else None, loc=loc)
    if kind == "object":
        fields = (x.validator_fields(args[0]) if args else None) or FrozenDict()
        return Validator("object", fields=fields, loc=loc, open=bool(args) and not _fields_complete(x, args[0]))
    if kind == "literal":
        literal = args[0] if args else None
        value = json.dumps(literal.value) if literal is not None and literal.type == "Literal" \
            and isinstance(literal.value, str | int | float | bool) else None
        return Validator("literal", loc=loc, value=value)
    if kind in {"optional", "array", "nullable"}:
        child = (validator(x, args[0], depth + 1),) if args else ()
        return Validator(kind, children=child, loc=loc)
    if kind == "union":
        return Validator("union", children=tuple(validator(x, arg, depth + 1) for arg in args), loc=loc)
    if kind == "record":
        return Validator("record", children=tuple(validator(x, arg, depth + 1) for arg in args), loc=loc)
    return Validator(kind, loc=loc)


def returned_object(fn: Node) -> Node | None:
    if fn.type == "ArrowFunctionExpression" and fn.expression:
        return fn.body
    for node in walk(fn.body):
        if node.type == "ReturnStatement" and node.argument is not None:
            return node.argument
        if node is not fn.body and node.type in FUNCTION_TYPES:
            continue
    return None
