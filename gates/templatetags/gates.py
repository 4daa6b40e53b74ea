"""For the project list and audit pages: `{% load gates %}`.

- `{% gate_status audit %}`: a pill "Gate passed" / "Gate failed" (nothing when there is no result).
- `{% gate_status_of audit as status %}`: "passed", "failed" or None, to style things yourself.
- `{% gate_badge_url repository %}`: the signed, login-free SVG badge path.
"""

from __future__ import annotations

from typing import Any

from django import template

from gates import services
from projects.models import Audit, Repository

register = template.Library()


@register.inclusion_tag("gates/_status.html")
def gate_status(audit: Audit | None) -> dict[str, Any]:
    result = services.result_for(audit)
    return {"result": result, "audit": audit}


@register.simple_tag
def gate_status_of(audit: Audit | None) -> str | None:
    return services.status_for(audit)


@register.simple_tag
def gate_badge_url(repository: Repository) -> str:
    return services.badge_path(repository)
