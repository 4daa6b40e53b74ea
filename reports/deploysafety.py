"""Deploy safety: the schema and API changes between two audits that break a deploy or deployed clients.

The engine's compat comparison (auditor.engine.compat.compare) run on the inventories stored with
two audits, so the history diff and the digests show the same changes the compat/* rules report,
for any pair of audits. An inventory stored before the engine recorded validators cannot be
compared; the section then says so instead of showing nothing as if all were safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.engine.compat import BaselineError, Change, Inventory, compare
from auditor.engine.rules import rule_by_id
from projects.models import Audit, InventorySnapshot

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class SafetyItem:
    rule: str
    severity: str
    subject: str  # "users.plan" or "messages:send"
    message: str


@dataclass
class DeploySafety:
    items: list[SafetyItem] = field(default_factory=list)
    available: bool = True  # False: an inventory predates the validators the comparison needs

    @property
    def empty(self) -> bool:
        return not self.items


def _inventory(snapshot: InventorySnapshot | None) -> Inventory | None:
    if snapshot is None:
        return None
    return Inventory.from_report({"inventory": {"functions": snapshot.functions, "schema": snapshot.schema}})


def _item(change: Change) -> SafetyItem:
    rule = rule_by_id(change.rule)
    subject = change.function or ".".join(part for part in (change.table, change.field) if part)
    return SafetyItem(change.rule, rule.severity if rule else "warning", subject, change.message)


def deploy_safety(head: Audit, base_snapshot: InventorySnapshot | None,
                  head_snapshot: InventorySnapshot | None) -> DeploySafety:
    """The unsafe changes from the older inventory to the newer, ``head``'s."""
    try:
        before, after = _inventory(base_snapshot), _inventory(head_snapshot)
    except BaselineError:
        return DeploySafety(available=False)
    if before is None or after is None:
        return DeploySafety(available=False)
    # Files the newer audit could not parse: functions in them are not known to be gone.
    unread = frozenset(head.result.findings.filter(rule="engine/parse-error").values_list("path", flat=True))
    items = [_item(change) for change in compare(before, after, unread=unread)]
    items.sort(key=lambda item: (SEVERITY_ORDER.get(item.severity, 3), item.rule, item.subject))
    return DeploySafety(items)
