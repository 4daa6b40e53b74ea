"""Celery tasks. They take primary keys only and are safe to run twice (acks_late redelivery)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from projects import pipeline
from projects.locks import audit_lock
from projects.models import Audit, Repository

log = logging.getLogger(__name__)

LOCK_RETRY_SECONDS = 15


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=settings.AUDITOR_AUDIT_SOFT_TIME_LIMIT,
    time_limit=settings.AUDITOR_AUDIT_TIME_LIMIT,
    # Enough retries to wait out one other audit running to its hard limit.
    max_retries=settings.AUDITOR_AUDIT_TIME_LIMIT // LOCK_RETRY_SECONDS + 2,
)
def audit_repository(
    self, repo_id: int, trigger: str = Audit.Trigger.MANUAL, force: bool = False, audit_id: int | None = None
) -> int | None:
    """Audit a repository; returns the audit's id. With `audit_id`, runs that queued audit."""
    repository = Repository.objects.filter(pk=repo_id).first()
    if repository is None:
        return None
    if audit_id is not None:
        audit = Audit.objects.filter(pk=audit_id, repository=repository).select_related("repository").first()
    else:
        audit = repository.audits.filter(state=Audit.State.QUEUED, force=force).order_by(
            "created_at"
        ).first() or Audit.objects.create(repository=repository, trigger=trigger, force=force, branch=repository.branch)
    if audit is None or audit.state in (Audit.State.DONE, Audit.State.FAILED):
        return audit.pk if audit else None  # already handled: this is a duplicate delivery

    ttl = settings.AUDITOR_AUDIT_TIME_LIMIT + 30
    with audit_lock(repository.pk, ttl) as acquired:
        if acquired:
            audit.refresh_from_db()
            if audit.state in (Audit.State.DONE, Audit.State.FAILED):
                return audit.pk
            try:
                pipeline.run_audit(audit)
            except SoftTimeLimitExceeded:
                pipeline.fail(
                    audit,
                    f"The audit took longer than {settings.AUDITOR_AUDIT_SOFT_TIME_LIMIT} seconds and was stopped.",
                    timed_out=True,
                )
            except Exception as error:
                log.exception("audit %s crashed", audit.pk)
                pipeline.fail(audit, f"The audit crashed ({type(error).__name__}); the error was logged.")
            return audit.pk
    if self.request.retries >= (self.max_retries or 0):
        pipeline.fail(audit, "Another audit of this repository kept running; try again later.")
        return audit.pk
    raise self.retry(countdown=LOCK_RETRY_SECONDS)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def reap_stuck_audits() -> list[int]:
    return pipeline.reap_stuck_audits()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def resend_lost_audits() -> list[int]:
    return pipeline.resend_lost_audits()
