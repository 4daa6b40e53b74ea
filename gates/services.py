"""Evaluate a repository's quality gate on what an audit stored, and sign badge URLs."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from projects import comparison
from projects.models import SEVERITY_RANK, Audit, Repository, Severity

from .models import GateCondition, GateResult, QualityGate

BADGE_SALT = "gates.badge"


def default_conditions() -> list[GateCondition]:
    return [GateCondition(min_severity=Severity.ERROR, rule_glob="*", max_new=0)]


def gate_to_show(repository: Repository) -> tuple[QualityGate, list[GateCondition]]:
    """The gate and its conditions for a page: the stored ones, or the default (unsaved: a page
    that reads never writes; the first change or evaluation stores it)."""
    gate = QualityGate.objects.filter(repository=repository).first()
    if gate is None:
        return QualityGate(repository=repository), default_conditions()
    return gate, list(gate.conditions.all())


def gate_for(repository: Repository) -> QualityGate:
    """The repository's gate; a new one starts with the condition "no new error"."""
    with transaction.atomic():
        gate, created = QualityGate.objects.get_or_create(repository=repository)
        if created:
            for condition in default_conditions():
                condition.gate = gate
                condition.save()
    return gate


def new_findings(audit: Audit) -> list[dict[str, Any]]:
    """The open findings the audit added since its stored baseline (projects.comparison); a
    "no change" run is judged on the result it reuses."""
    return list(
        comparison.new_findings(audit.result).values("id", "fingerprint", "rule", "severity", "path", "line", "message")
    )


def evaluate(audit: Audit) -> GateResult | None:
    """(Re)compute and store the gate result of a done audit; None if the gate is off."""
    if audit.state != Audit.State.DONE:
        return None
    gate = gate_for(audit.repository)
    if not gate.enabled:
        GateResult.objects.filter(audit=audit).delete()
        return None
    baseline = audit.result.baseline
    new = new_findings(audit)
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


def result_for(audit: Audit | None) -> GateResult | None:
    """The stored result; reading never computes one (the after-audit chain and the changes
    that move it, triage and gate settings, store it)."""
    if audit is None or audit.state != Audit.State.DONE:
        return None
    return GateResult.objects.filter(audit=audit).first()


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
