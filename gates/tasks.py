from __future__ import annotations

from celery import shared_task

from gates import services
from projects.after_audit import RETRY_OPTIONS
from projects.models import Audit


@shared_task(**RETRY_OPTIONS, ignore_result=True)
def evaluate_gate(audit_id: int) -> str | None:
    """After-audit step 1: judge the gate on what the audit stored; stored per audit, so a
    second run rewrites the same result."""
    audit = Audit.objects.select_related("repository", "reused_from").filter(pk=audit_id).first()
    if audit is None:
        return None
    result = services.evaluate(audit)
    return result.status if result else None
