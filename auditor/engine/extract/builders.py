"""Names every part of extraction shares: Convex's function builders and what an import source is."""

from __future__ import annotations

from auditor.engine.js import Node

BASE_BUILDERS: dict[str, tuple[str, str]] = {
    "query": ("query", "public"),
    "mutation": ("mutation", "public"),
    "action": ("action", "public"),
    "internalQuery": ("query", "internal"),
    "internalMutation": ("mutation", "internal"),
    "internalAction": ("action", "internal"),
    "httpAction": ("httpAction", "public"),
    "queryGeneric": ("query", "public"),
    "mutationGeneric": ("mutation", "public"),
    "actionGeneric": ("action", "public"),
    "internalQueryGeneric": ("query", "internal"),
    "internalMutationGeneric": ("mutation", "internal"),
    "internalActionGeneric": ("action", "internal"),
    "httpActionGeneric": ("httpAction", "public"),
}
CUSTOM_BUILDER_FACTORIES = frozenset({
    "customQuery", "customMutation", "customAction",
    "zCustomQuery", "zCustomMutation", "zCustomAction",
})


def module_source_path(source: str) -> bool:
    return source.startswith(".") or source.startswith("/")


def is_generated_server(source: str) -> bool:
    return source.endswith("_generated/server") or source.endswith("_generated/server.js")


def declared_names(declaration: Node) -> list[str]:
    if declaration.type == "VariableDeclaration":
        return [d.id.name for d in declaration.declarations if d.id.type == "Identifier"]
    if declaration.type in {"FunctionDeclaration", "ClassDeclaration"} and declaration.id is not None:
        return [declaration.id.name]
    return []
