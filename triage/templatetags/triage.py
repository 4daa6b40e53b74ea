"""For the audit pages: `{% load triage %}`.

- `{% triage_history finding %}`: the finding's triage state and history (a partial).
- `{% triage_counts audit %}`: open counts by severity, and how many are dismissed or ignored
  (the audit's stored counts, triage.state).
"""

from __future__ import annotations

from typing import Any

from django import template

from projects.models import Audit, Finding
from triage import services
from triage.models import TriageState

register = template.Library()


@register.inclusion_tag("triage/_history.html", takes_context=True)
def triage_history(context: template.Context, finding: Finding) -> dict[str, Any]:
    repository_id = finding.audit.repository_id
    return {
        "finding": finding,
        "state": services.state_of(repository_id, finding.fingerprint),
        "events": services.history(repository_id, finding.fingerprint),
        "states": TriageState,
        "request": context.get("request"),
    }


@register.inclusion_tag("triage/_counts.html")
def triage_counts(audit: Audit) -> dict[str, Any]:
    return {"counts": services.audit_counts(audit), "audit": audit}


@register.filter
def triage_label(state: str) -> str:
    if state == "ignored":
        return "Ignored by a rule"
    try:
        return TriageState(state).label
    except ValueError:
        return Finding.State(state).label if state in Finding.State.values else state
