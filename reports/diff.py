"""The difference between two audits of a repository: findings, routes, functions, tables, indexes.

New and fixed findings are projects.comparison's answer: stored with the newer audit when the
older one was its baseline, otherwise the same comparison for this pair. Inventory items are matched
by a key (a function's id, a route's method and path, a table's name, an index's table and name)
and count as changed when anything but their position in the file differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from projects import comparison
from projects.models import Audit, InventorySnapshot
from reports.deploysafety import DeploySafety, deploy_safety

# Where an item sits moves with every edit above it; that alone is not a change.
POSITION_KEYS = frozenset({"line", "path", "file"})


@dataclass
class ItemDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class AuditDiff:
    base: Audit
    head: Audit
    new_findings: list[Any]
    fixed_findings: list[Any]
    new_total: int
    fixed_total: int
    routes: ItemDiff
    functions: ItemDiff
    tables: ItemDiff
    indexes: ItemDiff
    deploy_safety: DeploySafety | None = None

    @property
    def sections(self) -> list[tuple[str, ItemDiff]]:
        return [
            ("HTTP routes", self.routes),
            ("Functions", self.functions),
            ("Tables", self.tables),
            ("Indexes", self.indexes),
        ]


def _comparable(item: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in item.items():
        if key in POSITION_KEYS:
            continue
        if isinstance(value, list):
            value = [_comparable(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def diff_items(
    before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]
) -> ItemDiff:
    old = {key(item): item for item in before}
    new = {key(item): item for item in after}
    result = ItemDiff()
    for k, item in new.items():
        if k not in old:
            result.added.append(item)
        elif _comparable(old[k]) != _comparable(item):
            result.changed.append((old[k], item))
    result.removed = [item for k, item in old.items() if k not in new]
    return result


def route_key(route: dict[str, Any]) -> tuple[str, str]:
    return (route.get("method") or "", route.get("path") or route.get("path_prefix") or "")


def _tables(inventory: InventorySnapshot | None) -> list[dict[str, Any]]:
    schema = inventory.schema if inventory else None
    return list((schema or {}).get("tables") or [])


def _without_indexes(inventory: InventorySnapshot | None) -> list[dict[str, Any]]:
    return [{k: v for k, v in table.items() if k != "indexes"} for table in _tables(inventory)]


def _indexes(inventory: InventorySnapshot | None) -> list[dict[str, Any]]:
    rows = []
    for table in _tables(inventory):
        for index in table.get("indexes") or []:
            rows.append({"table": table["name"], **index})
    return rows


def diff_audits(base: Audit, head: Audit) -> AuditDiff:
    """What changed from `base` to `head` (normally older to newer)."""
    # What the engine reported, as projects.comparison stored it (or compares this pair).
    findings = comparison.between(base, head)

    before, after = base.result_inventory(), head.result_inventory()
    return AuditDiff(
        base=base,
        head=head,
        new_findings=findings.new,
        fixed_findings=findings.fixed,
        new_total=findings.new_total,
        fixed_total=findings.fixed_total,
        routes=diff_items(
            before.http_routes if before else [], after.http_routes if after else [], route_key
        ),
        functions=diff_items(
            before.functions if before else [], after.functions if after else [], lambda f: f.get("id")
        ),
        # A table's indexes have their own section; here a table changes when its fields do.
        tables=diff_items(_without_indexes(before), _without_indexes(after), lambda t: t.get("name")),
        indexes=diff_items(_indexes(before), _indexes(after), lambda i: (i.get("table"), i.get("name"))),
        deploy_safety=deploy_safety(head, before, after),
    )

