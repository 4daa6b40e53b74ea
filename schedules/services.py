"""Keep each repository's PeriodicTask in step with its AuditSchedule."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo, available_timezones

from celery.schedules import crontab
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from projects.models import Repository
from schedules.models import AuditSchedule

TASK_NAME = "schedules.tasks.run_scheduled_audit"
CELERY_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def task_name(repository_id: int) -> str:
    return f"audit-schedule:repository-{repository_id}"


def valid_timezone(name: str) -> bool:
    return name in available_timezones()


def parse_cron(expression: str) -> dict[str, str]:
    """Split and check a 5-field cron expression; ValueError says what is wrong."""
    parts = expression.split()
    if len(parts) != 5:
        raise ValueError("A cron expression has 5 fields: minute hour day-of-month month day-of-week.")
    fields = dict(zip(["minute", "hour", "day_of_month", "month_of_year", "day_of_week"], parts, strict=True))
    crontab(**fields)  # raises ValueError on values out of range or bad syntax
    return fields


def crontab_fields(schedule: AuditSchedule) -> dict[str, str]:
    kind = schedule.kind
    if kind == AuditSchedule.Kind.HOURLY:
        return {"minute": str(schedule.minute), "hour": "*", "day_of_month": "*", "month_of_year": "*",
                "day_of_week": "*"}
    if kind == AuditSchedule.Kind.DAILY:
        return {"minute": str(schedule.at.minute), "hour": str(schedule.at.hour), "day_of_month": "*",
                "month_of_year": "*", "day_of_week": "*"}
    if kind == AuditSchedule.Kind.WEEKLY:
        return {"minute": str(schedule.at.minute), "hour": str(schedule.at.hour), "day_of_month": "*",
                "month_of_year": "*", "day_of_week": CELERY_WEEKDAYS[schedule.weekday]}
    if kind == AuditSchedule.Kind.CRON:
        return parse_cron(schedule.cron)
    raise ValueError(f"no crontab for schedule kind {kind!r}")


def schedule_for(repository: Repository, *, create: bool = True) -> AuditSchedule:
    """The repository's schedule; with create=False an unsaved default (off) when it has none,
    so a page that reads it writes nothing."""
    if not create:
        return AuditSchedule.objects.filter(repository=repository).first() or AuditSchedule(repository=repository)
    schedule, _ = AuditSchedule.objects.get_or_create(repository=repository)
    return schedule


@transaction.atomic
def sync_schedule(schedule: AuditSchedule) -> PeriodicTask | None:
    """Create, change or remove the schedule's PeriodicTask; returns the task (None when off)."""
    schedule.updated_at = timezone.now()
    task = schedule.periodic_task
    if schedule.kind == AuditSchedule.Kind.OFF:
        schedule.periodic_task = None
        schedule.save()
        if task is not None:
            task.delete()
        return None
    fields = crontab_fields(schedule)
    cron, _ = CrontabSchedule.objects.get_or_create(**fields, timezone=ZoneInfo(schedule.timezone))
    values = {
        "task": TASK_NAME,
        "crontab": cron,
        "interval": None,
        "args": json.dumps([schedule.repository_id]),
        "enabled": True,
        "description": f"Audit {schedule.repository.name} {schedule.describe()}",
    }
    if task is None:
        task = PeriodicTask.objects.filter(name=task_name(schedule.repository_id)).first()
    if task is None:
        task = PeriodicTask(name=task_name(schedule.repository_id))
    for name, value in values.items():
        setattr(task, name, value)
    task.save()  # save(), not update(): it bumps PeriodicTasks.last_update so beat reloads
    schedule.periodic_task = task
    schedule.save()
    return task


def remove_periodic_task(repository_id: int) -> None:
    for task in PeriodicTask.objects.filter(name=task_name(repository_id)):
        task.delete()
