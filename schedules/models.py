"""Audit schedules: one per repository, mirrored into a django-celery-beat PeriodicTask.

The schedule row is what users edit; `schedules.services.sync_schedule` keeps its periodic
task (and the crontab that drives it) in step. Beat reads the periodic tasks through its
DatabaseScheduler, so a change takes effect without restarting beat.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils import timezone as dj_timezone
from django_celery_beat.models import PeriodicTask

from projects.models import Audit, Repository

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]


class AuditSchedule(models.Model):
    class Kind(models.TextChoices):
        OFF = "off", "Off"
        HOURLY = "hourly", "Hourly"
        DAILY = "daily", "Daily at a time"
        WEEKLY = "weekly", "Weekly on a day"
        CRON = "cron", "Cron expression"

    repository = models.OneToOneField(Repository, models.CASCADE, related_name="audit_schedule")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OFF)
    minute = models.PositiveSmallIntegerField(default=0, help_text="Hourly: minutes past the hour.")
    at = models.TimeField("time", default=time(3, 0), help_text="Daily and weekly: the local time.")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, default=0)
    cron = models.CharField(
        "cron expression",
        max_length=100,
        blank=True,
        help_text="minute hour day-of-month month day-of-week, e.g. '30 2 * * 1-5'.",
    )
    timezone = models.CharField(max_length=64, default="UTC")
    periodic_task = models.OneToOneField(
        PeriodicTask, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return f"Schedule of {self.repository_id}: {self.describe()}"

    def describe(self) -> str:
        tz = f" ({self.timezone})"
        if self.kind == self.Kind.HOURLY:
            return f"hourly at :{self.minute:02d}"
        if self.kind == self.Kind.DAILY:
            return f"daily at {self.at:%H:%M}{tz}"
        if self.kind == self.Kind.WEEKLY:
            return f"weekly on {dict(WEEKDAYS)[self.weekday]} at {self.at:%H:%M}{tz}"
        if self.kind == self.Kind.CRON:
            return f"cron '{self.cron}'{tz}"
        return "off"


class ScheduleRun(models.Model):
    """A scheduled audit that finished: analysed, or a cheap "no change" run (same commit)."""

    repository = models.ForeignKey(Repository, models.CASCADE, related_name="schedule_runs")
    audit = models.OneToOneField(Audit, models.CASCADE, related_name="schedule_run")
    changed = models.BooleanField(help_text="False when the commit was the one the previous audit saw.")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["repository", "-created_at"], name="schedrun_repo_created")]

    def __str__(self) -> str:
        return f"Scheduled run {self.audit_id} ({'changed' if self.changed else 'no change'})"
