from __future__ import annotations

from celery import shared_task

from projects import pipeline
from projects.models import Audit
from schedules.models import AuditSchedule


@shared_task(acks_late=True, ignore_result=True)
def run_scheduled_audit(repo_id: int) -> int | None:
    """Beat's entry point: queue an audit of the branch head (a "no change" run when unchanged).

    The audit itself fetches the branch; when the commit was already analysed the pipeline
    reuses that result instead of running the engine again. A duplicated beat tick finds the
    first tick's audit still queued and returns it rather than queuing a second one.
    """
    schedule = AuditSchedule.objects.select_related("repository").filter(repository_id=repo_id).first()
    if schedule is None or schedule.kind == AuditSchedule.Kind.OFF:
        return None
    return pipeline.queue_audit(schedule.repository, Audit.Trigger.SCHEDULE).pk
