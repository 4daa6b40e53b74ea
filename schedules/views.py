from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from projects.access import get_repository_for_user
from schedules.forms import ScheduleForm
from schedules.services import schedule_for, sync_schedule
from teams.access import require_role
from teams.models import Role


@login_required
def schedule_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit schedule of a repository: everyone in the team reads it, admins change it."""
    repository = get_repository_for_user(request, pk)
    schedule = schedule_for(repository, create=request.method == "POST")
    if request.method == "POST":
        require_role(repository.membership, Role.ADMIN)  # type: ignore[attr-defined]
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        sync_schedule(form.save(commit=False))
        messages.success(request, f"Audit schedule of {repository.name}: {schedule.describe()}.")
        if request.POST.get("return_to") == "repository":
            return redirect("repository_settings", repository.pk)
        return redirect("schedule_settings", repository.pk)
    runs = repository.schedule_runs.select_related("audit")[:10]  # type: ignore[attr-defined]
    return render(
        request,
        "schedules/settings.html",
        {"repository": repository, "schedule": schedule, "form": form, "runs": runs, "section": "schedule"},
    )
