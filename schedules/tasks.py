from __future__ import annotations

from celery import shared_task

from projects import pipeline
from projects.after_audit import RETRY_OPTIONS
from projects.models import Audit
from schedules.models import AuditSchedule, ScheduleRun


@shared_task(acks_late=True, ignore_result=True)
def run_scheduled_audit(repo_id: int) -> int | None:
    """Beat's entry point: queue an audit of the branch head (a "no change" run when unchanged).

    The audit itself fetches the branch; when the commit was already analysed the pipeline
    reuses that result instead of running the engine again. A duplicated beat tick finds the
    first tick's audit still queued and returns it rather than queuing a second one.
    """
    schedule = (
        AuditSchedule.objects.select_related("repository")
        .filter(repository_id=repo_id)
        # A repository the GitHub App lost access to stops auditing (its history stays).
        .exclude(repository__github__active=False)
        .first()
    )
    if schedule is None or schedule.kind == AuditSchedule.Kind.OFF:
        return None
    return pipeline.queue_audit(schedule.repository, Audit.Trigger.SCHEDULE).pk


@shared_task(**RETRY_OPTIONS, ignore_result=True)
def record_schedule_run(audit_id: int) -> None:
    """After-audit step: a scheduled audit that finished is recorded as a run (changed or not)."""
    audit = Audit.objects.filter(pk=audit_id, state=Audit.State.DONE).first()
    if audit is None or audit.trigger != Audit.Trigger.SCHEDULE:
        return
    previous = audit.done_before().values_list("commit_sha", flat=True).first()
    ScheduleRun.objects.update_or_create(
        audit=audit,
        defaults={"repository_id": audit.repository_id, "changed": previous != audit.commit_sha},
    )
