from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from projects import pipeline
from projects.access import get_audit_for_user, get_repository_for_user
from projects.forms import RepositoryForm
from projects.models import Audit
from teams.access import current_membership, require_role
from teams.models import Role


@login_required
def index(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return redirect("team_list")
    repositories = membership.team.repositories.select_related("last_audit").order_by("name")
    return render(request, "projects/index.html", {"membership": membership, "repositories": repositories})


@login_required
def repository_add(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return redirect("team_list")
    require_role(membership, Role.ADMIN)
    form = RepositoryForm(request.POST or None, team=membership.team)
    if request.method == "POST" and form.is_valid():
        repository = form.save(commit=False)
        repository.created_by = request.user
        repository.save()
        pipeline.queue_audit(repository, Audit.Trigger.MANUAL, user=request.user)
        messages.success(request, f"Connected {repository.name}; its first audit is queued.")
        return redirect("index")
    return render(request, "projects/repository_form.html", {"form": form, "membership": membership})


@login_required
def repository_settings(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    form = RepositoryForm(request.POST or None, instance=repository, team=repository.team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the settings of {repository.name}.")
        return redirect("repository_settings", repository.pk)
    return render(request, "projects/repository_form.html", {"form": form, "repository": repository})


@login_required
@require_POST
def repository_delete(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    name = repository.name
    repository.delete()
    messages.success(request, f"Disconnected {name} and deleted its audits.")
    return redirect("index")


@login_required
@require_POST
def repository_audit(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.MEMBER)
    force = request.POST.get("force") == "1"
    audit = pipeline.queue_audit(repository, Audit.Trigger.MANUAL, user=request.user, force=force)
    if request.htmx:
        return render(request, "projects/_audit_status.html", {"audit": audit})
    messages.success(request, f"Audit of {repository.name} queued.")
    return redirect("index")


@login_required
def audit_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A small fragment htmx polls while an audit runs."""
    audit = get_audit_for_user(request, pk)
    return render(request, "projects/_audit_status.html", {"audit": audit})
