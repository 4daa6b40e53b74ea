"""For the project list and audit pages: `{% load gates %}`. None of these writes, and the
list tags cost one query for the whole page (results are stored when each audit finishes).

- `{% gate_status audit %}`: a pill "Gate passed" / "Gate failed" (nothing without a result).
- `{% gate_statuses rows "last_done" as gates %}` then `{% gate_pill gates row.last_done %}`:
  the project list, one query for all rows (`rows` may hold audits, or objects/dicts whose
  attribute or key named by the second argument is an audit).
- `{% gate_status_of audit as status %}`: "passed", "failed" or None, to style things yourself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from gates import services
from projects.models import Audit

register = template.Library()


@register.inclusion_tag("gates/_status.html")
def gate_status(audit: Audit | None) -> dict[str, Any]:
    return {"result": services.result_for(audit), "audit": audit}


@register.simple_tag
def gate_statuses(rows: Iterable[Any], attribute: str = "") -> dict[int, str]:
    ids = []
    for row in rows:
        audit = row
        if attribute:
            audit = row.get(attribute) if isinstance(row, dict) else getattr(row, attribute, None)
        if audit is not None and getattr(audit, "pk", None):
            ids.append(audit.pk)
    return services.statuses_for(ids)


@register.inclusion_tag("gates/_status.html")
def gate_pill(statuses: dict[int, str], audit: Audit | None) -> dict[str, Any]:
    status = statuses.get(audit.pk) if audit is not None else None
    return {"status": status, "audit": audit}


@register.simple_tag
def gate_status_of(audit: Audit | None) -> str | None:
    result = services.result_for(audit)
    return result.status if result else None
