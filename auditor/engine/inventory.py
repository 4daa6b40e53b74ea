"""The inventories every audit produces: functions, HTTP routes, schema map, index map, crons."""

from __future__ import annotations

from typing import Any

from auditor.engine.compat import args_shape, validator_shape
from auditor.engine.derive import (
    function_checks_auth,
    route_checks_auth,
    route_cors,
    route_has_preflight,
    unused_indexes,
)
from auditor.engine.model import ProjectFacts, Validator


def build_inventory(project: ProjectFacts) -> dict[str, Any]:
    return {
        "functions": _functions(project),
        "http_routes": _routes(project),
        "schema": _schema(project),
        "index_map": _index_map(project),
        "crons": [
            {"name": cron.name, "schedule": cron.schedule, "details": cron.details,
             "target": str(cron.target) if cron.target else cron.target_text,
             "path": cron.loc.path, "line": cron.loc.line}
            for cron in project.crons
        ],
    }


def _functions(project: ProjectFacts) -> list[dict[str, Any]]:
    rows = []
    for function in sorted(project.functions.values(), key=lambda f: f.function_id):
        rows.append({
            "id": function.function_id,
            "module": function.module,
            "name": function.name,
            "kind": function.kind,
            "visibility": function.visibility,
            "builder": function.builder,
            "syntax": function.syntax,
            "path": function.path,
            "line": function.loc.line,
            "has_args": function.has_args,
            "args": {name: v.type_label() + ("?" if v.optional else "") for name, v in (function.args or {}).items()},
            "has_returns": function.has_returns,
            "returns": function.returns.type_label() if function.returns else None,
            "args_shape": args_shape(function.args_validator),
            "auth_checked": function_checks_auth(project, function),
        })
    return rows


def _routes(project: ProjectFacts) -> list[dict[str, Any]]:
    return [
        {
            "method": route.method,
            "path": route.path,
            "path_prefix": route.path_prefix,
            "handler": route.handler_label,
            "file": route.loc.path,
            "line": route.loc.line,
            "cors": route_cors(project, route),
            "preflight": route_has_preflight(project, route),
            "auth": route_checks_auth(project, route),
        }
        for route in project.routes
    ]


def _schema(project: ProjectFacts) -> dict[str, Any] | None:
    schema = project.schema
    if schema is None:
        return None
    return {
        "path": schema.path,
        "line": schema.loc.line,
        "open": schema.open,
        "validation": schema.validation,
        "unread_spreads": list(schema.unread_spreads),
        "tables": [
            {
                "name": table.name,
                "path": table.loc.path,  # a table spread in from another module is defined there
                "line": table.loc.line,
                "opaque": table.opaque,
                "document": None if table.opaque or table.document is None else validator_shape(table.document),
                "fields": [
                    {"name": f.name, "type": f.validator.type_label(), "optional": f.optional,
                     "references": _reference(f.validator)}
                    for f in table.fields.values()
                ],
                "indexes": [
                    {"name": i.name, "kind": i.kind, "fields": i.fields, "filter_fields": i.filter_fields,
                     "line": i.loc.line}
                    for i in table.indexes
                ],
            }
            for table in schema.tables.values()
        ],
        "references": [
            {"from": from_table, "field": field_name, "to": to_table, "line": loc.line}
            for from_table, field_name, to_table, loc in schema.id_references
        ],
    }


def _reference(validator: Validator) -> str | None:
    inner = validator.inner
    if inner.kind == "id":
        return inner.table
    if inner.kind == "array" and inner.children and inner.children[0].kind == "id":
        return inner.children[0].table
    return None


def _index_map(project: ProjectFacts) -> dict[str, Any]:
    schema = project.schema
    used: dict[tuple[str, str], list[dict[str, Any]]] = {}
    missing: list[dict[str, Any]] = []
    unindexed: list[dict[str, Any]] = []
    for function in project.functions.values():
        for body in project.function_bodies(function):
            for call in body.db_calls:
                if call.method != "query" or call.table is None:
                    continue
                if call.index is not None:
                    use = {"function": function.function_id, "path": call.loc.path, "line": call.loc.line}
                    used.setdefault((call.table, call.index), []).append(use)
                    table = schema.tables.get(call.table) if schema else None
                    if table is not None and not table.opaque and table.index_named(call.index) is None:
                        missing.append({"table": call.table, "index": call.index, "function": function.function_id,
                                        "path": call.loc.path, "line": call.loc.line})
                else:
                    unindexed.append({"table": call.table, "function": function.function_id,
                                      "path": call.loc.path, "line": call.loc.line,
                                      "filter_fields": call.filter_fields})
    indexes = []
    unused = []
    # The same definition as schema/unused-index: a name mentioned anywhere in Convex code counts.
    unused_keys = {(index.table, index.name) for index in unused_indexes(project)}
    if schema is not None:
        for table in schema.tables.values():
            for index in table.indexes:
                users = _dedupe(used.get((table.name, index.name), []))
                # One fact for the summary, the row and schema/unused-index: an index no function
                # reaches directly may still be used (through a helper, a constant, a library).
                indexes.append({"table": table.name, "name": index.name, "kind": index.kind, "fields": index.fields,
                                "path": index.loc.path, "line": index.loc.line, "used_by": users,
                                "unused": (table.name, index.name) in unused_keys})
                if (table.name, index.name) in unused_keys:
                    unused.append({"table": table.name, "name": index.name, "line": index.loc.line})
    return {"indexes": indexes, "unused": unused, "missing": _dedupe(missing), "unindexed_queries": _dedupe(unindexed)}


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    result = []
    for row in rows:
        key = tuple(sorted((k, str(v)) for k, v in row.items()))
        if key not in seen:
            seen.add(key)
            result.append(row)
    return result
