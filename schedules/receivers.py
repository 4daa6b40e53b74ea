"""Periodic tasks go with their repository; scheduled audits that finish are recorded as runs."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from projects.models import Audit
from projects.signals import audit_finished
from schedules.models import AuditSchedule, ScheduleRun
from schedules.services import remove_periodic_task


@receiver(post_delete, sender=AuditSchedule, dispatch_uid="schedules.remove_periodic_task")
def _schedule_deleted(sender: type, instance: AuditSchedule, **kwargs: Any) -> None:
    # Sent too when the repository's deletion cascades to its schedule.
    remove_periodic_task(instance.repository_id)


@receiver(audit_finished, dispatch_uid="schedules.record_run")
def _record_scheduled_run(sender: type, audit: Audit, **kwargs: Any) -> None:
    if audit.trigger != Audit.Trigger.SCHEDULE:
        return
    previous = audit.done_before().values_list("commit_sha", flat=True).first()
    ScheduleRun.objects.update_or_create(
        audit=audit,
        defaults={"repository_id": audit.repository_id, "changed": previous != audit.commit_sha},
    )
