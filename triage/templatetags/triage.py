"""For the audit pages: `{% load triage %}`.

- `{% triage_history finding %}`: the finding's triage state and history (a partial).
- `{% triage_counts audit [dismissal] %}`: open counts by severity, and how many are triaged or
  ignored (pass the repository's dismissal when the view has it, to save its two queries).
- `{{ finding|triage_reason:dismissal }}`: per finding in a list, with the repository's
  `triage.services.dismissal_for` read once by the view.
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
def triage_counts(audit: Audit, dismissal: services.Dismissal | None = None) -> dict[str, Any]:
    return {"counts": services.audit_counts(audit, dismissal), "audit": audit}


@register.filter
def triage_label(state: str) -> str:
    if state == "ignored":
        return "Ignored by a rule"
    try:
        return TriageState(state).label
    except ValueError:
        return state


@register.filter
def triage_reason(finding: Finding, dismissal: services.Dismissal | None) -> str:
    """'accepted_risk', 'false_positive', 'ignored' or '' (counts as open)."""
    if dismissal is None:
        return ""
    return dismissal.reason(finding.fingerprint, finding.rule, finding.path) or ""
