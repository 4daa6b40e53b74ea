"""Periodic tasks go with their repository."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from schedules.models import AuditSchedule
from schedules.services import remove_periodic_task


@receiver(post_delete, sender=AuditSchedule, dispatch_uid="schedules.remove_periodic_task")
def _schedule_deleted(sender: type, instance: AuditSchedule, **kwargs: Any) -> None:
    # Sent too when the repository's deletion cascades to its schedule.
    remove_periodic_task(instance.repository_id)
