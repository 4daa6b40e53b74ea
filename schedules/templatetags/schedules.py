"""`{% load schedules %}{% schedule_form repository as form %}`: the schedule form for any page."""

from __future__ import annotations

from django import template

from projects.models import Repository
from schedules.forms import ScheduleForm
from schedules.models import AuditSchedule

register = template.Library()


@register.simple_tag
def schedule_form(repository: Repository) -> ScheduleForm:
    schedule = AuditSchedule.objects.filter(repository=repository).first() or AuditSchedule(repository=repository)
    return ScheduleForm(instance=schedule)
