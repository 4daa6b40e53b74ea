"""Evaluate a repository's quality gate on an audit, and sign badge URLs."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from projects.models import SEVERITY_RANK, Audit, Repository, Severity
from triage.services import dismissal_for

from .models import GateCondition, GateResult, QualityGate

BADGE_SALT = "gates.badge"


def gate_for(repository: Repository) -> QualityGate:
    """The repository's gate; a new one starts with the condition "no new error"."""
    with transaction.atomic():
        gate, created = QualityGate.objects.get_or_create(repository=repository)
        if created:
            GateCondition.objects.create(gate=gate, min_severity=Severity.ERROR, rule_glob="*", max_new=0)
    return gate


def baseline_for(audit: Audit) -> Audit | None:
    """The previous done audit of the tracked branch at another commit; for a pull request's
    audit, the base branch's audit it was compared with (the gate judges what the PR adds)."""
    if audit.trigger == Audit.Trigger.PULL_REQUEST:
        run = getattr(audit, "pull_request", None)
        return run.base_audit if run is not None else None
    repository = audit.repository
    return (
        audit.done_before()
        .filter(branch=repository.branch)
        .exclude(trigger=Audit.Trigger.PULL_REQUEST)
        .exclude(commit_sha=audit.commit_sha)
        .first()
    )


def new_findings(audit: Audit, baseline: Audit | None) -> list[dict[str, Any]]:
    """Findings of `audit` whose fingerprint the baseline did not have; triaged and ignored ones left out."""
    rows = list(
        audit.result.findings.filter(suppressed=False).values(
            "id", "fingerprint", "rule", "severity", "severity_rank", "path", "line", "message"
        )
    )
    before: set[str] = set()
    if baseline is not None:
        before = set(baseline.result.findings.values_list("fingerprint", flat=True))
    rows = [r for r in rows if r["fingerprint"] not in before]
    dismissal = dismissal_for(audit.repository_id, [r["fingerprint"] for r in rows])
    return [r for r in rows if dismissal.reason(r["fingerprint"], r["rule"], r["path"]) is None]


def evaluate(audit: Audit) -> GateResult | None:
    """(Re)compute and store the gate result of a done audit; None if the gate is off."""
    if audit.state != Audit.State.DONE:
        return None
    gate = gate_for(audit.repository)
    if not gate.enabled:
        GateResult.objects.filter(audit=audit).delete()
        return None
    baseline = baseline_for(audit)
    new = new_findings(audit, baseline)
    details = []
    passed = True
    for condition in gate.conditions.all():
        matching = [
            r for r in new
            if SEVERITY_RANK.get(r["severity"], 0) >= condition.min_rank
            and fnmatchcase(r["rule"], condition.rule_glob or "*")
        ]
        ok = len(matching) <= condition.max_new
        passed = passed and ok
        details.append({
            "condition": condition.describe(),
            "count": len(matching),
            "max": condition.max_new,
            "passed": ok,
            "findings": [r["id"] for r in matching[:50]],
        })
    result, _ = GateResult.objects.update_or_create(
        audit=audit,
        defaults={
            "baseline": baseline,
            "status": GateResult.Status.PASSED if passed else GateResult.Status.FAILED,
            "details": details,
            "new_count": len(new),
            "evaluated_at": timezone.now(),
        },
    )
    return result


def result_for(audit: Audit | None, *, compute: bool = True) -> GateResult | None:
    """The stored result, computed on first use (audits from before the gate existed)."""
    if audit is None or audit.state != Audit.State.DONE:
        return None
    result = GateResult.objects.filter(audit=audit).first()
    if result is None and compute:
        result = evaluate(audit)
    return result


def statuses_for(audit_ids: list[int]) -> dict[int, str]:
    """audit id → "passed" / "failed" for the audits that have a stored result, in one query."""
    if not audit_ids:
        return {}
    return dict(GateResult.objects.filter(audit_id__in=audit_ids).values_list("audit_id", "status"))


def status_for(audit: Audit | None) -> str | None:
    """'passed', 'failed', or None (no finished audit, or the gate is off)."""
    result = result_for(audit)
    return result.status if result else None


def badge_token(repository_id: int) -> str:
    return salted_hmac(BADGE_SALT, str(repository_id)).hexdigest()[:32]


def badge_token_valid(repository_id: int, token: str) -> bool:
    return constant_time_compare(badge_token(repository_id), token)


def badge_path(repository: Repository) -> str:
    return reverse("gate_badge", args=[repository.pk, badge_token(repository.pk)])


def as_dict(repository: Repository, audit: Audit | None) -> dict[str, Any]:
    """The gate in the shape the API and the outgoing webhook share."""
    result = result_for(audit)
    return {
        "repository": repository.pk,
        "audit": audit.pk if audit else None,
        "commit": audit.commit_sha if audit else None,
        "status": result.status if result else None,
        "baseline": result.baseline_id if result else None,
        "new_findings": result.new_count if result else None,
        "conditions": [{k: v for k, v in d.items() if k != "findings"} for d in (result.details if result else [])],
    }
