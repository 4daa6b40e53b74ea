"""Headers a handler adds at runtime: ``headers.set(...)``/``append(...)`` on a ``new Headers()``
variable, or on the ``headers`` of a ``Response`` held in a variable (``response.headers.set(...)``).

The CORS rules read a response's header names and constant values. A ``Headers`` object or a
response held in a variable gets the names its ``set``/``append`` calls give it in the file. It
stays open (names unknown) when a call names a header the extractor cannot read, or when the
variable is handed to a function (which may set more), or is reassigned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditor.engine.js import Node, callee_path, property_name_of_member

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor
    from auditor.engine.scope import Binding

_ADDING = frozenset({"set", "append"})
_CONSTRUCTORS = (["Response"], ["Response", "json"], ["Headers"])


@dataclass(slots=True)
class AddedHeaders:
    """What the ``set``/``append`` calls of one variable add, in source order."""

    values: list[tuple[str, str | None]] = field(default_factory=list)  # (lower-cased name, constant value)
    open: bool = False


def added_headers(x: FileExtractor) -> dict[int, AddedHeaders]:
    """``id()`` of a binding -> what its ``set``/``append`` calls add; worked out once per file."""
    cached: dict[int, AddedHeaders] | None = getattr(x, "_added_headers", None)
    if cached is not None:
        return cached
    found: dict[int, AddedHeaders] = {}
    for call in x.by_type["CallExpression"]:
        callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
        if callee.type == "MemberExpression" and property_name_of_member(callee) in _ADDING:
            holder = _holder(x, callee.object)
            if holder is not None:
                added = found.setdefault(id(holder), AddedHeaders())
                name = x.scopes.value(call.arguments[0]) if call.arguments else None
                value = x.scopes.value(call.arguments[1]) if len(call.arguments) > 1 else None
                if not isinstance(name, str):
                    added.open = True
                else:
                    text = str(value).lower() if isinstance(value, bool) else value if isinstance(value, str) else None
                    added.values.append((name.lower(), text))
                continue
        if callee_path(call) in _CONSTRUCTORS:
            continue
        for argument in call.arguments:  # handed on: the function may set more
            holder = x.scopes.binding(argument) if argument.type == "Identifier" else None
            if holder is not None:
                found.setdefault(id(holder), AddedHeaders()).open = True
    x._added_headers = found  # type: ignore[attr-defined]
    return found


def _holder(x: FileExtractor, target: Node) -> Binding | None:
    """The variable whose headers ``target`` is: ``headers`` itself, or ``response.headers``."""
    if target.type == "MemberExpression" and property_name_of_member(target) == "headers":
        target = target.object
    return x.scopes.binding(target) if target.type == "Identifier" else None


def binding_added(x: FileExtractor, binding: Binding | None) -> AddedHeaders | None:
    """What is added to a variable's headers, None when nothing is; open when it is reassigned."""
    if binding is None:
        return None
    added = added_headers(x).get(id(binding))
    if added is not None and binding.reassigned:
        return AddedHeaders(added.values, True)
    return added


def response_added(x: FileExtractor, response: Node) -> AddedHeaders | None:
    """What ``set``/``append`` calls add to the headers of a response bound to a variable
    (``const res = new Response(...); res.headers.set(...)``)."""
    bound: dict[int, Binding] | None = getattr(x, "_response_bindings", None)
    if bound is None:
        bound = {}
        for declarator in x.by_type["VariableDeclarator"]:
            init = declarator.init
            while init is not None and init.type in {"AwaitExpression", "TSAsExpression", "TSNonNullExpression"}:
                init = getattr(init, "argument", None) or init.expression
            if init is not None and declarator.id.type == "Identifier":
                binding = x.scopes.binding(declarator.id)
                if binding is not None:
                    bound[id(init)] = binding
        x._response_bindings = bound  # type: ignore[attr-defined]
    return binding_added(x, bound.get(id(response)))


__all__ = ["AddedHeaders", "added_headers", "binding_added", "response_added"]
