"""Strings (literals, templates, ``+`` chains, with the deployment URLs folded in) and ``v.id`` references."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from auditor.engine.extract.builders import BASE_BUILDERS
from auditor.engine.js import Node, callee_path, member_path, property_name_of_member, string_value
from auditor.engine.model import IdReference, StringFact

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor

CONVEX_URL_VARS = frozenset({"NEXT_PUBLIC_CONVEX_URL", "VITE_CONVEX_URL", "CONVEX_URL",
                             "EXPO_PUBLIC_CONVEX_URL", "PUBLIC_CONVEX_URL", "REACT_APP_CONVEX_URL",
                             "CONVEX_CLOUD_URL"})
# A constant worth folding into the URLs built from it: a bare origin (`https://x.convex.cloud`).
URL_TEXT = re.compile(r"(?:https?:)?//[^/\s]+/?$")


def collect_strings_and_ids(x: FileExtractor) -> None:
    strings = x.facts.strings
    inner_plus: set[int] = set()  # `+` inside a chain whose outermost `+` is read
    for node in x.by_type["TemplateLiteral"]:
        strings.append(_template_fact(x, node))
    for node in x.by_type["Literal"]:
        if isinstance(node.value, str):
            strings.append(StringFact(node.value, x.loc(node), parts=(("text", node.value),)))
    for node in x.by_type["BinaryExpression"]:
        # The outermost `+` of a chain (its parent is no `+`) is read once, with every operand.
        if node.operator == "+" and id(node) not in inner_plus:
            parts, built = _concat_parts(x, node, inner_plus)
            if built:
                value = "".join(text if kind == "text" else "${}" for kind, text in parts)
                strings.append(StringFact(value, x.loc(node), parts=tuple(parts), is_template=True))
    strings.sort(key=lambda fact: (fact.loc.line, fact.loc.column))
    if x.module is None:
        return
    spans: list[tuple[int, int, str]] | None = None  # see _enclosing_call, worked out on first need
    for node in x.by_type["CallExpression"]:
        if node.arguments and callee_path(node) == ["v", "id"]:
            table = string_value(node.arguments[0])
            if table is not None:
                if spans is None:
                    spans = _call_spans(x)
                x.facts.id_references.append(
                    IdReference(table, x.loc(node.arguments[0]), _enclosing_call(spans, node)))


def _call_spans(x: FileExtractor) -> list[tuple[int, int, str]]:
    """(start, end, callee) of each call to a plain function: not defineTable/defineSchema, not a Convex builder."""
    return [(call._start, call._end, call.callee.name) for call in x.by_type["CallExpression"]
            if call.callee.type == "Identifier" and call.arguments
            and call.callee.name not in {"defineTable", "defineSchema", *BASE_BUILDERS}]


def _enclosing_call(spans: list[tuple[int, int, str]], node: Node) -> str | None:
    """The innermost of the plain calls (``_call_spans``) whose arguments hold ``node``."""
    start, end = node._start, node._end
    inside = [span for span in spans if span[0] < start and end <= span[1]]
    return max(inside, key=lambda span: span[0])[2] if inside else None


def _template_fact(x: FileExtractor, node: Node) -> StringFact:
    parts: list[tuple[str, str]] = []
    for index, quasi in enumerate(node.quasis):
        parts.append(("text", quasi.value.cooked or ""))
        if index < len(node.expressions):
            parts.append(url_part(x, node.expressions[index]))
    value = "".join(text if kind == "text" else "${}" for kind, text in parts)
    return StringFact(value, x.loc(node), parts=tuple(parts), is_template=True)


def _concat_parts(x: FileExtractor, node: Node, inner_plus: set[int]) -> tuple[list[tuple[str, str]], bool]:
    """The operands of a ``+`` chain as parts, and whether any is not a literal (a string built in code)."""
    operands: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "BinaryExpression" and current.operator == "+":
            if current is not node:
                inner_plus.add(id(current))
            stack.append(current.right)
            stack.append(current.left)
        else:
            operands.append(current)
    parts: list[tuple[str, str]] = []
    built = False
    for operand in operands:
        value = string_value(operand)
        built = built or value is None
        parts.append(("text", value) if value is not None else url_part(x, operand))
    return parts, built


def url_part(x: FileExtractor, node: Node) -> tuple[str, str]:
    """A template or ``+`` operand: a URL constant folded into the text (``const BASE =
    "https://x.convex.cloud"``, also through other constants), else the kind of URL it is."""
    text = _const_url(x, node)
    return ("text", text) if text is not None else ("expr", _url_kind(x, node))


def _const_url(x: FileExtractor, node: Node | None, depth: int = 0) -> str | None:
    if node is None or depth > 6 or node.type != "Identifier" or node.name not in x.local_consts \
            or node.name in x.ambiguous_consts:
        return None
    init = x.local_consts[node.name]
    value = string_value(init)
    if value is None:
        return _const_url(x, init, depth + 1)
    return value if URL_TEXT.match(value) else None


def _url_kind(x: FileExtractor, node: Node, depth: int = 0) -> str:
    """Whether an expression is the deployment URL (.convex.cloud) or its .convex.site rewrite."""
    if depth > 6 or node is None:
        return "other"
    if node.type in {"TSNonNullExpression", "ChainExpression"}:
        return _url_kind(x, node.expression, depth + 1)
    if node.type == "Identifier" and node.name in x.local_consts and node.name not in x.ambiguous_consts:
        return _url_kind(x, x.local_consts[node.name], depth + 1)
    if node.type == "LogicalExpression":
        return _url_kind(x, node.left, depth + 1)
    path = member_path(node)
    if path is None and node.type == "MemberExpression" and node.object.type == "MemberExpression":
        # import.meta.env.VITE_CONVEX_URL: the root is a MetaProperty, not an identifier.
        path = ["import.meta", property_name_of_member(node.object) or "", property_name_of_member(node) or ""]
    if path and len(path) >= 3 and path[-1] in CONVEX_URL_VARS and path[-2] == "env":
        return "convex_cloud_url"
    if path and (path[-1] == "CONVEX_SITE_URL" or path[-1].endswith("_CONVEX_SITE_URL")):
        return "convex_site_url"
    if node.type == "CallExpression" and node.callee.type in {"MemberExpression", "ChainExpression"}:
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        method = property_name_of_member(callee)
        if method in {"replace", "replaceAll"} and len(node.arguments) >= 2:
            replaced = string_value(node.arguments[1]) or ""
            if ".site" in replaced:
                return "convex_site_url"
        return _url_kind(x, callee.object, depth + 1) if method in {"trim", "toString"} else "other"
    return "other"
