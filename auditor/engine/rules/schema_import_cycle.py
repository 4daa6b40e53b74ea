"""Schema read back by a module it imports.

What it flags:
    A module that `schema.ts` imports, directly or through other modules, and that imports a
    value from the schema module back and reads it while the module loads (at its top level,
    outside any function): `import schema from "./schema"` followed by
    `const fields = schema.tables.users.validator`, for example. Reported at that import.
    Reads inside functions run later, once both modules are loaded, and are not flagged;
    `import type` disappears at compile time and never counts.

Why it matters:
    ES modules run an import cycle in order: when `schema.ts` starts loading its dependency,
    its own `export default defineSchema(...)` has not run yet, so the dependency reads an
    uninitialised binding. Bundled for Convex, that is a `ReferenceError` (or `undefined`) at
    push time, and the deployment fails in a way that points nowhere near the cause.

Example:
    // convex/schema.ts
    import { messageFields } from "./model/messages";
    export default defineSchema({ messages: defineTable(messageFields) });
    // convex/model/messages.ts
    import schema from "../schema";
    export const messageFields = { body: v.string() };
    export const messageDoc = schema.tables.messages.validator;

Fix:
    Keep shared validators in a module that imports nothing from the schema (for example
    `convex/validators.ts`), import them from both sides, and read `schema.tables...` only in
    modules the schema does not import.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.imports import ImportGraph, reads_at_top_level
from auditor.engine.model import ModuleFacts, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/import-cycle", "error", "Schema read back by a module it imports")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    schemas = [module for module in project.modules.values() if module.schema is not None]
    if not schemas:
        return
    graph = ImportGraph(project)
    for schema in schemas:
        for path, chain in graph.reachable(schema.path).items():
            module = graph.module(path)
            if path == schema.path or module is None:
                continue
            yield from _reads_back(report, module, schema, chain, graph)


def _reads_back(report: RuleContext, module: ModuleFacts, schema: ModuleFacts, chain: list[str], graph: ImportGraph
                ) -> Iterator[Finding]:
    for edge in graph.edges(module.path):
        if edge.target != schema.path or not edge.locals:
            continue
        read = [name for name in edge.locals if reads_at_top_level(module, name)]
        if not read:
            continue
        route = " -> ".join([*chain, schema.path])
        yield report.at(
            edge.loc,
            f"{module.path} reads `{read[0]}` from the schema while loading, but the schema imports this module "
            f"({route}); the value is not initialised yet. Move the shared validators to a module the schema "
            "can import without a cycle.",
        )
