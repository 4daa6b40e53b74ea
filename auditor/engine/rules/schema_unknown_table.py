"""Table not defined in the schema.

What it flags:
    `ctx.db.query("t")`, `ctx.db.insert("t", ...)`, the table-first `ctx.db.get/patch/replace/
    delete("t", id, ...)` or `v.id("t")` (in the schema, in args or anywhere in the Convex
    folder) naming a table the project's schema does not define. The
    finding sits at the table name literal. Only when a schema exists; not when the schema
    may hold tables the auditor cannot see (a spread it cannot resolve), and never for system
    tables (`_storage`, `_scheduled_functions`). Files of a Convex component are checked
    against the component's own schema. A `v.id` handed to a project function that is no
    Convex builder (`inputHandler({ args: { agentId: v.id("agents") } })`, a game engine's own
    input validators stored as `v.any()`) is left alone: Convex may never apply it.

Why it matters:
    With a schema, Convex rejects documents for tables it does not define, so the insert fails
    at runtime; a query on an unknown table returns nothing, silently. Usually it is a typo or
    a table renamed in the schema but not in the code.

Example:
    // schema.ts defines "messages"
    await ctx.db.insert("message", { body });

Fix:
    Use the table name the schema defines, or add the table to `convex/schema.ts`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_for
from auditor.engine.model import ProjectFacts, SchemaFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/unknown-table", "error", "Table not defined in the schema")


def unknown_table(schema: SchemaFact | None, table: str | None) -> bool:
    """Whether a table name is certainly missing from a schema that describes every table."""
    if schema is None or schema.open or table is None or table.startswith("_"):
        return False
    return table not in schema.tables


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in project.bodies.values():
        schema = schema_for(project, body.path)
        for call in body.db_calls:
            if call.table_loc is not None and unknown_table(schema, call.table):
                yield report.at(call.table_loc, _message(call.table or "", f"`ctx.db.{call.method}`"), body=body)
    # The builders each module's functions use, gathered once: per module, the loop over every
    # function of the project grew with the square of its size.
    builders_by_path: dict[str, set[str]] = {}
    for function in project.functions.values():
        builders_by_path.setdefault(function.path, set()).add(function.builder)
    for module in project.modules.values():
        if not module.id_references:
            continue
        schema = schema_for(project, module.path)
        builders = builders_by_path.get(module.path, set()) | set(module.builder_defs)
        for reference in module.id_references:
            if reference.inside_call is not None and reference.inside_call not in builders:
                continue  # handed to a project function of its own: Convex may never apply it
            if unknown_table(schema, reference.table):
                yield report.at(reference.loc, _message(reference.table, "`v.id`"), enclosing=True)


def _message(table: str, where: str) -> str:
    return (f'{where} names the table "{table}", which the schema does not define; the call fails or finds '
            "nothing at runtime. Use a table defined in `schema.ts` or add it there.")
