"""Module-level facts of a Convex file: runtime imports, ``v.*`` validator calls, ``process.env``
reads, and the non-deterministic calls a body makes.

Imports are the ones that survive compilation: type-only imports are blanked by the parser, an
``import { type A } from "x"`` left with no value specifier is dropped, and in TypeScript files an
import none of whose names is used as a value is dropped too, as TypeScript and esbuild drop it
(``import { Stripe } from "stripe"`` used only in type positions). ``require("x")`` and
``import("x")`` count too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.engine.js import Node, callee_path, member_path, string_value, walk

if TYPE_CHECKING:
    from auditor.engine.extract import FileExtractor

# Node built-ins that no same-named npm polyfill stands in for in a browser-like bundle; any
# "node:" import counts as well.
NODE_BUILTINS = frozenset({
    "fs", "fs/promises", "child_process", "crypto", "net", "tls", "http", "https", "http2", "os", "dns",
    "dns/promises", "cluster", "dgram", "worker_threads", "zlib", "vm", "v8", "perf_hooks", "async_hooks",
    "readline", "repl", "inspector", "module", "tty", "wasi", "diagnostics_channel", "trace_events",
    "stream/promises", "timers/promises",
})
# Calls whose result differs on every run.
RANDOM_GLOBAL_CALLS = frozenset({("Math", "random"), ("crypto", "randomUUID"), ("crypto", "getRandomValues")})
RANDOM_LIBRARY_CALLS = {
    "uuid": frozenset({"v1", "v4", "v6", "v7"}),
    "nanoid": frozenset({"nanoid"}),
    "crypto": frozenset({"randomUUID", "randomBytes", "randomInt", "getRandomValues"}),
    "node:crypto": frozenset({"randomUUID", "randomBytes", "randomInt", "getRandomValues"}),
}


def is_node_builtin(source: str) -> bool:
    return source.startswith("node:") or source in NODE_BUILTINS


def _value_names(x: FileExtractor) -> set[str]:
    """Identifiers used outside import declarations (types are blanked, so these are value uses)."""
    # The file's one walk has every identifier already; those of the import declarations are
    # told apart by identity (the declarations are small, the rest of the file is not).
    in_imports = {id(node) for statement in x.tree.body if statement.type == "ImportDeclaration"
                  for node in walk(statement)}
    return {node.name for kind in ("Identifier", "JSXIdentifier") for node in x.by_type[kind]
            if id(node) not in in_imports}


def collect_module_uses(x: FileExtractor) -> None:
    facts = x.facts
    typescript = x.path.endswith((".ts", ".tsx", ".mts", ".cts"))
    used: set[str] | None = None
    for statement in x.tree.body:
        kind = statement.type
        if kind == "ImportDeclaration":
            if not statement.specifiers and "{" in x.text(statement):
                continue  # only type specifiers were there: the import is erased
            if typescript and statement.specifiers:
                used = _value_names(x) if used is None else used
                if not any(spec.local.name in used for spec in statement.specifiers):
                    continue  # used only as types: TypeScript and esbuild drop it
            facts.import_sites.append((statement.source.value, x.loc(statement)))
        elif kind in {"ExportNamedDeclaration", "ExportAllDeclaration"} and statement.source is not None:
            facts.import_sites.append((statement.source.value, x.loc(statement)))
    validator_names = {local for local, (source, name) in facts.imports.items()
                       if source == "convex/values" and name == "v"}
    for node in x.by_type["CallExpression"]:
        callee = node.callee
        if callee.type == "Import" or (callee.type == "Identifier" and callee.name == "require"
                                       and "require" not in x.local_consts):
            source = string_value(node.arguments[0]) if node.arguments else None
            if source is not None:
                facts.import_sites.append((source, x.loc(node)))
            continue
        if validator_names:
            path = callee_path(node)
            if path and len(path) == 2 and path[0] in validator_names:
                facts.validator_calls.append((path[1], x.loc(node)))
    if "process" in facts.source:
        for node in x.by_type["MemberExpression"]:
            if not node.computed and node.object.type == "Identifier" \
                    and node.object.name == "process" and node.property.type == "Identifier" \
                    and node.property.name == "env" and "process" not in x.local_consts:
                facts.process_env.append(x.loc(node))
    facts.import_sites.sort(key=lambda site: (site[1].line, site[1].column))


def random_call(x: FileExtractor, callee: Node) -> str | None:
    """The name of a non-deterministic call (``Math.random``, ``crypto.randomUUID``, uuid's ``v4``)."""
    path = member_path(callee)
    if not path:
        return None
    if len(path) == 2 and (path[0], path[1]) in RANDOM_GLOBAL_CALLS and path[0] not in x.scope.imports \
            and path[0] not in x.local_consts:
        return ".".join(path)
    imported = x.scope.imports.get(path[0])
    if imported is None:
        return None
    source, name = imported
    method = name if len(path) == 1 else (path[1] if name in {"*", "default"} and len(path) == 2 else None)
    if method is not None and method in RANDOM_LIBRARY_CALLS.get(source, ()):
        return f"{source}:{method}"
    return None


__all__ = ["NODE_BUILTINS", "collect_module_uses", "is_node_builtin", "random_call"]
